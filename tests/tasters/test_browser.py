"""The whole taster journey in Chromium: a leader invites an address, the newcomer follows the
emailed link, signs up, books a seat, finds the booking and cancels it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from sessions.tasters.models import TasterBooking
from tests.browser import screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_leader_invites_a_newcomer_who_signs_up_books_and_cancels(
    live_server, page, group, leader, meeting
):
    base = live_server.url
    sign_in(page, base, leader.email)
    page.goto(f"{base}/tasters/{group.slug}/invitations/")
    page.get_by_label("Email addresses").fill("nia.newcomer@example.org\nnot an address")
    page.get_by_label("A personal message").fill("We would love you to try a meeting.")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("1 invitation sent.")).to_be_visible()
    expect(page.get_by_text("This is not a valid email address.")).to_be_visible()
    screenshot(page, "tasters-01-invitations")

    [email] = [m for m in mail.outbox if "nia.newcomer@example.org" in m.to]
    link = re.search(r"https?://\S+/tasters/invite/\S+/", email.body).group(0)
    link = re.sub(
        r"^https?://[^/]+", base, link
    )  # the site's address in tests is the live server's
    page.get_by_role("button", name="Sign out").click()

    page.goto(link)
    expect(page.get_by_role("heading", name=f"Try a meeting of {group.name}")).to_be_visible()
    screenshot(page, "tasters-02-landing")
    page.get_by_role("link", name="Create my account").click()
    expect(page.get_by_label("Email")).to_have_value("nia.newcomer@example.org")
    page.get_by_label("Your name").fill("Dr Nia Newcomer")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Password", exact=True).fill("a long and unusual passphrase")
    page.get_by_label(re.compile(r"Password \(again\)")).fill("a long and unusual passphrase")
    screenshot(page, "tasters-03-signup")
    page.get_by_role("button", name="Sign up").click()

    # Straight back on the invitation's page, signed in, without confirming the address.
    expect(page.get_by_role("link", name="Dr Nia Newcomer")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Try a meeting of {group.name}")).to_be_visible()
    screenshot(page, "tasters-04-landing-signed-in")
    page.get_by_role("button", name=re.compile("Book a seat")).first.click()

    expect(page.get_by_role("heading", name="Your taster seat")).to_be_visible()
    expect(page.get_by_text("is booked")).to_be_visible()
    expect(page.get_by_text("Room 3, Cotham Health Centre")).to_be_visible()
    screenshot(page, "tasters-05-booked")
    assert TasterBooking.objects.get().status == "booked"

    page.goto(f"{base}/meetings/mine/")
    expect(page.get_by_text("Your taster seat", exact=True)).to_be_visible()
    screenshot(page, "tasters-06-my-meetings")
    page.get_by_role("link", name=re.compile("Details or cancel")).click()
    page.get_by_text("Cancel my taster seat").click()
    page.get_by_role("button", name="Yes, cancel my seat").click()

    expect(page.get_by_text("Your taster booking has been cancelled")).to_be_visible()
    screenshot(page, "tasters-07-cancelled")
    assert TasterBooking.objects.get().status == "cancelled"


def test_a_visitor_on_the_group_page_is_led_to_book(live_server, page, group, meeting, taster):
    page.goto(f"{live_server.url}{group.get_absolute_url()}")
    page.get_by_role("link", name=re.compile("Book a taster seat")).first.click()
    page.get_by_label("Email").fill(taster.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Book a taster seat")).to_be_visible()
    screenshot(page, "tasters-08-book-page")
    page.get_by_role("button", name="Book my taster seat").click()
    expect(page.get_by_role("heading", name="Your taster seat")).to_be_visible()
