"""Invitations name a signed organiser address per person and meeting when REPLIES_ADDRESS is
set (sessions/calendar/reply_address.py), and ask for an answer; without it, nothing changes."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.utils import timezone

from groups import services as groups
from sessions.calendar import notify
from sessions.calendar.ical import CANCEL, REQUEST, invitation
from sessions.calendar.reply_address import read_reply_address, reply_address
from sessions.tasters.services import book_taster_seat, set_meeting_taster_seats
from tests.calendar.conftest import calendar_of, parse, rows
from tests.factories import UserFactory
from tests.sessions.factories import MeetingFactory

REPLIES = "replies@balint.example"


@pytest.fixture
def replies_on(settings):
    settings.REPLIES_ADDRESS = REPLIES


def test_an_address_names_its_meeting_and_person_and_fits_a_local_part(replies_on):
    address = reply_address(meeting_id=123456, person_id=9876543)
    local, domain = address.split("@")

    assert domain == "balint.example" and local.startswith("replies+")
    assert len(local) <= 64
    assert read_reply_address(address) == (123456, 9876543)
    assert read_reply_address(f"mailto:{address.upper()}") == (123456, 9876543)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda a: a.replace("replies+", "other+"),
        lambda a: a.replace("@balint.example", "@evil.example"),
        lambda a: a.replace("+3f.", "+3g."),  # another meeting, same MAC
        lambda a: a[:-20] + ("a" if a[-20] != "a" else "b") + a[-19:],  # one MAC letter changed
        lambda a: a.split("+")[0] + "@balint.example",
    ],
)
def test_an_address_not_signed_by_us_is_refused(replies_on, tamper):
    address = reply_address(meeting_id=123, person_id=456)  # 123 is "3f" in base 36

    assert read_reply_address(tamper(address)) is None


def test_without_replies_address_invitations_name_the_sender_and_ask_for_no_answer(
    settings, member, group
):
    settings.REPLIES_ADDRESS = ""
    meeting = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=3))

    event = parse(
        invitation([meeting], method=REQUEST, person=member, private=True, answers=True)
    ).events[0]

    assert str(event["ORGANIZER"]) == f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}"
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"


def test_a_member_joining_is_asked_to_answer_at_their_own_address(replies_on, group, leader):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=3))
    newcomer = UserFactory()

    groups.add_member_by_email(group=group, email=newcomer.email, by=leader)

    [message] = rows("calendar-join:")
    event = calendar_of(message).events[0]
    organizer = str(event["ORGANIZER"]).removeprefix("mailto:")
    assert read_reply_address(organizer) == (meeting.pk, newcomer.pk)
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"


def test_a_cancel_names_the_same_organiser_and_asks_for_nothing(replies_on, group, member):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=3))

    request, cancel = (
        parse(invitation([meeting], method=method, person=member, private=True, answers=True))
        for method in (REQUEST, CANCEL)
    )

    assert request.events[0]["ORGANIZER"] == cancel.events[0]["ORGANIZER"]
    assert cancel.events[0]["ATTENDEE"].params["RSVP"] == "FALSE"


def test_a_taster_is_not_asked_to_answer_by_calendar(replies_on, group, leader):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=3))
    set_meeting_taster_seats(meeting=meeting, seats=2, by=leader)
    taster = UserFactory()

    notify.taster_booked(book_taster_seat(meeting=meeting, person=taster))

    [message] = rows("taster-invite:")
    assert calendar_of(message).events[0]["ATTENDEE"].params["RSVP"] == "FALSE"
