"""Calendar emails for changes people must hear about. Each function is called inside the
transaction of the change (so a rolled-back change sends nothing) and writes outbox rows whose
unique keys make a repeated call queue nothing new. Each returns how many emails it queued.

Every email carries one meeting (one UID): some calendar apps import only the first event of
a message. A change to several meetings at once (a new schedule, joining a group) is one email
per person and meeting, written in one bulk insert.

Keys name the event, the meeting, the person and the revision (`cancel:<meeting>:<person>:r3`),
so a later change to the same meeting is a new message, and a taster booking cancelled because
its meeting was cancelled gets the same key as the meeting's cancellation: one CANCEL, whichever
path runs first. A person's own change (joining, leaving) adds the meeting to its key
(`calendar-join:<membership>:<meeting>`).
"""

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime

from django.urls import NoReverseMatch
from django.utils import timezone

from balint.outbox.models import Message
from balint.outbox.services import OutgoingEmail, enqueue_emails_bulk
from groups.access import roles_in_group
from sessions.calendar.emails import agreement_link, calendar_email
from sessions.calendar.ical import CANCEL, REQUEST, absolute_url
from sessions.calendar.people import in_block, people_by_meeting, upcoming_meetings_of_group
from sessions.calendar.sequences import bumps_of, current_sequences, raise_sequences
from sessions.meetings.models import Meeting, MeetingChange

INVITE, UPDATE, CANCELLATION = "calendar_invite", "calendar_update", "calendar_cancel"


def _key(prefix: str, meeting: Meeting, person) -> str:
    return f"{prefix}:{meeting.pk}:{person.pk}:r{meeting.revision}"


def _to_everyone(
    meetings: Sequence[Meeting], *, prefix: str, method: str, template: str, **context
) -> int:
    """One email per meeting still to come and person expected at it. (Meetings made for the
    past, as demo data are, go in no calendar by email.)"""
    now = timezone.now()
    meetings = sorted(
        (meeting for meeting in meetings if meeting.starts_at > now),
        key=lambda meeting: (meeting.starts_at, meeting.pk),
    )
    if not meetings:
        return 0
    expected = people_by_meeting(meetings)
    bumps = bumps_of(meetings)
    # How many of these emails each person gets, so that each can say it is one of several.
    batch = Counter(a.person.pk for meeting in meetings for a in expected[meeting.pk])
    emails: list[OutgoingEmail] = [
        calendar_email(
            key=_key(prefix, meeting, attendee.person),
            person=attendee.person,
            meetings=[meeting],
            method=method,
            template=template,
            private=True,
            role=attendee.role,
            batch=batch[attendee.person.pk],
            sequences={
                meeting.pk: meeting.revision + bumps.get((meeting.pk, attendee.person.pk), 0)
            },
            **context,
        )
        for meeting in meetings
        for attendee in expected[meeting.pk]
    ]
    return len(enqueue_emails_bulk(emails))


def meeting_added(*, meeting: Meeting) -> int:
    """Invite the group's leaders and members to a new meeting (REQUEST)."""
    return _to_everyone([meeting], prefix="invite", method=REQUEST, template=INVITE, event="added")


def meeting_moved(*, meeting: Meeting, change: MeetingChange | None = None) -> int:
    """Update everyone's calendar with the meeting's new time, place or link (REQUEST with a
    higher SEQUENCE, RFC 5546 §3.2.2.1)."""
    old = None
    if change is not None and change.old_starts_at and change.old_starts_at != meeting.starts_at:
        old = (change.old_starts_at, change.old_ends_at)
    return _to_everyone(
        [meeting], prefix="update", method=REQUEST, template=UPDATE, event="moved", old=old
    )


def meeting_cancelled(*, meeting: Meeting) -> int:
    """Cancel the meeting in everyone's calendar (CANCEL, STATUS:CANCELLED, RFC 5546 §3.2.5).
    Call it before the meeting's taster bookings are cancelled, so its tasters hear too."""
    return _to_everyone(
        [meeting], prefix="cancel", method=CANCEL, template=CANCELLATION, event="cancelled"
    )


def meeting_reinstated(*, meeting: Meeting) -> int:
    """Put a cancelled meeting back in everyone's calendar (REQUEST, the same UID at a higher
    SEQUENCE than the CANCEL: RFC 5546 §2.1.4), tasters whose seats came back included."""
    return _to_everyone(
        [meeting], prefix="reinstate", method=REQUEST, template=UPDATE, event="reinstated"
    )


def schedule_changed(
    *,
    added: Sequence[Meeting] = (),
    updated: Sequence[Meeting] = (),
    cancelled: Sequence[Meeting] = (),
) -> int:
    """The calendar emails for one run of the group's schedule: an invitation, update (moved or
    restored) or cancellation per meeting and person."""
    sent = 0
    if added:
        sent += _to_everyone(
            added, prefix="invite", method=REQUEST, template=INVITE, event="scheduled"
        )
    if updated:
        sent += _to_everyone(
            updated, prefix="update", method=REQUEST, template=UPDATE, event="rescheduled"
        )
    if cancelled:
        sent += _to_everyone(
            cancelled, prefix="cancel", method=CANCEL, template=CANCELLATION, event="unscheduled"
        )
    return sent


