"""A group's page: public facts for everyone; the roster and private details only for those
groups/access.py allows, never in the HTML of anyone else."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.models import BalintGroup, MembershipStatus
from tests.factories import LeadershipFactory, MembershipFactory
from tests.groups.conftest import fill

pytestmark = pytest.mark.django_db

SEES_ROSTER = {"member", "leader", "programme_admin", "staff"}
SEES_PRIVATE_DETAILS = {"member", "leader"}


@pytest.mark.parametrize(
    "persona",
    [
        "anonymous",
        "stranger",
        "member",
        "other_member",
        "other_leader",
        "leader",
        "programme_admin",
        "staff",
    ],
)
def test_roster_and_private_details_are_shown_only_to_those_allowed(
    client_for, group, everyone, persona
):
    html = client_for(persona).get("/groups/cotham/").text

    assert "Cotham GP Balint Group" in html and group.description in html
    assert ("Dr Mo Member" in html) == (persona in SEES_ROSTER)
    assert (group.room in html) == (persona in SEES_PRIVATE_DETAILS)
    assert (group.meeting_link in html) == (persona in SEES_PRIVATE_DETAILS)
    assert ("secret-room" in html) == (persona in SEES_PRIVATE_DETAILS)


def test_someone_who_only_asked_to_join_sees_no_private_details(client_for, group, join_request):
    client = client_for("anonymous")
    client.force_login(join_request.person)

    html = client.get("/groups/cotham/").text

    assert "Your request is with the leaders" in html
    assert group.room not in html and group.meeting_link not in html
    assert "Dr Mo Member" not in html


def test_a_visitor_is_asked_to_sign_in_to_join(client, group):
    html = client.get("/groups/cotham/").text

    assert "Sign in to ask to join" in html
    assert "/accounts/login/?next=/groups/cotham/" in html
    assert 'name="note"' not in html


def test_the_join_note_asks_for_no_patient_details(client_for, group):
    html = client_for("stranger").get("/groups/cotham/").text

    assert 'name="note"' in html
    assert "Please do not include any patient details." in html


def test_a_waitlisted_person_sees_their_place_in_the_queue(client_for, group, stranger):
    fill(group, 2, MembershipStatus.WAITLISTED)
    MembershipFactory(group=group, person=stranger, status=MembershipStatus.WAITLISTED)

    html = client_for("stranger").get("/groups/cotham/").text

    assert "You are number 3 on the waitlist" in html


def test_a_person_offered_a_place_can_accept_it_from_the_group_page(client_for, group, stranger):
    MembershipFactory(group=group, person=stranger, status=MembershipStatus.OFFERED)
    client = client_for("stranger")

    assert "Accept the place" in client.get("/groups/cotham/").text
    response = client.post("/groups/cotham/accept-place/", follow=True)

    assert "you are now a member of Cotham GP Balint Group" in response.text
    assert group.room in response.text


def test_an_unknown_group_is_not_found(client, db):
    assert client.get("/groups/no-such-group/").status_code == 404


def test_leaders_see_links_to_manage_the_group(client_for, group, leader):
    html = client_for("leader").get("/groups/cotham/").text

    assert "/groups/cotham/roster/" in html and "/groups/cotham/settings/" in html


def test_members_do_not_see_links_to_manage_the_group(client_for, group, member):
    assert "/groups/cotham/settings/" not in client_for("member").get("/groups/cotham/").text


def queries(client, path: str) -> int:
    client.get(path)  # Warm up: sessions, content types and other per-process caches.
    # Measure with the visitors' page cache cold: a page served from it costs no query at all,
    # and 0 == 0 would hide any growth. (Sessions are read from the database instead: the same
    # one query at either size.)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    assert len(captured) > 0, "measured a cached page"
    return len(captured)


@pytest.mark.parametrize("persona", ["anonymous", "stranger", "member", "leader"])
def test_the_group_page_makes_as_many_queries_for_100_members_as_for_5(
    client_for, group, member, leader, persona
):
    # Capacity is not the point here: the rows are made directly to count the queries.
    BalintGroup.objects.filter(pk=group.pk).update(capacity=16)
    client = client_for(persona)
    fill(group, 4)
    LeadershipFactory.create_batch(4, group=group)
    with_five = queries(client, "/groups/cotham/")

    fill(group, 95)
    fill(group, 20, MembershipStatus.WAITLISTED)
    LeadershipFactory.create_batch(95, group=group)

    assert queries(client, "/groups/cotham/") == with_five
