"""Anonymous feedback: rounds of a questionnaire sent by email, one answer per invitation into
the round's pending pool, publication in batches (a round whole when it closes; tasters'
open-ended rounds five or more at a time), and reminders.

Anonymity by construction (see feedback_models.py): `submit_feedback` writes the receipt (who
answered) as a row, but the answer only into the round's one pool row, at a random place; nothing
else. `publish_round` turns a pool into counts and shuffled written answers in one batch, so a
results page changes only when a batch of answers is published, never with one submission.

Invitations are idempotent: unique per round and person, and their emails have unique outbox
keys, so the periodic scan and "send now" can both run any number of times.
"""

import hashlib
import random
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from balint.audit import services as audit
from balint.errors import DomainError
from balint.outbox.services import enqueue_email
from groups.models import BalintGroup, Leadership, Membership, MembershipStatus
from groups.services.locks import lock_group
from members.models import User
from sessions.meetings.models import Meeting
from sessions.programmes.models import Cohort, CohortPlacement, Enrolment
from sessions.reports.feedback_models import (
    Audience,
    FeedbackRound,
    PublishedText,
    QuestionKind,
    ResultBatch,
    ResultCount,
)
from sessions.reports.models import (
    MIN_RESPONSES_SHOWN,
    FeedbackInvitation,
    FeedbackKind,
    FeedbackReceipt,
)
from sessions.reports.questionnaires import current_version, questionnaire_for

# A cohort that ended longer ago than this is not scanned again (its invitations went out).
SCAN_DAYS = 28
# A block's round stays open this long after it is sent (or after the block ends, if later);
# then the rest of its pool is published.
ROUND_DAYS = 28
MAX_GROUP_ROUND_DAYS = 90
_shuffle = random.SystemRandom()

KIND_OF = {
    Audience.TRAINEES: FeedbackKind.BLOCK,
    Audience.FACILITATORS: FeedbackKind.FACILITATOR,
    Audience.MEMBERS: FeedbackKind.GROUP,
    Audience.TASTERS: FeedbackKind.TASTER,
}


