"""The named signals through which the layers above add their parts to the groups' pages."""

from pathlib import Path

import pytest

from groups.composition import (
    ManageTab,
    PageParts,
    group_pages_composing,
    manage_tabs_composing,
)
from sessions.attendance import group_pages
from tests.factories import BalintGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def without_the_meetings_layer():
    """The groups layer alone: the meetings layer's receivers disconnected for the test."""
    group_pages_composing.disconnect(dispatch_uid="attendance.group_pages")
    manage_tabs_composing.disconnect(dispatch_uid="attendance.manage_tabs")
    yield
    group_pages_composing.connect(
        group_pages.compose_group_pages, dispatch_uid="attendance.group_pages"
    )
    manage_tabs_composing.connect(
        group_pages.meetings_and_tasters_tabs, dispatch_uid="attendance.manage_tabs"
    )


@pytest.fixture
def test_parts(settings, without_the_meetings_layer):
    """A stand-in receiver with templates of its own; returns the calls it saw."""
    engine = settings.TEMPLATES[0]
    here = Path(__file__).parent / "templates"
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], here]}]
    calls = []

    def compose(sender, groups, user, **kwargs):
        calls.append(([group.slug for group in groups], user.is_authenticated))
        for group in groups:
            group.next_meeting = f"Tuesday at 19:30 ({group.slug})"
        return PageParts(card_template="spot/card.html", page_template="spot/page.html")

    group_pages_composing.connect(compose, dispatch_uid="test.parts")
    yield calls
    group_pages_composing.disconnect(dispatch_uid="test.parts")


def test_with_no_receiver_the_pages_leave_those_parts_out(
    client, group, without_the_meetings_layer
):
    assert "Next meeting" not in client.get("/groups/").text
    assert "Upcoming meetings" not in client.get("/groups/cotham/").text


def test_a_receiver_is_asked_once_per_page_for_every_card(client, group, test_parts):
    BalintGroupFactory(name="Zeta group", slug="zeta")

    html = client.get("/groups/").text

    assert test_parts == [(["cotham", "zeta"], False)]
    assert "Next meeting for Cotham GP Balint Group: Tuesday at 19:30 (cotham)" in html
    assert "Next meeting for Zeta group: Tuesday at 19:30 (zeta)" in html


def test_the_group_page_includes_the_part_with_the_viewers_access(
    client_for, group, member, test_parts
):
    html = client_for("member").get("/groups/cotham/").text

    assert "Upcoming meetings" in html
    assert "Tuesday at 19:30 (cotham) (link sent to members)" in html


def _tabs(html: str) -> str:
    start = html.index('aria-label="Manage this group"')
    return html[start : html.index("</nav>", start)]


def test_the_meetings_layer_adds_its_tabs_in_order(client_for, group, leader):
    html = _tabs(client_for("leader").get("/groups/cotham/roster/").text)

    labels = ["Group page", "Roster", "Meetings and schedule", "Taster invitations", "Settings"]
    positions = [html.index(label) for label in labels]
    assert positions == sorted(positions)
    assert 'href="/meetings/groups/cotham/"' in html


def test_without_the_meetings_layer_only_the_groups_tabs_show(
    client_for, group, leader, without_the_meetings_layer
):
    html = _tabs(client_for("leader").get("/groups/cotham/roster/").text)

    assert "Roster" in html
    assert "Meetings and schedule" not in html
    assert "Taster invitations" not in html


def test_a_tab_from_another_layer_takes_its_place(client_for, group, leader):
    def extra(sender, group, **kwargs):
        return [ManageTab("extra", "Extra tab", "groups:detail", 15)]

    manage_tabs_composing.connect(extra, dispatch_uid="test.extra")
    try:
        html = _tabs(client_for("leader").get("/groups/cotham/roster/").text)
    finally:
        manage_tabs_composing.disconnect(dispatch_uid="test.extra")

    assert html.index("Roster") < html.index("Extra tab") < html.index("Meetings and schedule")
