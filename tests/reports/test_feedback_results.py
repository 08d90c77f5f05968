"""A programme's results over a period: the pilot's figures computed over every published answer
(a cohort with fewer than five answers shows nothing but still counts), exports that match the
page, and a constant number of queries."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from sessions.reports.feedback import publish_round
from sessions.reports.feedback_models import Audience, FeedbackRound
from sessions.reports.feedback_results import programme_rounds, results_for
from sessions.reports.models import FeedbackInvitation, FeedbackKind, FeedbackReceipt
from sessions.reports.questionnaires import current_version, questionnaire_for
from tests.factories import UserFactory
from tests.reports.factories import CohortFactory

pytestmark = pytest.mark.django_db

AGREE = {"reflect": 5, "understand": 4, "enjoyed": 4, "will_use": 4, "overall": 4}
# The pilot (seed 004): 143 students in 11 cohorts, 72 answered. The first cohort's 4 answers
# are too few to show, but they count: the totals must be 71 of 72, not 67 of 68.
ANSWERS_PER_COHORT = [4, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6]
INVITED_PER_COHORT = 13


def _cohort_with_answers(programme, answers: list[dict], invited: int, sent_on):
    cohort = CohortFactory(
        programme=programme, starts_on=sent_on - timedelta(days=28), ends_on=sent_on
    )
    questionnaire = questionnaire_for(audience=Audience.TRAINEES, programme=programme)
    round_ = FeedbackRound.objects.create(
        version=current_version(questionnaire),
        audience=Audience.TRAINEES,
        cohort=cohort,
        opened_on=sent_on,
        closes_on=sent_on + timedelta(days=28),
    )
    people = UserFactory.create_batch(invited)
    invitations = FeedbackInvitation.objects.bulk_create(
        FeedbackInvitation(
            token_hash=f"{cohort.pk}-{person.pk}",
            person=person,
            kind=FeedbackKind.BLOCK,
            cohort=cohort,
            round=round_,
        )
        for person in people
    )
    FeedbackReceipt.objects.bulk_create(
        FeedbackReceipt(invitation=i) for i in invitations[: len(answers)]
    )
    round_.pending = answers
    round_.save()
    publish_round(round_id=round_.pk, final=True)
    return cohort


@pytest.fixture
def pilot(programme):
    start = timezone.localdate() - timedelta(days=400)
    for index, count in enumerate(ANSWERS_PER_COHORT):
        answers = [dict(AGREE, comments=f"Cohort {index} answer {n}") for n in range(count)]
        if index == 1:
            answers[0] = {**AGREE, "reflect": 2, "enjoyed": 2}  # the one who did not agree
        _cohort_with_answers(
            programme, answers, INVITED_PER_COHORT, start + timedelta(days=30 * index)
        )
    return programme


def test_the_pilot_reads_as_the_paper_reports_it(pilot):
    results = results_for(programme_rounds(pilot, Audience.TRAINEES))

    assert str(results.rate) == "72 of 143 (50.3%)"
    reflect = results.figures[0]
    assert str(reflect) == "71 of 72 agreed (98.6%)"
    assert str(results.figures[-1]) == "72 of 72 rated it good or better (100.0%)"
    first = results.slices[0]
    assert (first.answers, first.shown, first.figures) == (4, False, [])
    # Adding up only the cohorts that are shown would give the reviewers' wrong 67 of 68.
    shown = [s for s in results.slices if s.shown]
    assert sum(s.figures[0].agreed for s in shown) == 67
    # Written answers from the batch of four are never shown.
    texts = [text for _, group in results.texts for text in group]
    assert len(texts) == 67  # 68 answers in batches of five or more, one without a comment
    assert not any(text.startswith("Cohort 0 ") for text in texts)


def test_a_period_with_fewer_than_five_answers_shows_no_figure(pilot):
    first_day = timezone.localdate() - timedelta(days=400)
    rounds = programme_rounds(pilot, Audience.TRAINEES, first_day, first_day)

    results = results_for(rounds)

    assert (results.answers, results.shown, results.figures, results.texts) == (4, False, [], [])
    assert str(results.rate) == "4 of 13 (30.8%)"


def test_the_page_and_its_exports_show_the_same_figures(client_for, pilot):
    client = client_for("programme_admin")
    url = f"/programmes/{pilot.slug}/feedback/"

    page = client.get(url).content.decode()
    csv_text = b"".join(client.get(url + "results.csv").streaming_content).decode("utf-8-sig")
    xlsx = client.get(url + "results.xlsx")

    assert "72 of 143 (50.3%)" in page and "71 of 72 agreed (98.6%)" in page
    assert "Fewer than five answers" in page
    rows = list(csv.reader(io.StringIO(csv_text)))
    reflect = next(r for r in rows if r[1].startswith("The group helped me reflect"))
    assert reflect[2:5] == ["72", "71", "98.6"]
    assert any(r[1] == "Response rate" and r[2] == "72" and r[5] == "143" for r in rows)
    assert not any("Cohort 0 answer" in cell or "answer 1" in cell for r in rows for cell in r)
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    typed = next(r for r in values if str(r[1]).startswith("The group helped me reflect"))
    assert typed[2:5] == [72, 71, 98.6]  # numbers, not text
    assert len(values) == len(rows)


def test_the_results_take_the_same_queries_for_two_and_for_six_cohorts(client_for, programme):
    client = client_for("programme_admin")
    url = f"/programmes/{programme.slug}/feedback/"
    sent_on = timezone.localdate() - timedelta(days=60)

    def queries_with(cohorts: int) -> int:
        for _ in range(cohorts - FeedbackRound.objects.count()):
            _cohort_with_answers(programme, [AGREE] * 5, 8, sent_on)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries_with(2) == queries_with(6)


def test_a_cohorts_feedback_page_takes_the_same_queries_for_few_and_many_answers(
    client_for, programme
):
    client = client_for("programme_admin")
    sent_on = timezone.localdate() - timedelta(days=60)
    few = _cohort_with_answers(programme, [AGREE] * 5, 6, sent_on)
    many = _cohort_with_answers(programme, [dict(AGREE, comments="Yes.")] * 30, 40, sent_on)

    def queries(cohort) -> int:
        url = f"/programmes/{programme.slug}/cohorts/{cohort.pk}/feedback/"
        cache.clear()  # cold: nothing kept from the other request
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries(few) == queries(many)
