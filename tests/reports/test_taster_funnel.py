"""The taster outreach funnel: invited → opened → booked → attended → asked to join → joined,
for a programme and per group, built through the site's own operations; who may see it; and its
cost in queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balint.outbox.models import Message
from groups.services import approve_request, request_to_join
from sessions.meetings.models import AttendanceRecord, AttendanceRole
from sessions.reports.funnel import funnels
from sessions.reports.taster_followup import sync_attendance
from sessions.tasters.invitations import invite_tasters
from sessions.tasters.models import TasterBooking
from sessions.tasters.services import book_taster_seat
from tests.conftest import PERSONAS
from tests.factories import BalintGroupFactory, UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

URL = "/programmes/severn/tasters/"


def _open_link(client, address: str) -> None:
    sent = Message.objects.filter(key__startswith="taster-invitation:").order_by("-pk")
    body = next(m.body_text for m in sent if address in m.to)
    link = re.search(r"/tasters/invite/[\w-]+/", body).group(0)
    client.get(link)


@pytest.fixture
def outreach(client, programme, group, leader, member):
    """Four invited, three opened the link, three booked (one found the group alone), two came,
    one asked to join and was taken on; `member` was a member before and does not count."""
    programme.slug = "severn"
    programme.save()
    group.taster_seats = 3
    group.save()
    people = [UserFactory(email=f"t{n}@example.org") for n in range(4)]
    walk_in = UserFactory(email="walkin@example.org")
    invite_tasters(group=group, by=leader, addresses="\n".join(p.email for p in people))
    for person in people[:3]:
        client.force_login(person)
        _open_link(client, person.email)
    client.logout()
    meeting = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(hours=1))
    later = timezone.now() + timedelta(minutes=1)
    for person in [people[0], people[1], walk_in]:
        book_taster_seat(meeting=meeting, person=person, now=timezone.now())
    for person in [people[0], walk_in]:
        AttendanceRecord.objects.create(
            meeting=meeting,
            person=person,
            role=AttendanceRole.TASTER,
            status="present",
            recorded_at=later,
        )
    sync_attendance(now=meeting.ends_at + timedelta(minutes=5))
    membership = request_to_join(group=group, person=walk_in)
    approve_request(group=group, membership_id=membership.pk, by=leader)
    return group


def test_the_funnel_counts_each_stage_once_per_person(outreach, member):
    total, per_group = funnels([outreach])

    assert total.counts == [4, 3, 3, 2, 1, 1]
    assert per_group[0].counts == total.counts
    assert total.invited_bookings == 2  # the walk-in found the group alone


def test_the_page_shows_the_chart_and_the_table_behind_it(client, outreach, programme_admin):
    client.force_login(programme_admin)

    page = client.get(URL).content.decode()

    assert "<svg" in page and "Taster outreach funnel" in page
    assert "Booked a seat: 3" in page
    assert (
        '<th scope="row">Attended</th><td class="num">2</td><td>67% of the stage before</td>'
        in page
    )


def test_one_group_can_be_chosen(client, outreach, programme, programme_admin):
    BalintGroupFactory(programme=programme, slug="quiet", name="Quiet group")
    client.force_login(programme_admin)

    quiet = client.get(URL + "?group=quiet").content.decode()
    unknown = client.get(URL + "?group=nowhere").content.decode()

    assert "No taster invitations or bookings yet in this group" in quiet
    assert "not one of this programme" in unknown
    assert "Booked a seat: 3" in unknown


def test_an_empty_programme_says_so(client, programme, programme_admin):
    programme.slug = "severn"
    programme.save()
    client.force_login(programme_admin)

    page = client.get(URL).content.decode()

    assert "No taster invitations or bookings yet" in page
    assert "This programme has no groups yet." in page


def _world(programme, groups: int, tasters: int):
    leader = UserFactory()
    for g in range(groups):
        group = BalintGroupFactory(programme=programme, taster_seats=6)
        invite_tasters(
            group=group, by=leader, addresses="\n".join(f"g{g}-{n}@x.org" for n in range(tasters))
        )
        for n in range(tasters):
            meeting = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=n + 1))
            book_taster_seat(meeting=meeting, person=UserFactory())


def test_the_funnel_costs_the_same_queries_for_two_groups_as_for_eight(programme):
    counts = []
    for groups, tasters in ((2, 1), (6, 4)):
        _world(programme, groups, tasters)
        with CaptureQueriesContext(connection) as queries:
            funnels(list(programme.groups.all()))
        counts.append(len(queries))

    assert programme.groups.count() == 8 and TasterBooking.objects.count() == 26
    assert counts[0] == counts[1]


LOGIN = "login"
ADMINS = {**dict.fromkeys(PERSONAS, 404), "anonymous": LOGIN, "programme_admin": 200, "staff": 200}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_programme_admins_and_staff_see_the_funnel(
    client_for, programme, group, member, leader, other_member, other_leader, staff, persona
):
    programme.slug = "severn"
    programme.save()

    response = client_for(persona).get(URL)

    expected = ADMINS[persona]
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected
