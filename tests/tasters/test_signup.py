"""Signing up from an invitation's page: the address is filled in, counts as verified, and the
person comes straight back to the page to book."""

import re
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from balint.outbox.models import Message, MessageStatus
from groups.models import Membership, MembershipStatus, PendingMembershipInvite
from groups.services import add_member_by_email
from members.models import User
from sessions.programmes.cohorts import enrol_by_email
from sessions.programmes.models import Enrolment
from sessions.tasters.models import TasterInvitation
from tests.factories import BalintGroupFactory, LeadershipFactory, UserFactory
from tests.reports.factories import CohortFactory

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
    # No confirmation stands between the person and the seat (they are signed in at once)...
    assert response["Location"] != "/accounts/confirm-email/"
    # ...but the address counts as verified for this invitation only: a link to confirm it for
    # anything else sent to it goes out.
    (confirm,) = [m for m in mail.outbox if "confirm" in m.subject.lower()]
    assert "/me/confirm/" in confirm.body
    assert "/accounts/confirm-email/" not in confirm.body
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


def _sign_up_from_link(client, invite, django_capture_on_commit_callbacks, email: str):
    _, token = invite(email)
    url = signup_url(client, token)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        signup(client, url, email)
    return User.objects.get(email=email)


def _confirm_link(email: str) -> str:
    (message,) = [m for m in mail.outbox if email in m.to and "confirm" in m.subject.lower()]
    return re.search(r"http://[^/]+(/me/confirm/[^/\s]+/)", message.body).group(1)


def test_one_invitation_link_opens_no_other_group(
    client, invite, meeting, leader, django_capture_on_commit_callbacks
):
    """The attack: someone holding one taster link signs up with the invited address. That
    verifies it for this invitation only: another group's invitation to the same address, and a
    programme's, wait for the address to be confirmed by email."""
    other = BalintGroupFactory(name="Another group", slug="another", room="Room 7, Hidden House")
    other_leader = UserFactory(email="other.leader@example.org")
    LeadershipFactory(group=other, person=other_leader)
    add_member_by_email(group=other, by=other_leader, email="nia@example.org")
    cohort = CohortFactory()
    enrol_by_email(
        cohort=cohort, by=leader, emails=["nia@example.org"], enrolled_on=cohort.starts_on
    )

    user = _sign_up_from_link(client, invite, django_capture_on_commit_callbacks, "nia@example.org")

    assert not Membership.objects.filter(group=other, person=user).exists()
    assert not Enrolment.objects.filter(cohort=cohort, person=user).exists()
    assert "Hidden House" not in client.get("/groups/another/").content.decode()
    assert PendingMembershipInvite.objects.get(group=other).accepted_at is None


def test_confirming_the_address_by_email_takes_up_the_rest(
    client, invite, meeting, django_capture_on_commit_callbacks
):
    other = BalintGroupFactory(name="Another group", slug="another")
    other_leader = UserFactory(email="other.leader@example.org")
    LeadershipFactory(group=other, person=other_leader)
    add_member_by_email(group=other, by=other_leader, email="nia@example.org")
    user = _sign_up_from_link(client, invite, django_capture_on_commit_callbacks, "nia@example.org")
    link = _confirm_link("nia@example.org")

    assert "Confirm nia@example.org" in client.get(link).content.decode()  # a GET changes nothing
    assert not Membership.objects.filter(group=other, person=user).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)

    assert response.status_code == 302
    assert Membership.objects.get(group=other, person=user).status == MembershipStatus.ACTIVE


def test_a_confirmation_link_works_only_for_its_own_account(
    client, django_client, invite, meeting, django_capture_on_commit_callbacks
):
    _sign_up_from_link(client, invite, django_capture_on_commit_callbacks, "nia@example.org")
    link = _confirm_link("nia@example.org")
    django_client.force_login(UserFactory(email="mallory@example.org"))

    assert django_client.post(link).status_code == 404
    assert client.post(link.replace("/confirm/", "/confirm/x")).status_code == 404


def test_a_sent_invitation_keeps_no_working_token(invite, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, token = invite("nia@example.org")

    (message,) = Message.objects.filter(key__startswith="taster-invitation:")
    assert message.status == MessageStatus.SENT
    assert token in "".join(m.body for m in mail.outbox)  # the person got the link...
    assert token not in message.body_text + message.body_html  # ...the stored copy has none
    assert message.secrets == []