def place_changed(*, meetings: Sequence[Meeting]) -> int:
    """Update everyone's calendar with the group's new usual room or link: one email per person
    and meeting concerned (REQUEST)."""
    return _to_everyone(meetings, prefix="update", method=REQUEST, template=UPDATE, event="place")


def joined(
    *,
    group_id: int,
    person,
    key: str,
    role: str,
    now: datetime | None = None,
    block: tuple[date | None, date | None] = (None, None),
) -> int:
    """One email for each of the group's upcoming meetings (for a cohort's `block` membership,
    those of its days), putting it in the calendar of someone who has just become a member or
    leader (REQUEST). Nothing if none are planned."""
    return _to_one_person(
        person,
        key=key,
        group_id=group_id,
        now=now,
        block=block,
        method=REQUEST,
        template=INVITE,
        private=True,
        event="joined",
        role=role,
        agreement_url=agreement_link(group_id),
    )


def left(
    *,
    group_id: int,
    person,
    key: str,
    now: datetime | None = None,
    block: tuple[date | None, date | None] = (None, None),
) -> int:
    """Take the group's upcoming meetings out of the calendar of someone who is no longer a
    member or leader (CANCEL), one email per meeting. They may no longer see the room or link,
    so it carries neither."""
    if roles_in_group(person, group_id).is_expected_at_meetings:
        return 0  # e.g. a member appointed leader: still expected at every meeting
    return _to_one_person(
        person,
        key=key,
        group_id=group_id,
        now=now,
        block=block,
        method=CANCEL,
        template=CANCELLATION,
        private=False,
        event="left",
    )


def _to_one_person(
    person,
    *,
    key: str,
    group_id: int,
    now: datetime | None,
    block: tuple[date | None, date | None] = (None, None),
    **email,
) -> int:
    """One email per upcoming meeting of the group (within `block`, if bounded), to one person,
    each at that person's raised SEQUENCE; meetings already sent under `key` are skipped."""
    upcoming = upcoming_meetings_of_group(group_id, now=now or timezone.now())
    if block != (None, None):
        upcoming = [meeting for meeting in upcoming if in_block(meeting, *block)]
    meetings = _not_yet_sent(key, upcoming)
    sequences = raise_sequences(meetings, person) if meetings else {}
    emails = [
        calendar_email(
            key=f"{key}:{meeting.pk}",
            person=person,
            meetings=[meeting],
            batch=len(meetings),
            sequences=sequences,
            **email,
        )
        for meeting in meetings
    ]
    return len(enqueue_emails_bulk(emails))


def taster_booked(booking) -> int:
    """Invite a taster to the meeting they booked (REQUEST, with the room and link). `booking`
    has `.pk`, `.meeting` and `.person`."""
    meeting = booking.meeting
    key = f"taster-invite:{booking.pk}"
    if meeting.is_cancelled or meeting.starts_at <= timezone.now() or _queued(key):
        return 0
    email = calendar_email(
        key=key,
        person=booking.person,
        meetings=[meeting],
        method=REQUEST,
        template=INVITE,
        private=True,
        event="booked",
        booking_url=_booking_url(booking),
        agreement_url=agreement_link(meeting.group_id),
        sequences=raise_sequences([meeting], booking.person),
    )
    return len(enqueue_emails_bulk([email]))


def _not_yet_sent(key: str, meetings: list[Meeting]) -> list[Meeting]:
    """The meetings whose `<key>:<meeting>` email was not queued before (one query)."""
    keys = {f"{key}:{meeting.pk}": meeting for meeting in meetings}
    sent = set(Message.objects.filter(key__in=keys).values_list("key", flat=True))
    return [meeting for k, meeting in keys.items() if k not in sent]


def _queued(key: str) -> bool:
    """Whether a message only one person gets was queued before: a repeated call must not raise
    their SEQUENCE again for nothing (harmless, but the numbers should mean messages sent)."""
    return Message.objects.filter(key=key).exists()


def _booking_url(booking) -> str:
    """The taster's booking page (where they can cancel), if the tasters app has one."""
    try:
        return absolute_url("tasters:booking", pk=booking.pk)
    except NoReverseMatch:
        return ""


def taster_booking_cancelled(booking) -> int:
    """Take a cancelled taster booking's meeting out of the taster's calendar (CANCEL).
    `booking` has `.pk`, `.meeting` and `.person`."""
    meeting, person = booking.meeting, booking.person
    if meeting.is_cancelled:
        # The same key and SEQUENCE as meeting_cancelled's (its revision raised them for
        # everyone): one CANCEL whichever runs first.
        key, event = _key("cancel", meeting, person), "cancelled"
        sequences = current_sequences([meeting], person)
    else:
        key, event = f"taster-cancel:{booking.pk}", "booking_cancelled"
        if _queued(key):
            return 0
        sequences = raise_sequences([meeting], person)
    email = calendar_email(
        key=key,
        person=person,
        meetings=[meeting],
        method=CANCEL,
        template=CANCELLATION,
        private=meeting.is_cancelled,
        event=event,
        sequences=sequences,
    )
    return len(enqueue_emails_bulk([email]))
