"""The finder and a group's page are kept past their minute until the clock changes them
(balint/page_cache.py `kept_until`): when a meeting shown starts (a card's next meeting, or one of
the group page's) or ends (the group page's), or a day ends in the viewer's zone (the places held)
or in a shown group's (a block's trainee becomes a member). Each has a negative control: kept
regardless of that change, the page shows what is no longer so."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from groups.views import public
from tests.factories import BalintGroupFactory, MembershipFactory, UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

# Noon in London (summer time), 08:00 in New York: no day ends for hours.
NOON = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)
FAR = datetime(2100, 1, 1, tzinfo=UTC)
ROOM = "Room 3, Cotham Health Centre"  # every test group's, for its members' eyes only


@pytest.fixture(autouse=True)
def at_noon(clock):
    """The site's clock stands at NOON until a test moves it (tests/conftest.py `clock`)."""
    clock(NOON)


def fetch(client: Client, path: str = "/groups/") -> tuple[int, str]:
    """The number of queries the request ran, and the page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return len(queries), response.content.decode()


def text(page: str) -> str:
    """The page as read: without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))


def never(*args, **kwargs):
    return FAR


def without_parts_change(monkeypatch) -> None:
    """The pages kept as if no meeting shown ever started or ended."""
    composed = public.page_parts
    monkeypatch.setattr(
        public,
        "page_parts",
        lambda *args, **kwargs: composed(*args, **kwargs) | {"parts_change_at": None},
    )


def only_the_viewers_midnight(monkeypatch) -> None:
    """The pages kept as if only the viewer's day mattered, not their groups'."""
    midnight = public.next_midnight
    monkeypatch.setattr(
        public,
        "next_midnight",
        lambda zone, now: midnight(zone, now) if str(zone) == VIEWER_ZONE else FAR,
    )


@pytest.fixture
def meeting_soon(group, clock):
    """The group's next meeting starts in two hours; the one after in a week."""
    MeetingFactory(group=group, starts_at=NOON + timedelta(hours=2))
    MeetingFactory(group=group, starts_at=NOON + timedelta(days=7))


def test_the_finder_is_kept_past_its_minute_while_nothing_it_shows_changes(
    client, group, meeting_soon, clock
):
    _, first = fetch(client)
    clock(NOON + timedelta(hours=1, minutes=59))

    count, again = fetch(client)

    assert count == 0
    assert again == first
    assert "Wed 10 Jun 2026" in again  # the next meeting, still to start


def test_a_next_meeting_that_has_started_leaves_the_card_at_once(
    client, group, meeting_soon, clock
):
    assert "Wed 10 Jun 2026" in fetch(client)[1]

    clock(NOON + timedelta(hours=2))

    page = fetch(client)[1]
    assert "Wed 10 Jun 2026" not in page
    assert "Wed 17 Jun 2026" in page


def test_negative_control_kept_regardless_of_meetings_a_started_meeting_stays(
    client, group, meeting_soon, clock, monkeypatch
):
    without_parts_change(monkeypatch)
    assert "Wed 10 Jun 2026" in fetch(client)[1]

    clock(NOON + timedelta(hours=2))

    # What test_a_next_meeting_that_has_started_leaves_the_card_at_once catches.
    assert "Wed 10 Jun 2026" in fetch(client)[1]


@pytest.fixture
def block_ending_today(group):
    """A trainee's block in the group ends today: their place is free from tomorrow."""
    MembershipFactory(group=group, until=date(2026, 6, 10))


def test_a_place_a_block_held_is_free_once_the_viewers_day_ends(
    client, group, block_ending_today, clock
):
    assert "9 of 10 places free" in fetch(client)[1]

    clock(datetime(2026, 6, 10, 23, 0, tzinfo=UTC))  # midnight in London

    assert "10 of 10 places free" in fetch(client)[1]


def test_negative_control_kept_regardless_of_the_day_a_freed_place_is_missed(
    client, group, block_ending_today, clock, monkeypatch
):
    monkeypatch.setattr(public, "next_midnight", never)
    assert "9 of 10 places free" in fetch(client)[1]

    clock(datetime(2026, 6, 10, 23, 0, tzinfo=UTC))

    # What test_a_place_a_block_held_is_free_once_the_viewers_day_ends catches.
    assert "9 of 10 places free" in fetch(client)[1]


VIEWER_ZONE = "Pacific/Honolulu"  # its day ends six hours after New York's
NEW_YORK_MIDNIGHT = datetime(2026, 6, 11, 4, 0, tzinfo=UTC)


