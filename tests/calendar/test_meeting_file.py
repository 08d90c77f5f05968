""" "Add to calendar": one meeting as an .ics file, for the people taking part in it, with the
invitation's UID and the SEQUENCE last sent to them, so calendars keep one event."""

import pytest
from django.urls import reverse

from balint.outbox.models import Message
from groups.models import GroupStatus
from sessions.calendar.ical import meeting_uid
from sessions.meetings.services import cancel_meeting
from sessions.tasters.services import book_taster_seat, cancel_taster_booking
from tests.calendar.conftest import calendar_of, parse
from tests.conftest import PERSONAS
from tests.factories import UserFactory
from tests.sessions.factories import MeetingFactory
from tests.sessions.test_permissions import all_personas, check

pytestmark = pytest.mark.django_db

# Those taking part get the file; those who may see the meeting but take no part get 403.
TAKING_PART = {
    **dict.fromkeys(PERSONAS, 403),
    "anonymous": "login",
    "member": 200,
    "leader": 200,
}


@pytest.fixture
def meeting(hybrid_group):
    return MeetingFactory(group=hybrid_group)


def file_url(meeting) -> str:
    return reverse("calendar:meeting", kwargs={"pk": meeting.pk})


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_those_taking_part_may_download_the_meeting(client_for, request, meeting, persona):
    all_personas(request)

    response = client_for(persona).get(file_url(meeting))

    check(response, TAKING_PART[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_closed_groups_meeting_is_not_found_by_outsiders(client_for, request, meeting, persona):
    all_personas(request)
    meeting.group.status = GroupStatus.CLOSED
    meeting.group.save()

    response = client_for(persona).get(file_url(meeting))

    insiders = {"member": 200, "leader": 200, "programme_admin": 403, "staff": 403}
    expected = "login" if persona == "anonymous" else insiders.get(persona, 404)
    check(response, expected)


def test_the_file_is_the_meeting_with_its_room_and_link_and_the_invites_uid(
    client_for, member, meeting
):
    response = client_for("member").get(file_url(meeting))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="balint-meeting-')
    assert response["Cache-Control"] == "private, no-store"
    calendar = parse(response.content.decode())
    assert calendar["METHOD"] == "PUBLISH"
    [event] = calendar.events
    assert str(event["UID"]) == meeting_uid(meeting)
    assert int(event["SEQUENCE"]) == meeting.revision
    assert "ATTENDEE" not in event
    assert event["LOCATION"] == meeting.group.room
    assert meeting.group.meeting_link in str(event["DESCRIPTION"])
    assert event.decoded("DTSTART") == meeting.starts_at


def test_a_booked_taster_gets_the_same_uid_and_sequence_as_their_invitation(client, meeting):
    taster = UserFactory(email="tia@example.org")
    book_taster_seat(meeting=meeting, person=taster)
    [invite] = Message.objects.filter(key__startswith="taster-invite:")
    [invited] = calendar_of(invite).events
    client.force_login(taster)

    response = client.get(file_url(meeting))

    assert response.status_code == 200
    [event] = parse(response.content.decode()).events
    assert str(event["UID"]) == str(invited["UID"])
    assert int(event["SEQUENCE"]) == int(invited["SEQUENCE"])
    booking = taster.taster_bookings.get()
    booking_page = client.get(reverse("tasters:booking", kwargs={"pk": booking.pk}))
    assert file_url(meeting) in booking_page.content.decode()


def test_a_taster_who_cancelled_may_no_longer_download_it(client, meeting):
    taster = UserFactory(email="tia@example.org")
    booking = book_taster_seat(meeting=meeting, person=taster)
    cancel_taster_booking(booking=booking, person=taster)
    client.force_login(taster)

    assert client.get(file_url(meeting)).status_code == 403
    page = client.get(reverse("tasters:booking", kwargs={"pk": booking.pk})).content.decode()
    assert file_url(meeting) not in page


@pytest.mark.parametrize(("persona", "offered"), [("member", True), ("stranger", False)])
def test_the_meeting_page_offers_the_file_to_those_taking_part(
    client_for, request, meeting, persona, offered
):
    request.getfixturevalue(persona)

    page = client_for(persona).get(meeting.get_absolute_url()).content.decode()

    assert (file_url(meeting) in page) is offered
    assert ("Add to calendar" in page) is offered


def test_a_cancelled_meeting_is_not_offered(client_for, member, leader, meeting):
    cancel_meeting(meeting=meeting, by=leader, reason="Snow.")

    page = client_for("member").get(meeting.get_absolute_url()).content.decode()

    assert file_url(meeting) not in page


def test_the_file_needs_a_get(client_for, member, meeting):
    assert client_for("member").post(file_url(meeting)).status_code == 405
