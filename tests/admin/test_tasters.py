"""One meeting's taster seats saved in the admin go through set_meeting_taster_seats, as on the
meeting page; taster bookings and invitations are read-only there."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from balint.audit.models import AuditEvent
from sessions.tasters.invitations import invite_tasters
from sessions.tasters.models import BookingStatus, MeetingTasterSeats, TasterInvitation
from sessions.tasters.services import book_taster_seat, set_meeting_taster_seats
from tests.admin.conftest import assert_refused, change_form_data
from tests.factories import UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/tasters/meetingtasterseats/add/"


def change_url(seats) -> str:
    return f"/admin/tasters/meetingtasterseats/{seats.pk}/change/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def meeting(group):
    return MeetingFactory(group=group)


def set_in_admin(client, meeting, seats: int):
    return client.post(ADD, {"meeting": meeting.pk, "seats": str(seats)})


def set_on_site(client, meeting, seats: int):
    return client.post(f"/tasters/meetings/{meeting.pk}/", {"seats": str(seats)})


@pytest.mark.parametrize("save", [set_in_admin, set_on_site], ids=["admin", "site"])
def test_taster_seats_set_in_the_admin_are_audited_as_on_the_site(
    admin_client, meeting, leader, save
):
    response = save(admin_client, meeting, 4)

    assert response.status_code == 302
    assert MeetingTasterSeats.objects.get(meeting=meeting).seats == 4
    event = AuditEvent.objects.get(action="meeting.taster_seats")
    assert event.summary.startswith("Set 4 taster seats")


def test_the_admin_refuses_fewer_seats_than_tasters_booked(admin_client, meeting):
    seats = MeetingTasterSeats.objects.create(meeting=meeting, seats=2)
    book_taster_seat(meeting=meeting, person=UserFactory())
    book_taster_seat(meeting=meeting, person=UserFactory())
    page = admin_client.get(change_url(seats))

    response = admin_client.post(change_url(seats), change_form_data(page, seats=1))

    assert response.status_code == 302
    assert "2 tasters have booked this meeting already: please choose at least 2 seats." in (
        messages_of(response)
    )
    seats.refresh_from_db()
    assert seats.seats == 2
    assert not AuditEvent.objects.filter(action="meeting.taster_seats").exists()


def test_the_admin_refuses_seats_for_a_meeting_that_has_started(admin_client, group):
    started = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(minutes=5))

    response = set_in_admin(admin_client, started, 3)

    assert "Taster seats can only be changed for meetings still to come." in messages_of(response)
    assert not MeetingTasterSeats.objects.exists()


def test_taster_seats_are_not_deleted_in_the_admin(admin_client, meeting, leader):
    set_meeting_taster_seats(meeting=meeting, seats=3, by=leader)
    seats = MeetingTasterSeats.objects.get()

    delete = f"/admin/tasters/meetingtasterseats/{seats.pk}/delete/"
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert MeetingTasterSeats.objects.filter(pk=seats.pk).exists()


def test_taster_bookings_are_read_only_in_the_admin(admin_client, meeting):
    booking = book_taster_seat(meeting=meeting, person=UserFactory())

    assert_refused(
        admin_client,
        f"/admin/tasters/tasterbooking/{booking.pk}/change/",
        {"status": BookingStatus.CANCELLED},
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_taster_invitations_are_read_only_in_the_admin(admin_client, group, leader):
    invite_tasters(group=group, by=leader, addresses="new@example.org")
    invitation = TasterInvitation.objects.get()

    assert_refused(
        admin_client,
        f"/admin/tasters/tasterinvitation/{invitation.pk}/change/",
        {"email": "other@example.org"},
    )
    invitation.refresh_from_db()
    assert (invitation.email, invitation.revoked_at) == ("new@example.org", None)
