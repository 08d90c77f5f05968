import re

import pytest
from django.core import mail

from members.models import User

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new.trainee@example.org",
    "display_name": "Dr New Trainee",
    "time_zone": "Europe/London",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


def confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_sends_a_verification_email_and_login_waits_for_it(client):
    response = client.post("/accounts/signup/", SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="new.trainee@example.org")
    assert (user.display_name, user.time_zone) == ("Dr New Trainee", "Europe/London")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.trainee@example.org"]

    client.logout()
    response = client.post(
        "/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_confirming_the_email_signs_the_person_in(client):
    client.post("/accounts/signup/", SIGNUP)
    link = confirmation_link(mail.outbox[0])

    assert client.get(link).status_code == 200
    response = client.post(link)

    assert response.status_code == 302
    user = User.objects.get(email=SIGNUP["email"])
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.emailaddress_set.get().verified


def test_confirming_from_another_browser_verifies_without_signing_in(client, django_client):
    client.post("/accounts/signup/", SIGNUP)
    link = confirmation_link(mail.outbox[0])

    response = django_client.post(link)

    assert response.status_code == 302
    assert "_auth_user_id" not in django_client.session
    assert User.objects.get(email=SIGNUP["email"]).emailaddress_set.get().verified


def test_a_verified_person_logs_in_and_out(client):
    client.post("/accounts/signup/", SIGNUP)
    client.post(confirmation_link(mail.outbox[0]))
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session

    response = client.post(
        "/accounts/login/", {"login": "NEW.TRAINEE@example.org", "password": SIGNUP["password1"]}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" in client.session


def test_signup_explains_what_is_wrong(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "time_zone": "Mars/Olympus"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not User.objects.exists()


@pytest.mark.parametrize("name", ["Dr New\r\nTrainee", '\x01=HYPERLINK("http://x")', "Dr\tNew"])
def test_signup_refuses_a_name_with_a_control_character(client, name):
    response = client.post("/accounts/signup/", {**SIGNUP, "display_name": name})

    assert response.status_code == 200
    assert "Your name cannot contain line breaks, tabs or other invisible control" in response.text
    assert not User.objects.exists()


def test_a_second_account_with_the_same_email_in_other_case_is_refused(client, stranger):
    response = client.post("/accounts/signup/", {**SIGNUP, "email": stranger.email.upper()})

    # allauth does not reveal that the address is taken: it says a mail was sent, and mails
    # the owner instead; what matters is that no second account exists.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.filter(email__iexact=stranger.email).count() == 1


def test_password_reset_mails_a_link(client, stranger):
    response = client.post("/accounts/password/reset/", {"email": stranger.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.parametrize(
    "url",
    ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"],
)
def test_account_pages_use_the_site_layout(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert 'class="site-header"' in response.text
    assert "Skip to main content" in response.text


@pytest.mark.parametrize(
    "url", ["/accounts/2fa/", "/accounts/email/", "/accounts/password/change/"]
)
def test_account_management_pages_open_for_a_signed_in_person(client, stranger, url):
    client.force_login(stranger)

    response = client.get(url)

    assert response.status_code == 200
    assert 'class="site-header"' in response.text
