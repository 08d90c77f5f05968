"""The public group finder: cards, filters that combine and stay in the URL, pages, and a
number of queries that does not grow with the groups shown."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.models import BalintGroup, GroupStatus, MembershipStatus
from members.models import Accreditation
from tests.factories import BalintGroupFactory, LeadershipFactory, MembershipFactory, UserFactory
from tests.groups.conftest import fill

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [card.group.name for card in response.context["cards"]]


def test_the_finder_lists_every_group_that_is_not_closed(client, group, other_group):
    BalintGroupFactory(name="Closed group", status=GroupStatus.CLOSED)
    BalintGroupFactory(name="Paused group", status=GroupStatus.PAUSED)

    response = client.get("/groups/")

    assert response.status_code == 200
    assert names(response) == ["Cotham GP Balint Group", "Online group", "Paused group"]
    assert "Closed group" not in response.text


def test_a_card_shows_who_it_is_for_where_and_the_leaders_accreditation(client, group):
    LeadershipFactory(
        group=group,
        person=UserFactory(display_name="Dr Judith Marlow", accreditation=Accreditation.ACCREDITED),
    )

    html = client.get("/groups/").text

    assert "In person · Bristol" in html
    assert "GPs" in html
    assert "Dr Judith Marlow" in html and "Accredited" in html
    assert "10 of 10 places free" in html
    assert "Request to join" in html


def test_the_finder_never_shows_private_details(client_for, group, member):
    html = client_for("member").get("/groups/").text

    assert group.room not in html
    assert group.meeting_link not in html


def test_a_full_group_offers_its_waitlist_and_a_group_not_taking_members_offers_nothing(
    client, group, other_group
):
    fill(group, group.capacity)
    BalintGroup.objects.filter(pk=other_group.pk).update(accepting_members=False)

    response = client.get("/groups/")

    actions = {card.group.name: card.join_action for card in response.context["cards"]}
    assert actions == {"Cotham GP Balint Group": "waitlist", "Online group": None}
    assert "Join the waitlist" in response.text
    assert "Not taking new members" in response.text


def test_a_card_says_what_the_viewer_already_is(client_for, group, member, other_group):
    MembershipFactory(group=other_group, person=member, status=MembershipStatus.WAITLISTED)

    html = client_for("member").get("/groups/").text

    assert "You are a member" in html
    assert "You are on the waitlist" in html


def test_filters_combine(client, group):
    BalintGroupFactory(name="Leeds online", format="online", region="yorkshire")
    BalintGroupFactory(name="Leeds in person", format="in_person", region="yorkshire")
    BalintGroupFactory(
        name="Students", format="online", region="yorkshire", audiences=["medical-students"]
    )

    response = client.get("/groups/?format=online&region=yorkshire&audience=gps&q=leeds")

    assert names(response) == ["Leeds online"]


def test_the_search_finds_name_town_description_and_leader(client, group, leader):
    BalintGroupFactory(name="Other", town="Leeds", description="For psychiatrists")

    def found(q):
        return names(client.get("/groups/", {"q": q}))

    assert found("cotham") == ["Cotham GP Balint Group"]
    assert found("LEEDS") == ["Other"]
    assert found("psychiatr") == ["Other"]
    assert found("Lena") == ["Cotham GP Balint Group"]


def test_a_group_with_two_matching_leaders_is_listed_once(client, group, leader):
    LeadershipFactory(group=group, person=UserFactory(display_name="Dr Lena Second"))

    assert names(client.get("/groups/?q=lena")) == ["Cotham GP Balint Group"]


def test_filters_stay_in_the_form_and_in_page_links(client):
    for number in range(13):
        BalintGroupFactory(name=f"Online {number:02}", format="online")

    response = client.get("/groups/?format=online&q=online")

    html = response.text
    assert '<option value="online" selected>' in html
    assert 'value="online"' in html
    assert "?format=online&amp;q=online&amp;page=2" in html
    assert response.context["page"].paginator.num_pages == 2


def test_the_finder_shows_twelve_groups_a_page(client):
    for number in range(30):
        BalintGroupFactory(name=f"Group {number:02}")

    first = client.get("/groups/")
    third = client.get("/groups/?page=3")

    assert len(first.context["cards"]) == 12
    assert names(third) == [f"Group {n}" for n in range(24, 30)]
    assert "page 3 of 3" in third.text


@pytest.mark.parametrize("page", ["abc", "-1", "999", "", "1.5"])
def test_a_bad_page_number_shows_a_page_not_an_error(client, group, page):
    response = client.get("/groups/", {"page": page})

    assert response.status_code == 200
    assert names(response) == ["Cotham GP Balint Group"]


def test_an_unknown_filter_value_is_reported_and_the_others_still_apply(client, group, other_group):
    response = client.get("/groups/?format=underwater&q=online&audience=<script>&region=mars")

    assert response.status_code == 200
    assert names(response) == ["Online group"]
    assert "This filter was left out" in response.text
    assert "<script>" not in response.text


def test_the_empty_state_says_no_group_matches_and_offers_all_groups(client, group):
    response = client.get("/groups/?region=london")

    assert response.context["cards"] == []
    assert "No groups match these filters" in response.text
    assert "Show all groups" in response.text


def test_the_empty_state_without_groups(client, db):
    assert "No groups are listed yet" in client.get("/groups/").text


def build_groups(count: int) -> None:
    for _ in range(count):
        group = BalintGroupFactory(audiences=["gps", "gp-trainees"])
        LeadershipFactory(group=group)
        LeadershipFactory(group=group, role="co_leader")
        fill(group, 3)


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


@pytest.mark.parametrize("persona", ["anonymous", "stranger", "member"])
@pytest.mark.parametrize("path", ["/groups/", "/groups/?q=group&format=in_person&audience=gps"])
def test_the_finder_makes_as_many_queries_for_100_groups_as_for_5(
    client_for, group, member, persona, path
):
    client = client_for(persona)
    build_groups(4)
    with_five = queries(client, path)

    build_groups(95)

    assert BalintGroup.objects.count() == 100
    assert queries(client, path) == with_five
