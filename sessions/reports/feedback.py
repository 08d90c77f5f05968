"""Anonymous feedback: invitations by email, one answer per invitation, and results that stay
hidden until enough people have answered (see models.py for what anonymity means here).

Invitations are idempotent: an invitation row is unique per person and cohort (or group, for
tasters), and its email has a unique outbox key, so the periodic scan can run any number of times.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone

from balint.errors import DomainError
from balint.outbox.services import enqueue_email
from groups.models import BalintGroup
from members.models import User
from sessions.meetings.models import Meeting
from sessions.programmes.models import Cohort, Enrolment
from sessions.reports.models import (
    MIN_RESPONSES_SHOWN,
    STATEMENTS,
    Agreement,
    FeedbackInvitation,
    FeedbackKind,
    FeedbackReceipt,
    FeedbackResponse,
    Rating,
)

# A cohort that ended longer ago than this is not scanned again (its invitations went out).
SCAN_DAYS = 28
ANSWER_FIELDS = [name for name, _ in STATEMENTS] + ["overall", "comments"]


class FeedbackError(DomainError):
    """The answer was refused; the message says why, for the person answering."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invite(person: User, *, cohort: Cohort | None = None, group: BalintGroup | None = None):
    """Create the person's invitation for this scope and email its link; nothing if they have
    one already. Returns the new invitation or None."""
    kind = FeedbackKind.BLOCK if cohort is not None else FeedbackKind.TASTER
    scope = {"cohort": cohort} if cohort is not None else {"group": group}
    if FeedbackInvitation.objects.filter(person=person, kind=kind, **scope).exists():
        return None
    # Only the hash is stored: the link in the email is the one way to answer.
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            invitation = FeedbackInvitation.objects.create(
                token_hash=hash_token(token), person=person, kind=kind, **scope
            )
    except IntegrityError:
        return None  # a scan running at the same moment invited them first
    scope_id = cohort.pk if cohort is not None else group.pk
    enqueue_email(
        key=f"feedback:{kind}:{scope_id}:{person.pk}",
        to=person.email,
        template="feedback_invite",
        context={
            "person": person,
            "cohort": cohort,
            "group": group,
            "feedback_url": settings.SITE_URL + reverse("reports:feedback", args=[token]),
        },
        secrets=[token],
    )
    return invitation


@transaction.atomic
def invite_cohort_feedback(*, cohort: Cohort) -> int:
    """Email a feedback link to every trainee of `cohort` who has not had one; returns how many
    were invited now."""
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    people = User.objects.filter(
        pk__in=Enrolment.objects.filter(cohort=cohort).values("person_id"), is_active=True
    )
    return sum(1 for person in people if _invite(person, cohort=cohort) is not None)


def invite_feedback_for_ended_blocks(*, today: date | None = None) -> int:
    """The periodic scan: invite the trainees of every cohort whose block ended recently.
    Running it twice invites nobody twice. Returns how many were invited."""
    today = today or timezone.localdate()
    cohorts = Cohort.objects.filter(
        ends_on__lt=today, ends_on__gte=today - timedelta(days=SCAN_DAYS)
    )
    return sum(invite_cohort_feedback(cohort=cohort) for cohort in cohorts)


@transaction.atomic
def invite_feedback_after_taster(*, person: User, meeting: Meeting) -> FeedbackInvitation | None:
    """Invite someone who tasted `meeting` to give anonymous feedback about its group (once per
    person and group). For the taster bookings to call after the session; returns the new
    invitation, or None if they were invited before."""
    return _invite(person, group=meeting.group)


def open_invitation(token: str) -> FeedbackInvitation | None:
    """The invitation for a link, with its scope, or None if the link is not valid."""
    return (
        FeedbackInvitation.objects.select_related("cohort__programme", "group")
        .filter(token_hash=hash_token(token))
        .first()
    )


def has_answered(invitation: FeedbackInvitation) -> bool:
    return FeedbackReceipt.objects.filter(invitation=invitation).exists()


