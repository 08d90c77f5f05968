"""Answers to invitations from calendar apps: Decline sends apologies, Accept withdraws them,
Maybe is shown to the leaders.

An answer counts only if it is an iTIP REPLY (RFC 5546 §3.2.3) to the address the invitation
named (reply_address.py: signed per meeting and person), about that meeting's UID, from the
person it was sent to, both as the email's sender and as the ATTENDEE. Anything else, and any
answer about a meeting that is cancelled or has started, changes nothing and is logged. The
reply's DTSTAMP orders one person's answers (meetings.CalendarReply): a reply read twice, or an
older one read after a newer, is applied once.
"""

import email.message
import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from balint.outbox.services import OutgoingEmail, enqueue_emails_bulk
from members.models import User
from sessions.attendance.services import send_apologies, withdraw_apologies
from sessions.calendar.emails import links, meeting_context, zone_named
from sessions.calendar.ical import meeting_uid
from sessions.calendar.reply_address import read_reply_address
from sessions.calendar.reply_parsing import Reply, read_replies
from sessions.meetings.models import Apology, CalendarAnswer, CalendarReply, Meeting
from sessions.meetings.services import MeetingError, lock_meeting

logger = logging.getLogger(__name__)

ANSWERS = {
    "ACCEPTED": CalendarAnswer.ACCEPTED,
    "TENTATIVE": CalendarAnswer.TENTATIVE,
    "DECLINED": CalendarAnswer.DECLINED,
}


@dataclass(frozen=True)
class Outcome:
    """What one answer did: `applied` is the answer stored, else `reason` says why nothing
    changed (a repeat, a mismatch, a meeting past or cancelled, a counter-proposal)."""

    applied: str = ""
    reason: str = ""
    meeting_id: int | None = None
    person_id: int | None = None


def apply_message(message: email.message.Message, *, now: datetime | None = None) -> list[Outcome]:
    """Apply every answer `message` carries, each in its own transaction, and log what each did.
    Raises UnreadableReply (reply_parsing.py) if the message carries none we can read."""
    outcomes = []
    for reply in read_replies(message):
        outcome = apply_reply(reply, now=now)
        level = logging.INFO if outcome.applied or outcome.reason == "repeat" else logging.WARNING
        logger.log(
            level,
            "Calendar reply %s for meeting %s, person %s: %s",
            reply.message_id or "(no Message-ID)",
            outcome.meeting_id,
            outcome.person_id,
            outcome.applied or f"nothing changed ({outcome.reason})",
        )
        outcomes.append(outcome)
    return outcomes


def apply_reply(reply: Reply, *, now: datetime | None = None) -> Outcome:
    """Apply one answer if it is a genuine reply to a meeting still to come; see the module's
    docstring. Never raises for anything the reply says."""
    if reply.method != "REPLY":
        return Outcome(reason=f"METHOD:{reply.method or 'missing'} is not a reply")
    ids = read_reply_address(reply.organizer) if reply.organizer else None
    if ids is None:
        return Outcome(reason="ORGANIZER is not a signed reply address")
    meeting_id, person_id = ids
    refused = Outcome(meeting_id=meeting_id, person_id=person_id)
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if meeting is None or person is None:
        return _refused(refused, "the meeting or the person no longer exists")
    if reply.uid != meeting_uid(meeting):
        return _refused(refused, "the UID is not the signed meeting's")
    mismatch = _mismatch(reply, person)
    if mismatch:
        return _refused(refused, mismatch)
    answer = ANSWERS.get(dict(reply.attendees)[reply.sender])
    if answer is None:
        return _refused(refused, "PARTSTAT is not an answer")
    try:
        return _apply(meeting, person, answer=answer, stamped_at=reply.stamped_at, now=now)
    except MeetingError as error:
        return _refused(refused, error.message)


def _refused(outcome: Outcome, reason: str) -> Outcome:
    return Outcome(reason=reason, meeting_id=outcome.meeting_id, person_id=outcome.person_id)


def _mismatch(reply: Reply, person: User) -> str:
    address = person.email.strip().lower()
    if reply.sender != address:
        return "the sender is not the person invited"
    if [found for found, _ in reply.attendees] != [address]:
        # A REPLY names exactly the one attendee who answers (RFC 5546 §3.2.3).
        return "the ATTENDEE is not the person invited"
    return ""


@transaction.atomic
def _apply(
    meeting: Meeting, person: User, *, answer: str, stamped_at: datetime, now: datetime | None
) -> Outcome:
    """Store the answer and act on it. Raises MeetingError if the meeting is cancelled, has
    started, or the person is not one of its members or leaders (nothing is stored then)."""
    # The meeting's lock orders two workers reading the same answer: the second sees it stored.
    meeting = lock_meeting(meeting)
    now = now or timezone.now()
    if meeting.is_cancelled:
        raise MeetingError("the meeting is cancelled")
    if meeting.starts_at <= now:
        raise MeetingError("the meeting has started")
    stored = CalendarReply.objects.filter(meeting=meeting, person=person).first()
    if stored is not None and stored.stamped_at >= stamped_at:
        reason = "repeat" if stored.stamped_at == stamped_at else "older than an answer applied"
        return Outcome(reason=reason, meeting_id=meeting.pk, person_id=person.pk)
    if answer == CalendarAnswer.DECLINED:
        if not Apology.objects.filter(meeting=meeting, person=person).exists():
            send_apologies(meeting=meeting, person=person, now=now, from_calendar=True)
            _confirm_apologies(meeting, person, stamped_at=stamped_at)
    elif answer == CalendarAnswer.ACCEPTED:
        withdraw_apologies(meeting=meeting, person=person, now=now)
    elif Apology.objects.filter(meeting=meeting, person=person, from_calendar=True).exists():
        # Maybe after Decline: the calendar's apologies no longer stand (the site's still do).
        withdraw_apologies(meeting=meeting, person=person, now=now)
    CalendarReply.objects.update_or_create(
        meeting=meeting, person=person, defaults={"answer": answer, "stamped_at": stamped_at}
    )
    return Outcome(applied=answer, meeting_id=meeting.pk, person_id=person.pk)


def _confirm_apologies(meeting: Meeting, person: User, *, stamped_at: datetime) -> None:
    """Tell the person their Decline reached the leaders as apologies, as the site's page does."""
    shown = meeting_context(meeting, person=person, private=False)
    email = OutgoingEmail(
        key=f"calendar-apologies:{meeting.pk}:{person.pk}:{int(stamped_at.timestamp())}",
        to=person.email,
        template="calendar_apologies",
        context={**links(), "person": person, "group": meeting.group, "first": shown},
        time_zone=zone_named(person.time_zone).key,
    )
    enqueue_emails_bulk([email])
