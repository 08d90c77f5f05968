import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from members.models import User
from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_newcomer_signs_up_confirms_and_signs_in(live_server, page):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Sign up").first.click()

    page.get_by_label("Email").fill("ella.newcomer@example.org")
    page.get_by_label("Your name").fill("Dr Ella Newcomer")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Password", exact=True).fill("a long and unusual passphrase")
    page.get_by_label(re.compile("Password \\(again\\)")).fill("a long and unusual passphrase")
    screenshot(page, "signup-form")
    page.get_by_role("button", name="Sign up").click()

    expect(
        page.get_by_role("heading", name=re.compile("Confirm your email address", re.I))
    ).to_be_visible()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)

    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("link", name="Dr Ella Newcomer")).to_be_visible()
    screenshot(page, "signed-in-home")
    assert User.objects.get(email="ella.newcomer@example.org").emailaddress_set.get().verified

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email").fill("ella.newcomer@example.org")
    page.get_by_label("Password").fill("a long and unusual passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Dr Ella Newcomer")).to_be_visible()
