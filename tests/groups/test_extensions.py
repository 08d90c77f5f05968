"""The spot the meetings layer fills in the finder cards and the group page."""

from pathlib import Path

import pytest

from groups.extensions import meetings_spot
from tests.factories import BalintGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spot():
    """The spot, put back as the meetings layer filled it after each test."""
    saved = (meetings_spot.card_template, meetings_spot.page_template, meetings_spot.load)
    yield meetings_spot
    meetings_spot.card_template, meetings_spot.page_template, meetings_spot.load = saved


@pytest.fixture
def filled_spot(settings, spot):
    engine = settings.TEMPLATES[0]
    here = Path(__file__).parent / "templates"
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], here]}]
    calls = []

    def load(groups, user):
        calls.append(([group.slug for group in groups], user.is_authenticated))
        for group in groups:
            group.next_meeting = f"Tuesday at 19:30 ({group.slug})"

    spot.fill(card_template="spot/card.html", page_template="spot/page.html", load=load)
    return calls


def test_an_empty_spot_leaves_the_pages_as_they_are(client, group, spot):
    spot.fill(card_template="", page_template="", load=None)

    assert "Next meeting" not in client.get("/groups/").text
    assert "Upcoming meetings" not in client.get("/groups/cotham/").text


def test_the_meetings_layer_loads_once_per_page_for_every_card(client, group, filled_spot):
    BalintGroupFactory(name="Zeta group", slug="zeta")

    html = client.get("/groups/").text

    assert filled_spot == [(["cotham", "zeta"], False)]
    assert "Next meeting for Cotham GP Balint Group: Tuesday at 19:30 (cotham)" in html
    assert "Next meeting for Zeta group: Tuesday at 19:30 (zeta)" in html


def test_the_group_page_includes_the_meetings_panel_with_the_viewers_access(
    client_for, group, member, filled_spot
):
    html = client_for("member").get("/groups/cotham/").text

    assert "Upcoming meetings" in html
    assert "Tuesday at 19:30 (cotham) (link sent to members)" in html
