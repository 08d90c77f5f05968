"""The two-factor rule after a provider's sign-in, and the page where people see and unlink their
organisation accounts (allauth's connections view): who may use it, and what it refuses."""

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth import SESSION_KEY

from balint.audit.models import AuditEvent
from groups.mfa import PROVIDER_MFA_SESSION_KEY
from tests.admin.conftest import assert_refused
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SETUP = "/accounts/2fa/totp/activate/"
CONNECTIONS = "/accounts/3rdparty/"


def with_session(client, **values) -> None:
    session = client.session
    session.update(values)
    session.save()


def test_a_session_with_the_providers_trusted_second_factor_needs_no_authenticator(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get("/groups/")["Location"].startswith(SETUP)

    with_session(client, **{PROVIDER_MFA_SESSION_KEY: staff.pk})

    assert client.get("/groups/").status_code == 200


def test_the_note_counts_only_for_the_person_it_was_made_for(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    with_session(client, **{PROVIDER_MFA_SESSION_KEY: staff.pk + 1})

    assert client.get("/groups/")["Location"].startswith(SETUP)


def test_a_sign_in_with_a_password_drops_any_note_of_the_providers_second_factor(client):
    staff = UserFactory(is_staff=True)
    # A note left in the session before signing in (the session outlives the sign-in).
    with_session(client, **{PROVIDER_MFA_SESSION_KEY: staff.pk})
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})

    assert int(client.session[SESSION_KEY]) == staff.pk
    assert PROVIDER_MFA_SESSION_KEY not in client.session
    assert client.get("/groups/")["Location"].startswith(SETUP)


def test_the_organisation_accounts_page_asks_a_visitor_to_sign_in(client):
    response = client.get(CONNECTIONS)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_organisation_accounts_page_shows_an_empty_state(client_for):
    response = client_for("member").get(CONNECTIONS)

    assert response.status_code == 200
    assert "No organisation account is linked to yours." in response.text


def test_unlinking_an_account_is_audited(client_for, member):
    account = SocialAccount.objects.create(user=member, provider="nhsmail", uid="mo-1")

    response = client_for("member").post(CONNECTIONS, {"account": account.pk})

    assert response.status_code == 302
    assert not SocialAccount.objects.exists()
    event = AuditEvent.objects.get(action="sign_in.unlink")
    assert event.actor == member and "mo-1" not in event.summary


def test_nobody_can_unlink_someone_elses_account(client_for, member, stranger):
    mine = SocialAccount.objects.create(user=member, provider="nhsmail", uid="mo-1")
    theirs = SocialAccount.objects.create(user=stranger, provider="nhsmail", uid="sid-1")

    response = client_for("member").post(CONNECTIONS, {"account": theirs.pk})

    assert response.status_code == 200
    assert "Please choose the account to unlink." in response.text
    assert set(SocialAccount.objects.all()) == {mine, theirs}


def test_the_last_way_to_sign_in_cannot_be_unlinked(client):
    person = UserFactory(password=None)
    person.set_unusable_password()
    person.save()
    account = SocialAccount.objects.create(user=person, provider="nhsmail", uid="p-1")
    client.force_login(person)

    response = client.post(CONNECTIONS, {"account": account.pk})

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_nothing_chosen_is_a_form_error_not_a_crash(client_for, member):
    SocialAccount.objects.create(user=member, provider="nhsmail", uid="mo-1")

    response = client_for("member").post(CONNECTIONS, {"account": "not a number"})

    assert response.status_code == 200
    assert "Please choose the account to unlink." in response.text


def test_an_account_of_a_provider_no_longer_offered_can_be_seen_and_unlinked(client_for, member):
    account = SocialAccount.objects.create(
        user=member, provider="retired", uid="mo-2", extra_data={"userinfo": {"email": "m@x.org"}}
    )
    client = client_for("member")

    assert "retired (no longer offered): m@x.org" in client.get(CONNECTIONS).text
    assert client.post(CONNECTIONS, {"account": account.pk}).status_code == 302
    assert not SocialAccount.objects.exists()


def test_signing_in_through_a_provider_not_offered_is_not_found(client):
    SocialAccount.objects.create(user=UserFactory(), provider="retired", uid="x")

    assert client.post("/accounts/oidc/retired/login/").status_code == 404
    assert client.post("/accounts/oidc/never-was/login/").status_code == 404
    # A return from a provider with no sign-in started here is refused (allauth: unknown state).
    callback = "/accounts/oidc/never-was/login/callback/?code=x&state=y"
    assert client.get(callback).status_code == 401


def test_a_provider_row_in_the_database_is_not_offered(client):
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="sneaky",
        name="Sneaky",
        client_id="x",
        settings={"server_url": "https://evil.example.org"},
    )

    assert "Sneaky" not in client.get("/accounts/login/").text
    assert client.post("/accounts/oidc/sneaky/login/").status_code == 404


def test_linked_accounts_are_read_only_in_the_admin_and_providers_are_not_there(
    admin_client, member
):
    account = SocialAccount.objects.create(user=member, provider="nhsmail", uid="mo-1")
    url = f"/admin/socialaccount/socialaccount/{account.pk}/change/"

    assert_refused(admin_client, url, {"user": admin_client.session["_auth_user_id"]})
    assert admin_client.get("/admin/socialaccount/socialapp/").status_code == 404
    assert SocialAccount.objects.get().user == member
