"""Published feedback results, added up over any set of rounds (a programme's over a date range,
a cohort's, a group's): the response rate, and for each statement how many agreed out of how
many answered it, over every published answer.

A slice (the whole selection, one cohort, one group round) with fewer than MIN_RESPONSES_SHOWN
published answers shows no figure, but its answers still count in the totals: the totals are
computed from the counts, never by adding up the slices that are shown. Written answers are
shown only from batches of at least MIN_RESPONSES_SHOWN answers. Five queries, whatever the
number of rounds, people and answers.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

from sessions.reports.feedback import ResponseRate
from sessions.reports.feedback_models import (
    FeedbackRound,
    PublishedText,
    QuestionKind,
    ResultBatch,
    ResultCount,
)
from sessions.reports.models import MIN_RESPONSES_SHOWN, FeedbackInvitation

# The answers that count as agreeing (agreement) or as a positive rating (good or better).
POSITIVE = {QuestionKind.AGREEMENT: {4, 5}, QuestionKind.RATING: {3, 4, 5}}
VERB = {QuestionKind.AGREEMENT: "agreed", QuestionKind.RATING: "rated it good or better"}


@dataclass
class Figure:
    """One statement's share: "71 of 72 agreed (98.6%)"."""

    key: str
    text: str
    kind: str
    agreed: int = 0
    answered: int = 0
    by_value: dict[int, int] = field(default_factory=dict)

    @property
    def share(self) -> float | None:
        return self.agreed / self.answered if self.answered else None

    @property
    def percent(self) -> str:
        return f"{100 * self.share:.1f}%" if self.answered else "—"

    def __str__(self) -> str:
        return f"{self.agreed} of {self.answered} {VERB[self.kind]} ({self.percent})"


@dataclass
class Slice:
    """The figures of one round (a cohort, a group's round), or nothing if too few answered."""

    round: FeedbackRound
    rate: ResponseRate
    answers: int
    figures: list[Figure]

    @property
    def shown(self) -> bool:
        return self.answers >= MIN_RESPONSES_SHOWN


@dataclass
class Results:
    rate: ResponseRate
    answers: int  # published
    figures: list[Figure]
    texts: list[tuple[str, list[str]]]
    slices: list[Slice]

    @property
    def shown(self) -> bool:
        return self.answers >= MIN_RESPONSES_SHOWN

    @property
    def needed(self) -> int:
        return max(MIN_RESPONSES_SHOWN - self.answers, 0)

    @property
    def awaiting(self) -> int:
        """Answers given but not yet published (they are published in batches)."""
        return max(self.rate.responded - self.answers, 0)


def _questions(rounds: list[FeedbackRound]) -> dict[str, dict]:
    """Every question the rounds asked, by key, worded as in the newest version that has it."""
    questions = {}
    for round_ in sorted(rounds, key=lambda r: (r.version.questionnaire_id, r.version.number)):
        for question in round_.version.questions:
            questions.pop(question["key"], None)
            questions[question["key"]] = question
    return questions


def _figures(questions: dict, counts: dict[tuple[str, int], int]) -> list[Figure]:
    figures = []
    for key, question in questions.items():
        if question["kind"] == QuestionKind.TEXT:
            continue
        figure = Figure(key, question["text"], question["kind"])
        for value in range(1, 6):
            figure.by_value[value] = counts.get((key, value), 0)
        figure.answered = sum(figure.by_value.values())
        figure.agreed = sum(figure.by_value[v] for v in POSITIVE[question["kind"]])
        figures.append(figure)
    return figures


def results_for(rounds: QuerySet[FeedbackRound]) -> Results:
    """The published results of `rounds`, as a whole and per round."""
    rounds = list(rounds.select_related("version", "cohort", "group").order_by("opened_on", "pk"))
    ids = [round_.pk for round_ in rounds]
    rates = {
        row["round_id"]: ResponseRate(row["responded"], row["invited"])
        for row in FeedbackInvitation.objects.filter(round_id__in=ids)
        .values("round_id")
        .annotate(invited=Count("pk"), responded=Count("receipt"))
        .order_by()
    }
    answers = dict(
        ResultBatch.objects.filter(round_id__in=ids)
        .values("round_id")
        .annotate(n=Sum("answers"))
        .order_by()
        .values_list("round_id", "n")
    )
    per_round: dict[int, dict] = defaultdict(dict)
    totals: dict[tuple[str, int], int] = defaultdict(int)
    for row in (
        ResultCount.objects.filter(batch__round_id__in=ids)
        .values("batch__round_id", "key", "value")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        per_round[row["batch__round_id"]][(row["key"], row["value"])] = row["n"]
        totals[(row["key"], row["value"])] += row["n"]
    questions = _questions(rounds)
    total = sum(answers.values())
    results = Results(
        rate=ResponseRate(
            sum(r.responded for r in rates.values()), sum(r.invited for r in rates.values())
        ),
        answers=total,
        figures=_figures(questions, totals) if total >= MIN_RESPONSES_SHOWN else [],
        texts=_texts(ids, questions) if total >= MIN_RESPONSES_SHOWN else [],
        slices=[],
    )
    for round_ in rounds:
        count = answers.get(round_.pk, 0)
        shown = count >= MIN_RESPONSES_SHOWN
        figures = _figures(questions, per_round[round_.pk]) if shown else []
        rate = rates.get(round_.pk, ResponseRate(0, 0))
        results.slices.append(Slice(round=round_, rate=rate, answers=count, figures=figures))
    return results


def _texts(round_ids: list[int], questions: dict) -> list[tuple[str, list[str]]]:
    """The written answers from batches big enough to show, per question; in the order of their
    random keys, which says nothing about who wrote them or when."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for key, text in (
        PublishedText.objects.filter(
            batch__round_id__in=round_ids, batch__answers__gte=MIN_RESPONSES_SHOWN
        )
        .order_by("pk")
        .values_list("key", "text")
    ):
        grouped[key].append(text)
    return [
        (question["text"], grouped[key])
        for key, question in questions.items()
        if question["kind"] == QuestionKind.TEXT and grouped[key]
    ]


def programme_rounds(programme, audience: str, start=None, end=None) -> QuerySet[FeedbackRound]:
    """A programme's block rounds for `audience`, sent between `start` and `end` (inclusive)."""
    rounds = FeedbackRound.objects.filter(cohort__programme=programme, audience=audience)
    if start:
        rounds = rounds.filter(opened_on__gte=start)
    if end:
        rounds = rounds.filter(opened_on__lte=end)
    return rounds