@transaction.atomic
def submit_feedback(*, token: str, answers: dict, today: date | None = None) -> None:
    """Store one anonymous answer and the receipt that the invitation was used. FeedbackError
    if the link is not valid or was used already."""
    today = today or timezone.localdate()
    # The invitation's lock makes a double click wait and then find the receipt.
    invitation = (
        FeedbackInvitation.objects.select_for_update().filter(token_hash=hash_token(token)).first()
    )
    if invitation is None:
        raise FeedbackError("This feedback link is not valid.")
    if has_answered(invitation):
        raise FeedbackError("You have already answered this questionnaire. Thank you!")
    FeedbackResponse.objects.create(
        kind=invitation.kind,
        cohort_id=invitation.cohort_id,
        group_id=invitation.group_id,
        month=today.replace(day=1),
        **{name: answers[name] for name in ANSWER_FIELDS},
    )
    FeedbackReceipt.objects.create(invitation=invitation)


# ----------------------------------------------------------------------------- rates and results


@dataclass(frozen=True)
class ResponseRate:
    responded: int
    invited: int

    def __str__(self) -> str:
        if not self.invited:
            return "No invitations sent yet"
        return f"{self.responded} of {self.invited} ({100 * self.responded / self.invited:.1f}%)"


def response_rates(*, cohort_ids=(), group_ids=()) -> dict[tuple[str, int], ResponseRate]:
    """Responses and invitations per cohort ("block", id) and per taster group ("taster", id),
    in one query."""
    rows = (
        FeedbackInvitation.objects.filter(
            Q(kind=FeedbackKind.BLOCK, cohort_id__in=list(cohort_ids))
            | Q(kind=FeedbackKind.TASTER, group_id__in=list(group_ids))
        )
        .values("kind", "cohort_id", "group_id")
        .annotate(invited=Count("pk"), responded=Count("receipt"))
        .order_by()
    )
    return {
        (row["kind"], row["cohort_id"] or row["group_id"]): ResponseRate(
            row["responded"], row["invited"]
        )
        for row in rows
    }


@dataclass
class StatementResult:
    statement: str
    counts: list[tuple[str, int]]
    agreed: int
    total: int

    @property
    def agreed_percent(self) -> str:
        return f"{100 * self.agreed / self.total:.1f}%" if self.total else "—"


@dataclass
class FeedbackResults:
    responses: int
    shown: bool
    statements: list[StatementResult] = field(default_factory=list)
    overall: list[tuple[str, int]] = field(default_factory=list)
    overall_mean: float | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def needed(self) -> int:
        return max(MIN_RESPONSES_SHOWN - self.responses, 0)


def feedback_results(
    *, cohort: Cohort | None = None, group: BalintGroup | None = None
) -> FeedbackResults:
    """The answers for a cohort (or a group's tasters), counted; nothing but the number of
    answers until at least MIN_RESPONSES_SHOWN people have answered."""
    scope = {"kind": FeedbackKind.BLOCK, "cohort": cohort} if cohort else {}
    scope = scope or {"kind": FeedbackKind.TASTER, "group": group}
    responses = FeedbackResponse.objects.filter(**scope)
    counts = {
        f"{name}_{value}": Count("pk", filter=Q(**{name: value}))
        for name in [*dict(STATEMENTS), "overall"]
        for value in range(1, 6)
    }
    totals = responses.aggregate(total=Count("pk"), mean=Avg("overall"), **counts)
    if totals["total"] < MIN_RESPONSES_SHOWN:
        return FeedbackResults(responses=totals["total"], shown=False)
    results = FeedbackResults(responses=totals["total"], shown=True, overall_mean=totals["mean"])
    for name, statement in STATEMENTS:
        row = [(label, totals[f"{name}_{value}"]) for value, label in Agreement.choices]
        agreed = totals[f"{name}_4"] + totals[f"{name}_5"]
        results.statements.append(StatementResult(statement, row, agreed, totals["total"]))
    results.overall = [(label, totals[f"overall_{value}"]) for value, label in Rating.choices]
    # Ordered by the random key: neither the order given nor the time can be read from it.
    results.comments = list(
        responses.exclude(comments="").order_by("pk").values_list("comments", flat=True)
    )
    return results
