"""Signing up from an invitation's page: the address is filled in, counts as verified, and the
person comes straight back to the page to book."""

import re
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from members.models import User
from sessions.tasters.models import TasterInvitation

pytestmark = pytest.mark.django_db


def signup(client, url: str, email: str):
    return client.post(
        url,
        {
            "email": email,
            "display_name": "Dr Nia Newcomer",
            "time_zone": "Europe/London",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )


def signup_url(client, token: str) -> str:
    page = client.get(f"/tasters/invite/{token}/").content.decode()
    return re.search(r'href="(/accounts/signup/\?[^"]+)"', page).group(1).replace("&amp;", "&")


def test_signing_up_from_the_link_prefills_verifies_and_returns_to_the_page(
    client, invite, meeting, django_capture_on_commit_callbacks
):
    _, token = invite("nia@example.org")
    url = signup_url(client, token)

    form = client.get(url).content.decode()
    assert 'value="nia@example.org"' in form
    assert f"/tasters/invite/{token}/" in unquote(form)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, url, "nia@example.org")

    assert response.status_code == 302
    assert response["Location"] == f"/tasters/invite/{token}/"
    user = User.objects.get(email="nia@example.org")
    assert EmailAddress.objects.get(user=user).verified
    assert not [m for m in mail.outbox if "confirm" in m.subject.lower()]
    # Back on the page, signed in: the person takes the invitation up and can book.
    page = client.get(response["Location"]).content.decode()
    assert f'action="/tasters/meetings/{meeting.pk}/book/"' in page
    assert TasterInvitation.objects.get().accepted_by == user


def test_another_address_still_needs_confirming(client, invite, django_capture_on_commit_callbacks):
    _, token = invite("nia@example.org")
    url = signup_url(client, token)

    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, url, "someone.else@example.org")

    user = User.objects.get(email="someone.else@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert "/accounts/confirm-email/" in response["Location"]
    assert any("someone.else@example.org" in m.to for m in mail.outbox)


def test_without_the_link_the_address_is_not_verified(client, invite):
    invite("nia@example.org")

    signup(client, "/accounts/signup/?email=nia@example.org", "nia@example.org")

    assert not EmailAddress.objects.get(email="nia@example.org").verified


def test_a_link_taken_up_already_verifies_nothing(client, django_client, invite, taster):
    _, token = invite("nia@example.org")
    url = signup_url(client, token)
    django_client.force_login(taster)
    django_client.get(f"/tasters/invite/{token}/")  # someone else took it up meanwhile

    signup(client, url, "nia@example.org")

    assert not EmailAddress.objects.get(email="nia@example.org").verified
