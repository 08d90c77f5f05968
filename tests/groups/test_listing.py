"""Listed, unlisted and closed groups: an unlisted group is in no public list or count but opens
by its link; a closed group is listed, takes no requests or tasters, and says so kindly."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from balint.audit.models import AuditEvent
from groups.models import BalintGroup, Listing
from sessions.tasters.services import TasterError, book_taster_seat
from tests.factories import BalintGroupFactory, LeadershipFactory, UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

HIDDEN = "Severn Employer Group"

# Every public place that lists or counts groups, with the filters that could let one through.
PUBLIC_PAGES = [
    "/",
    "/about/",
    "/groups/",
    "/groups/?page=1",
    "/groups/?region=south_west",
    "/groups/?format=in_person",
    "/groups/?audience=gps",
    "/groups/?q=Severn",
    "/groups/?q=Hidden+Leader",
]


@pytest.fixture
def unlisted(db):
    group = BalintGroupFactory(name=HIDDEN, slug="severn-employer", listing=Listing.UNLISTED)
    LeadershipFactory(group=group, person=UserFactory(display_name="Dr Hidden Leader"))
    return group


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_an_unlisted_group_is_on_no_public_page(client, group, unlisted, path):
    response = client.get(path)

    assert response.status_code == 200
    assert HIDDEN not in response.text
    assert "severn-employer" not in response.text


def test_the_finder_counts_only_listed_groups(client, group, unlisted):
    response = client.get("/groups/")

    assert response.context["page"].paginator.count == 1
    assert "1 group" in response.text


def test_a_signed_in_stranger_does_not_find_it_either(client_for, group, unlisted):
    response = client_for("stranger").get("/groups/?region=south_west")

    assert HIDDEN not in response.text


def test_there_is_no_sitemap_or_feed_to_leak_it(client, unlisted):
    for path in ("/sitemap.xml", "/groups/feed/", "/feed/", "/groups.rss"):
        assert client.get(path).status_code == 404


def test_the_visitors_cache_forgets_a_group_that_becomes_unlisted(client, group, leader):
    assert group.name in client.get("/groups/").text  # Now cached for visitors.

    client_leader = type(client)()
    client_leader.force_login(leader)
    client_leader.post("/groups/cotham/listing/", {"listing": "unlisted"})

    assert group.name not in client.get("/groups/").text


def test_an_unlisted_group_opens_by_its_link(client, unlisted):
    response = client.get("/groups/severn-employer/")

    assert response.status_code == 200
    assert HIDDEN in response.text
    assert '<meta name="robots" content="noindex">' in response.text


def test_its_leader_is_told_that_it_is_unlisted(client, unlisted):
    client.force_login(unlisted.leaderships.get().person)

    response = client.get("/groups/severn-employer/")

    assert "This group is unlisted" in response.text


def test_a_closed_group_is_listed_and_says_kindly_that_it_takes_no_newcomers(client, group):
    group.listing = Listing.CLOSED
    group.save()

    assert group.name in client.get("/groups/").text
    page = client.get("/groups/cotham/").text
    assert "closed to newcomers" in page
    assert "Thank you for your interest" in page
    assert "Request to join" not in page


def test_a_closed_group_refuses_a_join_request(client_for, group, leader):
    group.listing = Listing.CLOSED
    group.save()

    response = client_for("stranger").post("/groups/cotham/join/", {"note": ""})

    assert not group.memberships.exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "This group is closed to newcomers, so it is not taking requests. You are welcome "
        "to write to its leaders."
    ]


def test_a_closed_group_takes_no_taster_bookings(group, leader, stranger):
    group.listing = Listing.CLOSED
    group.save()
    meeting = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=3))

    with pytest.raises(TasterError, match="closed to newcomers"):
        book_taster_seat(meeting=meeting, person=stranger)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("stranger", 404),
        ("other_leader", 404),
        ("member", 403),
        ("programme_admin", 403),
        ("leader", 302),
        ("staff", 302),
    ],
)
def test_only_leaders_and_staff_choose_who_can_find_the_group(
    client_for, group, everyone, persona, status
):
    response = client_for(persona).post("/groups/cotham/listing/", {"listing": "unlisted"})

    assert response.status_code == status
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    group.refresh_from_db()
    expected = Listing.UNLISTED if persona in {"leader", "staff"} else Listing.LISTED
    assert group.listing == expected


def test_choosing_the_listing_is_audited(client_for, group, leader):
    client_for("leader").post("/groups/cotham/listing/", {"listing": "unlisted"})

    event = AuditEvent.objects.get(action="group.listing")
    assert event.actor == leader
    assert "Unlisted" in event.summary


@pytest.mark.parametrize("value", ["", "hidden", "LISTED", "x" * 300])
def test_a_bad_listing_is_refused_with_a_message(client_for, group, leader, value):
    response = client_for("leader").post("/groups/cotham/listing/", {"listing": value})

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Choose who can find the group."
    ]
    assert BalintGroup.objects.get(pk=group.pk).listing == Listing.LISTED


def test_the_settings_page_offers_the_three_choices(client_for, group, leader):
    page = client_for("leader").get("/groups/cotham/settings/").text

    for value in ("listed", "unlisted", "closed"):
        assert f'id="listing-{value}"' in page


def test_a_closed_groups_page_offers_no_taster_seat_to_newcomers(client, group, leader):
    MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=3))
    assert "Book a taster seat" in client.get("/groups/cotham/").text

    group.listing = Listing.CLOSED
    group.save()

    assert "Book a taster seat" not in client.get("/groups/cotham/").text
