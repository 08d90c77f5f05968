"""In a real browser: a stranger finds a group, asks to join, the leader approves on the roster
page, and the new member sees the private details."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from members.models import Accreditation
from tests.browser import screenshot
from tests.factories import PASSWORD, BalintGroupFactory, LeadershipFactory, UserFactory
from tests.groups.conftest import fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOM = "Cotham Health Centre, Room 3 (first floor)"


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.fixture
def world(db):
    group = BalintGroupFactory(
        name="Cotham GP Balint Group",
        slug="cotham",
        description="A monthly group for GPs and GP trainees in and around Bristol.",
        town="Cotham, Bristol",
        room=ROOM,
        meeting_link="",
        audiences=["gps", "gp-trainees"],
    )
    leader = UserFactory(
        display_name="Dr Lena Leader",
        email="lena@example.org",
        accreditation=Accreditation.ACCREDITED,
    )
    LeadershipFactory(group=group, person=leader)
    fill(group, 6)
    BalintGroupFactory(name="Online Multi-professional Group", format="online", town="")
    BalintGroupFactory(name="Leeds Psychiatry Trainees", town="Leeds", region="yorkshire")
    UserFactory(display_name="Dr Sid Stranger", email="sid@example.org")
    return group


def test_a_stranger_finds_a_group_asks_to_join_and_sees_its_details_once_approved(
    live_server, page, browser, world
):
    sign_in(page, live_server, "sid@example.org")
    page.goto(f"{live_server.url}/groups/")
    page.get_by_label("Name, town or leader").fill("bristol")
    page.get_by_label("Format").select_option("In person")
    page.get_by_role("button", name="Show groups").click()
    expect(page).to_have_url(re.compile(r"q=bristol.*format=in_person|format=in_person.*q=bristol"))
    expect(page.get_by_text("1 group matches your filters")).to_be_visible()
    screenshot(page, "groups-finder-filtered")

    page.get_by_role("link", name="Request to join Cotham GP Balint Group").click()
    expect(page.get_by_role("heading", name="Ask to join")).to_be_visible()
    expect(page.get_by_text(ROOM)).to_have_count(0)
    page.get_by_label("A note to the leaders").fill("Salaried GP in Bristol, new to Balint.")
    screenshot(page, "groups-join-form")
    page.get_by_role("button", name="Request to join").click()
    expect(page.get_by_text("You have asked to join Cotham GP Balint Group.")).to_be_visible()
    expect(page.get_by_role("heading", name="Your request is with the leaders")).to_be_visible()
    screenshot(page, "groups-join-requested")
    assert [m.subject for m in mail.outbox] == [
        "Dr Sid Stranger asks to join Cotham GP Balint Group"
    ]

    leader = browser.new_page()
    sign_in(leader, live_server, "lena@example.org")
    leader.goto(f"{live_server.url}/groups/mine/")
    leader.get_by_role("link", name="Roster of Cotham GP Balint Group").click()
    note = "Salaried GP in Bristol, new to Balint."
    expect(leader.get_by_role("cell", name=note)).to_be_visible()
    screenshot(leader, "groups-roster-with-request")
    leader.get_by_role("button", name=re.compile("^Approve.*Dr Sid Stranger")).click()
    expect(leader.get_by_text("Dr Sid Stranger is now a member of the group.")).to_be_visible()
    expect(leader.get_by_text("No requests are waiting.")).to_be_visible()
    screenshot(leader, "groups-roster-approved")
    leader.close()

    page.reload()
    expect(page.get_by_role("heading", name="You are a member")).to_be_visible()
    expect(page.get_by_text(ROOM)).to_be_visible()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    screenshot(page, "groups-member-sees-private-details")
    assert "Welcome to Cotham GP Balint Group" in [m.subject for m in mail.outbox]
