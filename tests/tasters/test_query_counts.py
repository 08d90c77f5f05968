"""Pages make the same number of queries whether they show 5 or 50 meetings, invitations or
bookings."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groups.models import MAX_TASTER_SEATS
from sessions.tasters.models import TasterBooking, TasterInvitation, hash_token
from tests.factories import BalintGroupFactory, UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    # The visitors' page cache cold: a cached page costs no query, and 0 == 0 proves nothing.
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert len(context) > 0, "measured a cached page"
    return len(context)


def add_meetings(group, n: int, *, booked_by=None) -> None:
    """`n` more meetings, each with a booking (by a new person, or by `booked_by` on the first)."""
    start = timezone.now() + timedelta(days=1 + group.meetings.count())
    for i in range(n):
        meeting = MeetingFactory(group=group, starts_at=start + timedelta(days=i, hours=i % 5))
        TasterBooking.objects.create(
            meeting=meeting, group=group, person=UserFactory(), seat=1 + i % MAX_TASTER_SEATS
        )


def add_invitations(group, leader, n: int) -> None:
    start = TasterInvitation.objects.count()
    for i in range(start, start + n):
        TasterInvitation.objects.create(
            group=group,
            email=f"p{i}@example.org",
            inviter=leader,
            token_hash=hash_token(f"token-{i}"),
            expires_at=timezone.now() + timedelta(days=30 - i % 40),
            sent_at=timezone.now(),
            opened_at=timezone.now() if i % 2 else None,
            revoked_at=timezone.now() if i % 7 == 0 else None,
        )


def test_the_invitations_page_does_not_grow_with_invitations(client, group, leader):
    client.force_login(leader)
    add_invitations(group, leader, 5)
    few = queries(client, f"/tasters/{group.slug}/invitations/")

    add_invitations(group, leader, 45)

    assert queries(client, f"/tasters/{group.slug}/invitations/") == few


@pytest.mark.parametrize("persona", ["anonymous", "stranger", "member", "leader"])
def test_the_group_page_does_not_grow_with_meetings(client_for, group, leader, persona):
    client = client_for(persona)
    add_meetings(group, 5)
    few = queries(client, group.get_absolute_url())

    add_meetings(group, 45)

    assert queries(client, group.get_absolute_url()) == few


def test_the_finder_does_not_grow_with_groups(client_for, group, leader):
    client = client_for("stranger")
    add_meetings(group, 2)
    few = queries(client, "/groups/")

    for _ in range(8):
        add_meetings(BalintGroupFactory(), 2)

    assert queries(client, "/groups/") == few


def test_the_invitation_page_does_not_grow_with_meetings(client, group, invite, taster):
    _, token = invite(taster.email)
    client.force_login(taster)
    client.get(f"/tasters/invite/{token}/")  # the first visit marks it opened and taken up
    add_meetings(group, 5)
    few = queries(client, f"/tasters/invite/{token}/")

    add_meetings(group, 45)

    assert queries(client, f"/tasters/invite/{token}/") == few


def test_my_meetings_does_not_grow_with_taster_bookings(client, taster):
    client.force_login(taster)

    def book_groups(n):
        for _ in range(n):
            group = BalintGroupFactory()
            meeting = MeetingFactory(group=group)
            TasterBooking.objects.create(meeting=meeting, group=group, person=taster, seat=1)

    book_groups(5)
    few = queries(client, "/meetings/mine/")
    book_groups(45)

    page = client.get("/meetings/mine/").content.decode()
    assert page.count("Your taster seat</span>") == 50
    assert queries(client, "/meetings/mine/") == few


def test_the_meetings_taster_page_does_not_grow_with_bookings(client, meeting, leader):
    client.force_login(leader)
    TasterBooking.objects.create(meeting=meeting, group=meeting.group, person=UserFactory(), seat=1)
    few = queries(client, f"/tasters/meetings/{meeting.pk}/")

    for seat in range(2, MAX_TASTER_SEATS + 1):
        TasterBooking.objects.create(
            meeting=meeting, group=meeting.group, person=UserFactory(), seat=seat
        )

    assert queries(client, f"/tasters/meetings/{meeting.pk}/") == few
