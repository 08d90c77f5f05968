"""The whole redirect flow in Chromium, against a real OpenID Connect provider on loopback: a new
account from the taster invitation page, linking to an existing account by a verified address,
refusing an unverified one, and two-factor still asked of an admin unless a trusted provider did
it."""

import re
import secrets
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from balint.audit.models import AuditEvent
from members.models import User
from sessions.tasters.models import TasterInvitation, hash_token
from tests.browser import screenshot
from tests.factories import UserFactory, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_at_provider(page, provider: str, sub: str) -> None:
    """On the site's sign-in page: choose the provider, then be `sub` at the provider."""
    page.get_by_role("button", name=f"Sign in with {provider}").click()
    page.get_by_label("Subject").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()


def test_a_newcomer_signs_in_with_nhsmail_from_a_taster_invitation_and_comes_back_to_it(
    live_server, page, nhsmail, group, leader
):
    token = secrets.token_urlsafe(32)
    TasterInvitation.objects.create(
        group=group,
        email="nia.newcomer@nhs.net",
        inviter=leader,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=14),
    )
    nhsmail.person(
        "nia-0001", email="nia.newcomer@nhs.net", email_verified=True, name="Dr Nia Newcomer"
    )
    page.goto(f"{live_server.url}/tasters/invite/{token}/")
    screenshot(page, "sign-in-01-invitation-with-providers")
    sign_in_at_provider(page, "NHSmail", "nia-0001")

    # Back on the invitation's page, signed in with a new account, without confirming anything.
    expect(page.get_by_role("heading", name=f"Try a meeting of {group.name}")).to_be_visible()
    expect(page.get_by_role("link", name="Dr Nia Newcomer")).to_be_visible()
    person = User.objects.get(email="nia.newcomer@nhs.net")
    assert person.display_name == "Dr Nia Newcomer"
    assert not person.has_usable_password()
    assert EmailAddress.objects.get(user=person).verified
    account = SocialAccount.objects.get(user=person)
    assert (account.provider, account.uid) == ("nhsmail", "nia-0001")
    screenshot(page, "sign-in-02-back-on-the-invitation")


def test_a_verified_address_links_the_provider_account_to_the_existing_account(
    live_server, page, nhsmail
):
    existing = UserFactory(display_name="Dr Ada Existing", email="ada@nhs.net")
    nhsmail.person("ada-0002", email="ada@nhs.net", email_verified=True, name="Ada E")
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "sign-in-03-sign-in-page")
    sign_in_at_provider(page, "NHSmail", "ada-0002")

    expect(page.get_by_role("link", name="Dr Ada Existing")).to_be_visible()
    assert User.objects.count() == 1
    assert SocialAccount.objects.get().user == existing
    assert AuditEvent.objects.filter(actor=existing, action="sign_in.link").exists()

    page.goto(f"{live_server.url}/accounts/3rdparty/")
    expect(page.get_by_text("NHSmail: ada@nhs.net")).to_be_visible()
    screenshot(page, "sign-in-04-linked-accounts")


def test_an_unverified_address_is_not_linked_and_its_owner_is_emailed_instead(
    live_server, page, nhsmail
):
    existing = UserFactory(display_name="Dr Bea Victim", email="bea@nhs.net")
    nhsmail.person("mallory-0003", email="bea@nhs.net", email_verified=False, name="Mallory")
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in_at_provider(page, "NHSmail", "mallory-0003")

    # Nobody is signed in: the page says to look for an email, as it would for anyone.
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_role("heading", name=re.compile("email", re.I))).to_be_visible()
    screenshot(page, "sign-in-05-unverified-address")
    assert not SocialAccount.objects.filter(user=existing).exists()
    assert User.objects.count() == 1
    existing.refresh_from_db()
    assert existing.has_usable_password()
    assert [m.to for m in mail.outbox] == [["bea@nhs.net"]]
    # The owner's email says how to link it: only the owner, signed in, can.
    assert "Mallory" not in mail.outbox[0].body

    page.goto(f"{live_server.url}/me/profile/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_an_admin_is_still_asked_for_their_second_factor(
    live_server, page, nhsmail, programme_admin
):
    nhsmail.person("helen-0004", email=programme_admin.email, email_verified=True, amr=["mfa"])
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in_at_provider(page, "NHSmail", "helen-0004")

    # NHSmail is not trusted for two-factor here: its "mfa" claim counts for nothing.
    expect(page.get_by_label("Code")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    screenshot(page, "sign-in-06-admin-asked-for-code")
    page.get_by_label("Code").fill(totp_code())
    page.get_by_role("button", name=re.compile("Sign in|Continue|Verify", re.I)).click()
    expect(page.get_by_role("link", name=programme_admin.display_name)).to_be_visible()


def test_a_provider_trusted_for_two_factor_that_did_it_stands_in_for_the_sites(
    live_server, page, nhsmail
):
    staff = UserFactory(display_name="Dr Stan Staff", email="stan@nhs.net", is_staff=True)
    nhsmail.person("stan-0005", email="stan@nhs.net", email_verified=True, amr=["pwd", "mfa"])
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in_at_provider(page, "Trust SSO", "stan-0005")

    # Signed in, and not sent to set up an authenticator app although staff have to have one.
    expect(page.get_by_role("link", name=staff.display_name)).to_be_visible()
    page.goto(f"{live_server.url}/groups/")
    expect(page).to_have_url(re.compile(r"/groups/"))
    expect(page.get_by_text("needs two-factor authentication")).to_have_count(0)


def test_a_trusted_provider_that_did_not_do_two_factor_leaves_the_sites_rule_in_place(
    live_server, page, nhsmail
):
    UserFactory(display_name="Dr Sue Staff", email="sue@nhs.net", is_staff=True)
    nhsmail.person("sue-0006", email="sue@nhs.net", email_verified=True, amr=["pwd"])
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in_at_provider(page, "Trust SSO", "sue-0006")

    # On the way to setting up an authenticator app (confirming who they are first), from
    # wherever they go.
    expect(page.get_by_text("needs two-factor authentication")).to_be_visible()
    expect(page).to_have_url(re.compile(r"2fa(/|%2F)totp(/|%2F)activate"))
    page.goto(f"{live_server.url}/groups/")
    expect(page).to_have_url(re.compile(r"2fa(/|%2F)totp(/|%2F)activate"))


def test_a_provider_that_sends_no_address_leads_to_a_form_and_a_confirmation_email(
    live_server, page, nhsmail
):
    nhsmail.person("noemail-0007", name="Dr Ned Noemail")
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in_at_provider(page, "NHSmail", "noemail-0007")

    expect(page.get_by_role("heading", name="Finish creating your account")).to_be_visible()
    screenshot(page, "sign-in-07-finish-account")
    expect(page.get_by_label("Your name")).to_have_value("Dr Ned Noemail")
    page.get_by_label("Email").fill("ned@nhs.net")
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    person = User.objects.get(email="ned@nhs.net")
    assert not EmailAddress.objects.get(user=person).verified
    assert SocialAccount.objects.get(user=person).uid == "noemail-0007"
    assert [m.to for m in mail.outbox] == [["ned@nhs.net"]]
