"""Joining by link in a real browser: staff create a programme and appoint its admin; the admin
makes a link needing approval; a trainee opens it, signs in from it and asks to join; the admin
approves; the trainee sees the cohort on their own page. Checked at 390 px too: nothing scrolls
sideways."""

import re

import pytest
from playwright.sync_api import expect

from sessions.programmes.models import Enrolment
from tests.browser import screenshot
from tests.factories import PASSWORD, UserFactory, totp_code
from tests.reports.factories import CohortFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email: str, *, start: str = "/accounts/login/") -> None:
    page.goto(live_server.url + start)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if "/2fa/" in page.url:  # staff and programme admins have an authenticator app
        page.get_by_label("Code").fill(totp_code())
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def no_sideways_scroll(page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide at 390px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_staff_appoint_an_admin_who_lets_a_trainee_join_by_link(
    live_server, browser, staff, programme_admin
):
    staff_page = browser.new_context().new_page()
    sign_in(staff_page, live_server, staff.email)
    staff_page.goto(f"{live_server.url}/programmes/all/new/")
    staff_page.get_by_label("Name").fill("Mersey GP scheme")
    staff_page.get_by_role("button", name="Create the programme").click()
    staff_page.get_by_label("Email address").fill(programme_admin.email)
    staff_page.get_by_role("button", name="Appoint").click()
    expect(
        staff_page.get_by_text("Helen Admin is now an admin of Mersey GP scheme.")
    ).to_be_visible()
    no_sideways_scroll(staff_page)
    screenshot(staff_page, "programmes-admins")

    cohort = CohortFactory(programme=programme_admin.administered_programmes.get(), name="Block 1")
    admin = browser.new_context().new_page()
    sign_in(admin, live_server, programme_admin.email)
    admin.goto(f"{live_server.url}/programmes/mersey-gp-scheme/cohorts/{cohort.pk}/")
    admin.get_by_label("Each person who uses it waits for an admin's approval").check()
    admin.get_by_role("button", name="Make a link").click()
    link = admin.locator("#enrolment-link").inner_text()
    assert re.fullmatch(r"http://\S+/programmes/enrol/[\w-]{43}/", link)
    no_sideways_scroll(admin)
    screenshot(admin, "programmes-link-made")

    trainee = UserFactory(display_name="Dr Tia Trainee", email="tia@example.org")
    visitor = browser.new_context().new_page()
    path = re.sub(r"^http://[^/]+", "", link)
    visitor.goto(live_server.url + path)
    visitor.locator("#main").get_by_role("link", name="Sign in").click()
    sign_in(visitor, live_server, trainee.email, start=visitor.url.replace(live_server.url, ""))
    expect(visitor.get_by_role("heading", name="Join Block 1")).to_be_visible()
    visitor.get_by_role("button", name="Ask to join").click()
    expect(visitor.get_by_text("You have asked to join.")).to_be_visible()
    no_sideways_scroll(visitor)

    admin.goto(f"{live_server.url}/programmes/mersey-gp-scheme/cohorts/{cohort.pk}/")
    admin.get_by_role("button", name="Approve Dr Tia Trainee").click()
    expect(admin.get_by_text("Dr Tia Trainee has been enrolled.")).to_be_visible()
    assert Enrolment.objects.get(person=trainee).cohort == cohort

    visitor.goto(f"{live_server.url}/programmes/certificates/mine/")
    expect(visitor.get_by_text("Block 1", exact=True)).to_be_visible()
    screenshot(visitor, "programmes-my-programmes")