class FeedbackError(DomainError):
    """The answer or the round was refused; the message says why, for the person."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _feedback_url(token: str) -> str:
    return settings.SITE_URL + reverse("reports:feedback", args=[token])


def _invite(round_: FeedbackRound, person: User) -> FeedbackInvitation | None:
    """Create the person's invitation to `round_` and email its link; nothing if they have one
    already. Returns the new invitation or None."""
    if FeedbackInvitation.objects.filter(round=round_, person=person).exists():
        return None
    kind = KIND_OF[round_.audience]
    # Only the hash is stored: the link in the email is the one way to answer.
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            invitation = FeedbackInvitation.objects.create(
                token_hash=hash_token(token),
                person=person,
                kind=kind,
                round=round_,
                cohort_id=round_.cohort_id,
                group_id=round_.group_id,
            )
    except IntegrityError:
        return None  # a scan running at the same moment invited them first
    scope_id = round_.cohort_id if round_.cohort_id else round_.group_id
    if round_.audience == Audience.MEMBERS:
        scope_id = f"round-{round_.pk}"
    enqueue_email(
        key=f"feedback:{kind}:{scope_id}:{person.pk}",
        to=person.email,
        template="feedback_invite",
        context={
            "person": person,
            "round": round_,
            "feedback_url": _feedback_url(token),
            **_scope(round_),
        },
        secrets=[token],
    )
    return invitation


def _scope(round_: FeedbackRound) -> dict:
    return {"cohort": round_.cohort, "group": round_.group, "audience": round_.audience}


def _block_round(cohort: Cohort, audience: str, today: date) -> FeedbackRound:
    """The cohort's round for `audience`, opened now with the programme's current questions if
    it has none yet (the caller holds the cohort's lock)."""
    round_ = FeedbackRound.objects.filter(cohort=cohort, audience=audience).first()
    if round_ is None:
        questionnaire = questionnaire_for(audience=audience, programme=cohort.programme)
        round_ = FeedbackRound.objects.create(
            version=current_version(questionnaire),
            audience=audience,
            cohort=cohort,
            opened_on=today,
            # Sent early ("send now"), it stays open until well after the block's end.
            closes_on=max(today, cohort.ends_on) + timedelta(days=ROUND_DAYS),
        )
    round_.cohort = cohort
    return round_


def block_facilitators(cohort: Cohort):
    """The leaders of the groups the cohort was placed in."""
    groups = CohortPlacement.objects.filter(cohort=cohort).values("group_id")
    leaders = Leadership.objects.filter(group_id__in=groups).values("person_id")
    return User.objects.filter(pk__in=leaders, is_active=True)


@transaction.atomic
def invite_cohort_feedback(
    *, cohort: Cohort, by: User | None = None, today: date | None = None
) -> int:
    """Send the block's feedback: its trainees' questionnaire to every trainee and the
    facilitators' questionnaire to its groups' leaders, each person once; returns how many were
    invited now. Used by "send feedback now" (`by` the admin) and by the scan at the block's end.
    FeedbackError once the block's round has closed."""
    today = today or timezone.localdate()
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    trainees_round = _block_round(cohort, Audience.TRAINEES, today)
    if trainees_round.closed_at is not None:
        raise FeedbackError("This block's feedback has closed; its results are published.")
    trainees = User.objects.filter(
        pk__in=Enrolment.objects.filter(cohort=cohort).values("person_id"), is_active=True
    )
    invited = sum(1 for person in trainees if _invite(trainees_round, person))
    facilitators_round = _block_round(cohort, Audience.FACILITATORS, today)
    if facilitators_round.closed_at is None:
        invited += sum(1 for p in block_facilitators(cohort) if _invite(facilitators_round, p))
    if by is not None:
        audit.record(
            actor=by,
            area=audit.Area.INVITATIONS,
            action="feedback.send",
            summary=f"Sent the feedback of {cohort.name} now ({invited} new invitations)",
            where=cohort.programme,
            target=cohort,
        )
    return invited


def invite_feedback_for_ended_blocks(*, today: date | None = None) -> int:
    """The periodic scan: send the feedback of every cohort whose block ended recently (unless
    it was sent and has closed). Running it twice invites nobody twice. Returns how many."""
    today = today or timezone.localdate()
    closed = FeedbackRound.objects.filter(
        audience=Audience.TRAINEES, closed_at__isnull=False
    ).values("cohort_id")
    cohorts = Cohort.objects.filter(
        ends_on__lt=today, ends_on__gte=today - timedelta(days=SCAN_DAYS)
    ).exclude(pk__in=closed)
    return sum(invite_cohort_feedback(cohort=cohort, today=today) for cohort in cohorts)


@transaction.atomic
def invite_feedback_after_taster(*, person: User, meeting: Meeting) -> FeedbackInvitation | None:
    """Invite someone who tasted `meeting` to give anonymous feedback about its group (once per
    person and group), in the group's open-ended tasters' round. Returns the new invitation, or
    None if they were invited before."""
    group = meeting.group
    round_ = FeedbackRound.objects.filter(group=group, audience=Audience.TASTERS).first()
    if round_ is None:
        lock_group(group)
        questionnaire = questionnaire_for(audience=Audience.TASTERS, group=group)
        round_, _ = FeedbackRound.objects.get_or_create(
            group=group,
            audience=Audience.TASTERS,
            defaults={"version": current_version(questionnaire), "opened_on": timezone.localdate()},
        )
    if FeedbackInvitation.objects.filter(
        person=person, group=group, kind=FeedbackKind.TASTER
    ).exists():
        return None
    return _invite(round_, person)


@transaction.atomic
def open_group_round(
    *, group: BalintGroup, closes_on: date, by: User, today: date | None = None
) -> tuple[FeedbackRound, int]:
    """A group's leaders ask its members for anonymous feedback, until `closes_on`. Returns the
    round and how many were invited; FeedbackError if a round is open already or the date is
    not ahead."""
    today = today or timezone.localdate()
    group = lock_group(group)
    if closes_on <= today or closes_on > today + timedelta(days=MAX_GROUP_ROUND_DAYS):
        raise FeedbackError(
            f"Choose a closing date after today and within {MAX_GROUP_ROUND_DAYS} days."
        )
    if FeedbackRound.objects.filter(
        group=group, audience=Audience.MEMBERS, closed_at__isnull=True
    ).exists():
        raise FeedbackError("A feedback round is already open for this group.")
    questionnaire = questionnaire_for(audience=Audience.MEMBERS, group=group)
    round_ = FeedbackRound.objects.create(
        version=current_version(questionnaire),
        audience=Audience.MEMBERS,
        group=group,
        opened_on=today,
        closes_on=closes_on,
    )
    members = User.objects.filter(
        pk__in=Membership.objects.filter(group=group, status=MembershipStatus.ACTIVE).values(
            "person_id"
        ),
        is_active=True,
    ).exclude(pk__in=Leadership.objects.filter(group=group).values("person_id"))
    invited = sum(1 for person in members if _invite(round_, person))
    audit.record_in_group(
        round_,
        by=by,
        area=audit.Area.INVITATIONS,
        action="feedback.group_round",
        summary=f"Asked {invited} members of {group.name} for anonymous feedback",
    )
    return round_, invited


# ----------------------------------------------------------------------------- answering


def open_invitation(token: str) -> FeedbackInvitation | None:
    """The invitation for a link (the first email's or the reminder's), with its round and
    scope, or None if the link is not valid."""
    digest = hash_token(token)
    invitation = (
        FeedbackInvitation.objects.select_related(
            "round__version", "cohort__programme", "group", "receipt"
        )
        .filter(Q(token_hash=digest) | Q(reminder_token_hash=digest))
        .first()
    )
    if invitation is not None and invitation.round is None:
        invitation.round = _adopt(invitation)
    return invitation


def _adopt(invitation: FeedbackInvitation) -> FeedbackRound:
    """Put an invitation sent before rounds existed into its scope's round."""
    if invitation.kind == FeedbackKind.TASTER:
        meeting = Meeting(group=invitation.group)
        invite_feedback_after_taster(person=invitation.person, meeting=meeting)
        round_ = FeedbackRound.objects.get(group=invitation.group, audience=Audience.TASTERS)
    else:
        with transaction.atomic():
            Cohort.objects.select_for_update().get(pk=invitation.cohort_id)
            round_ = _block_round(invitation.cohort, Audience.TRAINEES, timezone.localdate())
    FeedbackInvitation.objects.filter(pk=invitation.pk).update(round=round_)
    return FeedbackRound.objects.select_related("version").get(pk=round_.pk)


def has_answered(invitation: FeedbackInvitation) -> bool:
    return FeedbackReceipt.objects.filter(invitation=invitation).exists()


def _valid_answer(round_: FeedbackRound, answers: dict) -> dict:
    """Only the version's questions, each within its scale; FeedbackError otherwise."""
    answer = {}
    for question in round_.version.questions:
        value = answers.get(question["key"])
        if value in (None, ""):
            if question["required"]:
                raise FeedbackError("Please answer every question that is not optional.")
            continue
        if question["kind"] == QuestionKind.TEXT:
            answer[question["key"]] = str(value)[:2000]
        elif isinstance(value, int) and 1 <= value <= 5:
            answer[question["key"]] = value
        else:
            raise FeedbackError("Please choose one of the answers offered.")
    return answer


def _lock_round(round_id: int) -> FeedbackRound:
    """Lock and re-read a round with its questions. Two answers to one round at the same moment
    would both read the pool and both write it back, the second losing the first's answer: the
    lock makes the second wait and read the pool with the first answer in it."""
    return (
        FeedbackRound.objects.select_for_update(of=("self",))
        .select_related("version")
        .get(pk=round_id)
    )


@transaction.atomic
def submit_feedback(*, token: str, answers: dict) -> None:
    """Put one anonymous answer into its round's pending pool, at a random place, and write the
    receipt that the invitation was used. FeedbackError if the link is not valid, was used
    already, or the round has closed."""
    digest = hash_token(token)
    # The invitation's lock makes a double click wait and then find the receipt.
    invitation = (
        FeedbackInvitation.objects.select_for_update()
        .filter(Q(token_hash=digest) | Q(reminder_token_hash=digest))
        .first()
    )
    if invitation is None:
        raise FeedbackError("This feedback link is not valid.")
    if has_answered(invitation):
        raise FeedbackError("You have already answered this questionnaire. Thank you!")
    if invitation.round_id is None:
        invitation.round = _adopt(invitation)
    round_ = _lock_round(invitation.round_id)
    if round_.closed_at is not None:
        raise FeedbackError("This questionnaire has closed; thank you all the same.")
    answer = _valid_answer(round_, answers)
    round_.pending.insert(_shuffle.randint(0, len(round_.pending)), answer)
    round_.save(update_fields=["pending"])
    FeedbackReceipt.objects.create(invitation=invitation)


# ----------------------------------------------------------------------------- publication


@transaction.atomic
def publish_round(*, round_id: int, final: bool = False) -> ResultBatch | None:
    """Fold the round's pending pool into one published batch and empty the pool: counts per
    question and value, and the written answers shuffled. Unless `final` (the round closes),
    nothing is published before the pool holds MIN_RESPONSES_SHOWN answers. Returns the batch."""
    round_ = FeedbackRound.objects.select_for_update().get(pk=round_id)
    pool = round_.pending
    if not pool or (not final and len(pool) < MIN_RESPONSES_SHOWN):
        return None
    batch = ResultBatch.objects.create(round=round_, published_at=timezone.now(), answers=len(pool))
    counted = Counter(
        (key, value) for answer in pool for key, value in answer.items() if isinstance(value, int)
    )
    ResultCount.objects.bulk_create(
        ResultCount(batch=batch, key=key, value=value, count=count)
        for (key, value), count in sorted(counted.items())
    )
    texts = [(k, v) for answer in pool for k, v in answer.items() if isinstance(v, str)]
    _shuffle.shuffle(texts)
    PublishedText.objects.bulk_create(PublishedText(batch=batch, key=k, text=v) for k, v in texts)
    round_.pending = []
    round_.save(update_fields=["pending"])
    return batch


@transaction.atomic
def close_round(*, round_id: int) -> ResultBatch | None:
    """Close a round: no more answers; what is left in its pool is published."""
    round_ = FeedbackRound.objects.select_for_update().get(pk=round_id)
    if round_.closed_at is not None:
        return None
    batch = publish_round(round_id=round_id, final=True)
    FeedbackRound.objects.filter(pk=round_id).update(closed_at=timezone.now())
    return batch


def publish_due(*, today: date | None = None) -> int:
    """The daily publication (Celery beat): close the rounds whose closing day has passed (each
    published whole, in one batch), and publish the pools of open-ended rounds (tasters') that
    hold enough answers. Returns how many batches were made.

    A round with a closing day is published only when it closes: were it published at five
    answers and then again at close, a sixth answer alone would move its page."""
    today = today or timezone.localdate()
    batches = 0
    open_rounds = FeedbackRound.objects.filter(closed_at__isnull=True)
    for round_id in open_rounds.filter(closes_on__lt=today).values_list("pk", flat=True):
        batches += close_round(round_id=round_id) is not None
    open_ended = open_rounds.filter(closes_on__isnull=True).exclude(pending=[])
    for round_id in open_ended.values_list("pk", flat=True):
        batches += publish_round(round_id=round_id) is not None
    return batches


@transaction.atomic
def close_round_now(*, round_: FeedbackRound, by: User) -> ResultBatch | None:
    """An admin or leader closes a round before its closing day, publishing its answers.
    FeedbackError if it has closed already."""
    if FeedbackRound.objects.filter(pk=round_.pk, closed_at__isnull=False).exists():
        raise FeedbackError("This round has closed already.")
    batch = close_round(round_id=round_.pk)
    audit.record(
        actor=by,
        area=audit.Area.INVITATIONS,
        action="feedback.close",
        summary=f"Closed {round_} and published its answers",
        where=round_.cohort.programme if round_.cohort_id else round_.group,
        target=round_,
    )
    return batch


# ----------------------------------------------------------------------------- reminders


@transaction.atomic
def send_reminders(*, round_: FeedbackRound, by: User) -> int:
    """Remind everyone invited to `round_` who has not answered, once each (the outbox key is
    per invitation); the reminder carries a link of its own. Returns how many were reminded;
    who they are is not shown to the one who asked. FeedbackError if the round has closed."""
    round_ = (
        FeedbackRound.objects.select_for_update(of=("self",))
        .select_related("cohort__programme", "group")
        .get(pk=round_.pk)
    )
    if round_.closed_at is not None:
        raise FeedbackError("This round has closed; there is nobody left to remind.")
    waiting = round_.invitations.filter(
        receipt__isnull=True, reminder_token_hash__isnull=True, person__is_active=True
    ).select_related("person")
    reminded = 0
    for invitation in waiting:
        token = secrets.token_urlsafe(32)
        invitation.reminder_token_hash = hash_token(token)
        invitation.save(update_fields=["reminder_token_hash"])
        reminded += bool(
            enqueue_email(
                key=f"feedback:reminder:{invitation.pk}",
                to=invitation.person.email,
                template="feedback_reminder",
                context={
                    "person": invitation.person,
                    "round": round_,
                    "feedback_url": _feedback_url(token),
                    **_scope(round_),
                },
                secrets=[token],
            )
        )
    audit.record(
        actor=by,
        area=audit.Area.INVITATIONS,
        action="feedback.remind",
        summary=f"Sent {reminded} feedback reminders for {round_}",
        where=round_.cohort.programme if round_.cohort_id else round_.group,
        target=round_,
    )
    return reminded


# ----------------------------------------------------------------------------- response rates


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
