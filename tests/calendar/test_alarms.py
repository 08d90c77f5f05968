"""The person's reminder choice travels with invitations as display alarms, and reminder emails
carry the meeting as a REQUEST at the SEQUENCE last sent to that person."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone

from balint.outbox.models import Message
from sessions.calendar import notify
from sessions.calendar.ical import CANCEL, REQUEST, invitation, meeting_uid
from sessions.calendar.reminders import queue_due_reminders
from sessions.meetings.services import move_meeting
from sessions.tasters.services import book_taster_seat, cancel_taster_booking
from tests.calendar.conftest import calendar_of, meeting_on, parse, rows
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def alarms(text: str) -> list[tuple[str, str, str]]:
    """(ACTION, TRIGGER as written, DESCRIPTION) of the one event's alarms."""
    [event] = parse(text).events
    unfolded = text.replace("\r\n ", "").replace("\r\n", "\n")
    written = re.findall(r"^TRIGGER:(.*)$", unfolded, flags=re.MULTILINE)
    parsed = [alarm["TRIGGER"].dt for alarm in event.walk("VALARM")]
    assert parsed == [-timedelta(hours=int(value[3:-1])) for value in written]
    return [
        (str(alarm["ACTION"]), trigger.strip(), str(alarm["DESCRIPTION"]))
        for alarm, trigger in zip(event.walk("VALARM"), written, strict=True)
    ]


@pytest.mark.parametrize(
    ("choice", "triggers"),
    [("24h", ["-PT24H"]), ("2h", ["-PT2H"]), ("both", ["-PT24H", "-PT2H"]), ("none", [])],
)
def test_an_invitation_carries_the_persons_reminder_choice_as_alarms(
    soon, member, choice, triggers
):
    member.reminders = choice
    member.save(update_fields=["reminders"])

    notify.meeting_added(meeting=soon)

    message = Message.objects.get(key__startswith="invite:", to=[member.email])
    found = alarms(message.ical)
    assert [trigger for _, trigger, _ in found] == triggers
    for action, _, description in found:
        assert action == "DISPLAY"
        assert soon.group.name in description


def test_a_cancellation_carries_no_alarm(soon, member):
    member.reminders = "both"

    assert alarms(invitation([soon], method=CANCEL, person=member, private=False)) == []
    assert len(alarms(invitation([soon], method=REQUEST, person=member, private=True))) == 2


def reminder_for(person) -> Message:
    [message] = [m for m in rows("reminder:") if m.to == [person.email]]
    return message


def test_a_reminder_carries_the_meeting_at_the_sequence_last_sent(hybrid_group, leader, member):
    starts_at = (timezone.now() + timedelta(hours=20)).replace(microsecond=0)
    meeting = MeetingFactory(group=hybrid_group, starts_at=starts_at)
    day = timezone.localdate(starts_at)
    moved = move_meeting(
        meeting=meeting,
        by=leader,
        day=day,
        start=timezone.localtime(starts_at).time(),
        duration_minutes=60,
    )
    [update] = [m for m in rows("update:") if m.to == [member.email]]

    assert queue_due_reminders() == 2

    reminder = reminder_for(member)
    assert reminder.ical_method == "REQUEST"
    calendar = calendar_of(reminder)
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.events
    [last] = calendar_of(update).events
    assert str(event["UID"]) == str(last["UID"]) == meeting_uid(moved)
    assert event["SEQUENCE"] == last["SEQUENCE"] == moved.revision
    assert event.start == last.start == moved.starts_at
    assert event["LOCATION"] == last["LOCATION"]


def test_a_tasters_reminder_carries_their_own_sequence(hybrid_group, stranger):
    meeting = meeting_on(hybrid_group, timezone.localdate() + timedelta(days=3), time(19, 30))
    first = book_taster_seat(meeting=meeting, person=stranger)
    cancel_taster_booking(booking=first, person=stranger)
    book_taster_seat(meeting=meeting, person=stranger)
    last_invite = Message.objects.filter(key__startswith="taster-invite:").latest("pk")

    queue_due_reminders(now=meeting.starts_at - timedelta(hours=20))

    [event] = calendar_of(reminder_for(stranger)).events
    # booked (1), cancelled (2), booked again (3): the reminder repeats the last
    assert event["SEQUENCE"] == calendar_of(last_invite).events[0]["SEQUENCE"] == 3
