"""Each persona's home in Chromium, wide and on a phone: what they must see first, and no
sideways scrolling at 390 px. Screenshots go to test-artifacts/screenshots/."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.services import request_to_join
from sessions.programmes.models import Cohort
from sessions.tasters.services import book_taster_seat
from tests.browser import screenshot
from tests.factories import PASSWORD, BalintGroupFactory, UserFactory, totp_code
from tests.home.conftest import meeting_ended
from tests.sessions.factories import MeetingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)


@pytest.fixture
def world(group, leader, member, programme, programme_admin, staff):
    group.format = "hybrid"
    group.save()
    MeetingFactory(group=group)
    MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=35))
    meeting_ended(group, days_ago=12.5)
    for name in ("Dr Ann Applicant", "Dr Ben Applicant"):
        request_to_join(group=group, person=UserFactory(display_name=name))
    trainee = UserFactory(display_name="Dr Tara Trainee", email="tara@example.org")
    book_taster_seat(
        meeting=group.meetings.filter(starts_at__gt=timezone.now()).first(), person=trainee
    )
    Cohort.objects.create(
        programme=programme,
        name="Spring block",
        starts_on=timezone.localdate() + timedelta(days=4),
        ends_on=timezone.localdate() + timedelta(days=60),
        required_meetings=4,
    )
    BalintGroupFactory(name="Exeter GP Balint Group")  # nobody leads it
    newcomer = UserFactory(display_name="Dr Nell Newcomer", email="nell@example.org")
    return {"trainee": trainee, "newcomer": newcomer}


def sign_in(browser, base: str, email: str):
    page = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for _ in range(2):  # staff and programme admins have an authenticator app
        if "/2fa/" not in page.url:
            break
        # A code used already (the other persona's, in the same 30 s) is refused: wait for the
        # next one rather than fail on the clock.
        page.wait_for_timeout(0 if _ == 0 else 1000 * (31 - time.time() % 30))
        page.get_by_label("Code").fill(totp_code())
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def no_sideways_scroll(page) -> None:
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the page scrolls sideways: {width} > {inner}"


EXPECTED = {
    "staff": ["Waiting for staff", "Exeter GP Balint Group has no leader"],
    "programme_admin": ["Your programmes", "Spring block starts", "not placed in a group yet"],
    "leader": ["2 requests to join Cotham GP Balint Group", "Locks in", "Your next meetings"],
    "member": ["Your next meetings", "Room 3, Cotham Health Centre", "Nothing needs you"],
    "trainee": ["Your taster seat", "Room 3, Cotham Health Centre", "Details or cancel"],
    "newcomer": ["Start here", "Book a taster seat"],
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_persona_lands_on_their_own_home(live_server, browser, request, world, persona):
    person = world.get(persona) or request.getfixturevalue(persona)
    page = sign_in(browser, live_server.url, person.email)

    assert page.url.rstrip("/") == live_server.url
    expect(page.get_by_role("heading", name=f"Hello, {person.display_name}")).to_be_visible()
    for text in EXPECTED[persona]:
        expect(page.get_by_text(re.compile(re.escape(text))).first).to_be_visible()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        no_sideways_scroll(page)
        screenshot(page, f"home-{persona}-{width}")
    page.context.close()


def test_the_leaders_main_action_is_a_large_tap_target_on_a_phone(
    live_server, browser, world, leader
):
    page = sign_in(browser, live_server.url, leader.email)
    page.set_viewport_size({"width": 390, "height": 900})
    page.reload()

    action = page.get_by_role("link", name=re.compile("Record the register"))
    box = action.bounding_box()
    assert box["height"] >= 44
    action.click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+/register/$"))
    page.context.close()
