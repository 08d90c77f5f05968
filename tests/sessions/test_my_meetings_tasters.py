"""My meetings for someone whose only meeting is a taster seat: it lists the seat among the
upcoming meetings and never says they have nothing; and the calendar link is always offered."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sessions.calendar.tokens import issue_calendar_token
from sessions.tasters.services import book_taster_seat
from tests.factories import BalintGroupFactory, UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

NOT_IN_A_GROUP = "You are not in a group yet"


def page(client) -> str:
    response = client.get(reverse("meetings:mine"))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_a_taster_with_no_group_sees_their_seat_without_a_contradiction(client, meeting):
    taster = UserFactory()
    booking = book_taster_seat(meeting=meeting, person=taster)
    client.force_login(taster)

    shown = page(client)

    assert NOT_IN_A_GROUP not in shown
    assert "no taster seat booked" not in shown
    assert "Your taster seat" in shown and f"/tasters/bookings/{booking.pk}/" in shown
    assert "You are not a member of a group yet. After your taster meeting" in shown
    upcoming = shown.split('id="upcoming-heading"')[1].split('id="past-heading"')[0]
    assert f"/tasters/bookings/{booking.pk}/" in upcoming


def test_someone_with_nothing_is_told_they_have_no_group_and_no_seat(client_for):
    shown = page(client_for("stranger"))

    assert "You are not in a group yet and have no taster seat booked." in shown
    assert "Your taster seat" not in shown


def test_a_member_with_a_taster_seat_elsewhere_sees_both_in_date_order(client, member, meeting):
    elsewhere = MeetingFactory(
        group=BalintGroupFactory(), starts_at=meeting.starts_at - timedelta(days=2)
    )
    book_taster_seat(meeting=elsewhere, person=member)
    client.force_login(member)

    response = client.get(reverse("meetings:mine"))

    assert list(response.context["upcoming"]) == [elsewhere, meeting]
    assert "You are not a member of a group yet" not in page(client)


def test_a_cancelled_or_past_taster_seat_is_not_upcoming(client, meeting):
    taster = UserFactory()
    book_taster_seat(meeting=meeting, person=taster)
    type(meeting).objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(minutes=90),
    )
    client.force_login(taster)

    assert "Your taster seat" not in page(client)


@pytest.mark.parametrize("has_feed", [False, True])
def test_the_calendar_link_is_always_offered(client_for, member, has_feed):
    if has_feed:
        issue_calendar_token(person=member)

    shown = page(client_for("member"))

    assert 'href="/calendar/"' in shown
    assert ("My calendar link" if has_feed else "Add to my calendar") in shown


def test_taster_seats_do_not_add_queries(client):
    taster = UserFactory()
    client.force_login(taster)

    def measure() -> int:
        cache.clear()  # cold: nothing kept from the other request
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("meetings:mine")).status_code == 200
        return len(context)

    book_taster_seat(meeting=MeetingFactory(group=BalintGroupFactory()), person=taster)
    few = measure()
    for _ in range(5):
        book_taster_seat(meeting=MeetingFactory(group=BalintGroupFactory()), person=taster)
    many = measure()

    assert many == few
    assert page(client).count("Your taster seat</span>") == 6
