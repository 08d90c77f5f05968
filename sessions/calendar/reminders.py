"""Meeting reminders: a scan (Celery beat, every five minutes) inserts an outbox row for every
reminder now due, under a unique key, so running it twice, or two at once, queues nothing new.

No far-future ETA tasks: a reminder exists only once it is due, as a row the outbox sends.
A reminder is due `hours` before the meeting for each choice a person made (24 h, 2 h, both).
When several are due at once (a meeting added two hours before it starts), only the nearest is
sent. People who sent apologies get none. The scan's queries do not grow with the number of
meetings or people: about a dozen for 10,000 reminders.

Each reminder carries the meeting as a REQUEST with the UID and the SEQUENCE last sent to that
person (the meeting's revision plus their own bumps, sequences.py), so a calendar that has the
event sees the same version again and keeps it and the person's answer (RFC 5546 §2.1.4: only a
higher SEQUENCE is a new version, which asks again), and one that lost it gets it back. Every
change that matters to a calendar raises that SEQUENCE and sends an update at once, so the
reminder says nothing the last message did not. A PUBLISH of the same UID would reach Outlook
as a second copy that cannot be answered; leaving the part out would make the reminder the one
calendar email without "add to calendar".
"""

from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import batched

from django.db import transaction
from django.utils import timezone

from balint.outbox.services import BULK_BATCH_SIZE, OutgoingEmail, enqueue_emails_bulk
from sessions.calendar.emails import asks_for_answers, links, meeting_context, zone_named
from sessions.calendar.ical import REQUEST, invitation
from sessions.calendar.people import Attendee, people_by_meeting
from sessions.calendar.sequences import bumps_of
from sessions.meetings.models import Apology, Meeting, MeetingStatus

LONGEST_REMINDER = timedelta(hours=24)


def reminder_key(meeting: Meeting, person, hours: int) -> str:
    """E.g. `reminder:12:34:24h`; a meeting that has changed since it was planned adds its
    revision (`…:24h:r2`), so a moved meeting is reminded of at its new time."""
    key = f"reminder:{meeting.pk}:{person.pk}:{hours}h"
    return f"{key}:r{meeting.revision}" if meeting.revision else key


def due_window(wanted: list[int], time_left: timedelta) -> int | None:
    """The reminder due now for someone who wants `wanted` hours' notice: the nearest window the
    meeting is already inside, or None."""
    inside = [hours for hours in wanted if time_left <= timedelta(hours=hours)]
    return min(inside) if inside else None


def queue_due_reminders(*, now: datetime | None = None) -> int:
    """Insert every reminder due now that was not queued before; returns how many."""
    now = now or timezone.now()
    meetings = list(
        Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + LONGEST_REMINDER,
        ).select_related("group")
    )
    if not meetings:
        return 0
    queued = 0
    # One transaction per batch: the first reminders go out while later ones are still being
    # written, and a scan that dies half-way leaves the rest for the next run to insert.
    for batch in batched(_due(meetings, now=now), BULK_BATCH_SIZE):
        with transaction.atomic():
            queued += len(enqueue_emails_bulk(batch))
    return queued


def _due(meetings: list[Meeting], *, now: datetime) -> Iterator[OutgoingEmail]:
    expected = people_by_meeting(meetings)
    apologised = set(
        Apology.objects.filter(meeting__in=meetings).values_list("meeting_id", "person_id")
    )
    shared = links()
    bumps = bumps_of(meetings)
    for meeting in meetings:
        # What a meeting looks like depends only on the reader's zone: worked out once per zone,
        # not once per person (10,000 reminders share a few dozen).
        seen_in: dict[str, dict] = {}
        for attendee in expected[meeting.pk]:
            person = attendee.person
            if (meeting.pk, person.pk) in apologised:
                continue
            hours = due_window(person.reminder_hours, meeting.starts_at - now)
            if hours is None:
                continue
            if person.time_zone not in seen_in:
                seen_in[person.time_zone] = meeting_context(meeting, person=person, private=True)
            sequence = meeting.revision + bumps.get((meeting.pk, person.pk), 0)
            shown = {**shared, **seen_in[person.time_zone]}
            yield _reminder(meeting, attendee, hours, shown, sequence=sequence)


def _reminder(
    meeting: Meeting, attendee: Attendee, hours: int, shown: dict, *, sequence: int
) -> OutgoingEmail:
    person = attendee.person
    return OutgoingEmail(
        key=reminder_key(meeting, person, hours),
        to=person.email,
        template="reminder_meeting",
        context={
            **shown,
            "person": person,
            "group": meeting.group,
            "hours": hours,
            "role": attendee.role,
        },
        ical=invitation(
            [meeting],
            method=REQUEST,
            person=person,
            private=True,
            sequences={meeting.pk: sequence},
            answers=asks_for_answers(attendee.role),
        ),
        ical_method=REQUEST,
        time_zone=zone_named(person.time_zone).key,
    )