@pytest.fixture
def trainee_from_tomorrow_in_new_york(clock):
    """A New York group whose next meeting is in two days, and a trainee in Honolulu whose
    block in it starts tomorrow, New York's day. Until then they may book a taster seat."""
    new_york = BalintGroupFactory(
        name="Manhattan group", slug="manhattan", time_zone="America/New_York"
    )
    MeetingFactory(group=new_york, starts_at=NOON + timedelta(days=2))
    trainee = UserFactory(time_zone=VIEWER_ZONE)
    MembershipFactory(group=new_york, person=trainee, starts_on=date(2026, 6, 11))
    client = Client()
    client.force_login(trainee)
    return client


def test_a_block_that_begins_with_its_groups_day_shows_on_the_card_at_once(
    trainee_from_tomorrow_in_new_york, clock
):
    client = trainee_from_tomorrow_in_new_york
    assert "Book a taster seat" in fetch(client)[1]

    clock(NEW_YORK_MIDNIGHT)

    assert "Book a taster seat" not in fetch(client)[1]


def test_negative_control_kept_until_the_viewers_midnight_alone_the_block_is_missed(
    trainee_from_tomorrow_in_new_york, clock, monkeypatch
):
    only_the_viewers_midnight(monkeypatch)
    client = trainee_from_tomorrow_in_new_york
    assert "Book a taster seat" in fetch(client)[1]

    clock(NEW_YORK_MIDNIGHT)

    # What test_a_block_that_begins_with_its_groups_day_shows_on_the_card_at_once catches.
    assert "Book a taster seat" in fetch(client)[1]


def test_with_a_time_difference_chosen_the_page_is_kept_for_its_minute_only(
    client, group, meeting_soon, clock
):
    fetch(client, "/groups/?hours=3")
    clock(NOON + timedelta(minutes=1))

    count, _ = fetch(client, "/groups/?hours=3")

    assert count > 0


# A group's page


def test_a_group_page_is_kept_past_its_minute_while_nothing_it_shows_changes(
    client, group, meeting_soon, clock
):
    _, first = fetch(client, "/groups/cotham/")
    clock(NOON + timedelta(hours=1, minutes=59))

    count, again = fetch(client, "/groups/cotham/")

    assert count == 0
    assert again == first


def test_a_meeting_that_starts_takes_no_more_tasters_and_leaves_the_page_when_it_ends(
    client, group, meeting_soon, clock
):
    page = text(fetch(client, "/groups/cotham/")[1])
    assert "Book a taster seat on 10 June" in page and "Book a taster seat on 17 June" in page

    clock(NOON + timedelta(hours=2))  # it starts

    page = text(fetch(client, "/groups/cotham/")[1])
    assert "Wednesday 10 June 2026" in page
    assert "Book a taster seat on 10 June" not in page
    assert "Book a taster seat on 17 June" in page

    clock(NOON + timedelta(hours=3, minutes=30))  # it ends

    assert "Wednesday 10 June 2026" not in fetch(client, "/groups/cotham/")[1]


def test_negative_control_kept_regardless_of_meetings_a_started_one_still_takes_tasters(
    client, group, meeting_soon, clock, monkeypatch
):
    without_parts_change(monkeypatch)
    assert "Book a taster seat on 10 June" in text(fetch(client, "/groups/cotham/")[1])

    clock(NOON + timedelta(hours=2))

    # What test_a_meeting_that_starts_takes_no_more_tasters_and_leaves_the_page_when_it_ends
    # catches.
    assert "Book a taster seat on 10 June" in text(fetch(client, "/groups/cotham/")[1])


def test_a_block_trainee_sees_the_room_from_their_groups_midnight(
    trainee_from_tomorrow_in_new_york, clock
):
    client = trainee_from_tomorrow_in_new_york
    assert ROOM not in fetch(client, "/groups/manhattan/")[1]

    clock(NEW_YORK_MIDNIGHT)

    assert ROOM in fetch(client, "/groups/manhattan/")[1]


def test_negative_control_kept_until_the_viewers_midnight_alone_the_room_stays_hidden(
    trainee_from_tomorrow_in_new_york, clock, monkeypatch
):
    only_the_viewers_midnight(monkeypatch)
    client = trainee_from_tomorrow_in_new_york
    assert ROOM not in fetch(client, "/groups/manhattan/")[1]

    clock(NEW_YORK_MIDNIGHT)

    # What test_a_block_trainee_sees_the_room_from_their_groups_midnight catches.
    assert ROOM not in fetch(client, "/groups/manhattan/")[1]
