"""Every kind of calendar file we send reads the same in a parser other than the library that
writes it: vobject, which also turns our VTIMEZONE blocks into its own time zones, so the start
it reads is the instant we meant only if the yearly rules are right."""

import zoneinfo
from datetime import UTC, datetime, time, timedelta

import pytest
import vobject
from django.urls import reverse
from django.utils import timezone

from balint.outbox.models import Message
from sessions.calendar import notify
from sessions.calendar.ical import REQUEST, invitation, meeting_uid
from sessions.calendar.reminders import queue_due_reminders
from sessions.calendar.tokens import issue_calendar_token
from sessions.meetings.services import cancel_meeting, move_meeting
from sessions.tasters.services import book_taster_seat, cancel_taster_booking
from tests.calendar.conftest import LONDON, meeting_on, next_clock_change
from tests.factories import BalintGroupFactory

pytestmark = pytest.mark.django_db


def read(text: str):
    calendar = vobject.readOne(text, validate=True)
    assert calendar.name == "VCALENDAR"
    return calendar


def only_event(calendar):
    [event] = calendar.vevent_list
    return event


def check_event(event, meeting, *, sequence: int) -> None:
    assert event.uid.value == meeting_uid(meeting)
    assert int(event.sequence.value) == sequence
    start = event.dtstart.value
    # the zone vobject built (with dateutil) from our VTIMEZONE, not one it looked up by name
    assert event.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == ["Europe/London"]
    assert type(start.tzinfo).__name__ == "_tzicalvtz"
    # vobject's own zone, built from our VTIMEZONE, gives the same instant and wall clock
    assert start == meeting.starts_at
    assert start.utcoffset() == meeting.starts_at.astimezone(LONDON).utcoffset()
    assert start.replace(tzinfo=None) == meeting.starts_at.astimezone(LONDON).replace(tzinfo=None)


def latest(prefix: str, to) -> Message:
    return Message.objects.filter(key__startswith=prefix, to=[to.email]).latest("pk")


def test_invite_update_and_cancel_read_the_same_in_vobject(hybrid_group, leader, member):
    # The meeting moves across a clock change, so both of the zone's rules are exercised.
    change = next_clock_change()
    meeting = meeting_on(hybrid_group, change - timedelta(days=3))
    notify.meeting_added(meeting=meeting)
    moved = move_meeting(
        meeting=meeting,
        by=leader,
        day=change + timedelta(days=4),
        start=time(18),
        duration_minutes=90,
    )
    cancelled = cancel_meeting(meeting=moved, by=leader, reason="Snow.")

    invite = read(latest("invite:", member).ical)
    assert invite.method.value == "REQUEST"
    check_event(only_event(invite), meeting, sequence=0)
    update = read(latest("update:", member).ical)
    assert update.method.value == "REQUEST"
    check_event(only_event(update), moved, sequence=1)
    cancel = read(latest("cancel:", member).ical)
    assert cancel.method.value == "CANCEL"
    check_event(only_event(cancel), cancelled, sequence=2)
    assert only_event(cancel).status.value == "CANCELLED"
    offsets = {
        only_event(calendar).dtstart.value.utcoffset() for calendar in (invite, update, cancel)
    }
    assert len(offsets) == 2  # one each side of the change


def test_a_tasters_booking_and_cancellation_read_the_same_in_vobject(soon, stranger):
    booking = book_taster_seat(meeting=soon, person=stranger)
    cancel_taster_booking(booking=booking, person=stranger)

    invite = read(latest("taster-invite:", stranger).ical)
    assert invite.method.value == "REQUEST"
    check_event(only_event(invite), soon, sequence=1)
    cancel = read(latest("taster-cancel:", stranger).ical)
    assert cancel.method.value == "CANCEL"
    check_event(only_event(cancel), soon, sequence=2)


def test_a_reminder_reads_the_same_in_vobject_with_its_alarms(hybrid_group, member):
    member.reminders = "both"
    member.save(update_fields=["reminders"])
    meeting = meeting_on(hybrid_group, timezone.localdate() + timedelta(days=2))

    queue_due_reminders(now=meeting.starts_at - timedelta(hours=20))

    calendar = read(latest("reminder:", member).ical)
    assert calendar.method.value == "REQUEST"
    event = only_event(calendar)
    check_event(event, meeting, sequence=0)
    triggers = sorted(alarm.trigger.value for alarm in event.valarm_list)
    assert triggers == [timedelta(hours=-24), timedelta(hours=-2)]
    assert {alarm.action.value for alarm in event.valarm_list} == {"DISPLAY"}


def test_the_feed_reads_the_same_in_vobject(client, hybrid_group, member):
    summer = datetime(timezone.now().year + 1, 7, 14).date()
    winter = datetime(timezone.now().year + 1, 1, 12).date()
    meetings = [meeting_on(hybrid_group, day) for day in (winter, summer)]
    token = issue_calendar_token(person=member)

    response = client.get(reverse("calendar:feed", kwargs={"token": token}))

    calendar = read(response.content.decode())
    assert calendar.method.value == "PUBLISH"
    assert calendar.contents["refresh-interval"][0].value == "PT1H"
    assert calendar.contents["x-published-ttl"][0].value == "PT1H"
    by_uid = {event.uid.value: event for event in calendar.vevent_list}
    for meeting in meetings:
        check_event(by_uid[meeting_uid(meeting)], meeting, sequence=0)
    [block] = calendar.vtimezone_list
    assert {child.name for child in block.getChildren()} >= {"STANDARD", "DAYLIGHT"}


@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Sydney", "Asia/Kolkata"])
def test_other_zones_read_the_same_in_vobject(zone, member):
    group = BalintGroupFactory(time_zone=zone)
    tz = zoneinfo.ZoneInfo(zone)
    year = timezone.now().year + 1
    meetings = [meeting_on(group, datetime(year, month, 14).date()) for month in (1, 7)]
    for meeting in meetings:
        text = invitation([meeting], method=REQUEST, person=member, private=True)
        start = only_event(read(text)).dtstart.value
        assert type(start.tzinfo).__name__ == "_tzicalvtz"
        assert start == meeting.starts_at
        assert start.utcoffset() == meeting.starts_at.astimezone(tz).utcoffset()
        assert start.astimezone(UTC) == meeting.starts_at
