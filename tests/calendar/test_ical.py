"""The iCalendar we build, parsed back with icalendar: methods, identity, times and privacy."""

import zoneinfo
from datetime import UTC, time, timedelta

import pytest
from django.utils import timezone

from sessions.calendar.ical import CANCEL, PUBLISH, REQUEST, feed, invitation, meeting_uid
from sessions.meetings.services import cancel_meeting, move_meeting
from tests.calendar.conftest import LONDON, meeting_on, next_clock_change, parse
from tests.factories import BalintGroupFactory

pytestmark = pytest.mark.django_db


def only_event(text: str):
    [event] = parse(text).events
    return event


def test_an_invitation_names_the_meeting_the_organiser_and_the_attendee(soon, member, settings):
    settings.DEFAULT_FROM_EMAIL = "Balint groups <noreply@balint.example>"
    before = timezone.now().replace(microsecond=0)

    calendar = parse(invitation([soon], method=REQUEST, person=member, private=True))

    assert calendar["METHOD"] == "REQUEST"
    assert "UID" not in calendar  # no random RFC 7986 calendar UID
    event = calendar.events[0]
    assert str(event["UID"]) == f"meeting-{soon.pk}@{settings.SITE_DOMAIN}"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "Balint group: Cotham GP Balint Group"
    assert before <= event.DTSTAMP and event.DTSTAMP.tzinfo is not None
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:noreply@balint.example"
    assert organizer.params["CN"] == "Cotham GP Balint Group"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:mo@example.org"
    assert attendee.params["CN"] == "Dr Mo Member"
    assert attendee.params["RSVP"] == "FALSE"
    assert event["CLASS"] == "PRIVATE"


def test_the_room_and_link_go_only_to_those_allowed(soon, member):
    allowed = invitation([soon], method=REQUEST, person=member, private=True)
    refused = invitation([soon], method=CANCEL, person=member, private=False)

    event = only_event(allowed)
    assert event["LOCATION"] == "Room 3, Cotham Health Centre"
    assert str(event["URL"]) == "https://meet.example.org/secret-room"
    assert "https://meet.example.org/secret-room" in event["DESCRIPTION"]
    unfolded = refused.replace("\r\n ", "")
    assert "LOCATION" not in unfolded
    assert "secret-room" not in unfolded
    assert "Cotham Health Centre" not in unfolded
    assert str(only_event(refused)["URL"]).endswith(f"/meetings/{soon.pk}/")


def test_a_format_shows_only_its_own_details(group, member):
    group.format = "online"
    group.save()
    meeting = meeting_on(group, timezone.now().date() + timedelta(days=3))

    event = only_event(invitation([meeting], method=REQUEST, person=member, private=True))

    assert event["LOCATION"] == "https://meet.example.org/secret-room"
    assert "Cotham Health Centre" not in event["DESCRIPTION"]


def test_a_cancellation_has_method_cancel_and_status_cancelled(soon, member, leader):
    soon = cancel_meeting(meeting=soon, by=leader, reason="The leader is unwell.")

    calendar = parse(invitation([soon], method=CANCEL, person=member, private=True))

    assert calendar["METHOD"] == "CANCEL"
    event = calendar.events[0]
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert "The leader is unwell." in event["DESCRIPTION"]


def test_sequence_follows_every_change_and_the_uid_stays(soon, member, leader):
    uid = str(only_event(invitation([soon], method=REQUEST, person=member, private=True))["UID"])
    day = timezone.localdate() + timedelta(days=12)

    soon = move_meeting(meeting=soon, by=leader, day=day, start=time(18), duration_minutes=90)
    moved = only_event(invitation([soon], method=REQUEST, person=member, private=True))
    soon = cancel_meeting(meeting=soon, by=leader, reason="Snow.")
    cancelled = only_event(invitation([soon], method=CANCEL, person=member, private=True))

    assert str(moved["UID"]) == str(cancelled["UID"]) == uid == meeting_uid(soon)
    assert (moved["SEQUENCE"], cancelled["SEQUENCE"]) == (1, 2)


def test_every_tzid_has_its_vtimezone_and_the_rules_stay_small(soon, member):
    text = invitation([soon], method=REQUEST, person=member, private=True)
    calendar = parse(text)

    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    event = calendar.events[0]
    assert event["DTSTART"].params["TZID"] in zones
    assert event["DTEND"].params["TZID"] in zones
    assert zones == {"Europe/London"}
    assert len(text) < 2500  # two yearly rules, not every rule since 1970


def test_start_instants_are_right_on_both_sides_of_a_clock_change(hybrid_group, member):
    change = next_clock_change()
    before = meeting_on(hybrid_group, change - timedelta(days=3))
    after = meeting_on(hybrid_group, change + timedelta(days=4))

    calendar = parse(invitation([before, after], method=REQUEST, person=member, private=True))

    starts = {str(event["UID"]): event.start for event in calendar.events}
    for meeting in (before, after):
        start = starts[meeting_uid(meeting)]
        assert start == meeting.starts_at  # the same instant
        assert start.astimezone(LONDON).time() == time(19, 30)  # the same wall clock
    offsets = {start.astimezone(LONDON).utcoffset() for start in starts.values()}
    assert len(offsets) == 2
    transitions = calendar.walk("VTIMEZONE")[0].subcomponents
    assert {component.name for component in transitions} == {"STANDARD", "DAYLIGHT"}


def test_a_group_on_utc_gets_utc_times_and_no_vtimezone(member):
    group = BalintGroupFactory(time_zone="UTC")
    meeting = meeting_on(group, timezone.now().date() + timedelta(days=5))

    text = invitation([meeting], method=REQUEST, person=member, private=True)

    assert not parse(text).walk("VTIMEZONE")
    assert only_event(text).start == meeting.starts_at
    assert f"DTSTART:{meeting.starts_at.astimezone(UTC):%Y%m%dT%H%M%S}Z" in text


def test_a_feed_publishes_without_attendees_and_marks_cancelled_meetings(
    soon, hybrid_group, member, leader
):
    other = meeting_on(hybrid_group, timezone.now().date() + timedelta(days=20))
    other = cancel_meeting(meeting=other, by=leader, reason="Snow.")

    text = feed([soon, other], person=member)
    calendar = parse(text)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text
    assert "X-PUBLISHED-TTL:PT1H" in text

    assert calendar["METHOD"] == PUBLISH
    assert calendar["X-WR-CALNAME"] == "Balint groups: Dr Mo Member"
    assert all("ATTENDEE" not in event for event in calendar.events)
    statuses = {str(event["UID"]): event["STATUS"] for event in calendar.events}
    assert statuses == {meeting_uid(soon): "CONFIRMED", meeting_uid(other): "CANCELLED"}
    cancelled = next(e for e in calendar.events if e["STATUS"] == "CANCELLED")
    assert "LOCATION" not in cancelled


def test_a_feed_is_the_same_text_when_nothing_changed(soon, member):
    assert feed([soon], person=member) == feed([soon], person=member)


def test_a_recipient_in_another_zone_gets_the_same_instant(soon, member):
    member.time_zone = "America/New_York"
    member.save()

    event = only_event(invitation([soon], method=REQUEST, person=member, private=True))

    assert event.start == soon.starts_at
    assert event.start.tzinfo == zoneinfo.ZoneInfo("Europe/London")
