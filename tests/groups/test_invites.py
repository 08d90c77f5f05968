"""An address added by a leader joins the group once its owner signs up and confirms it."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import user_signed_up
from django.core import mail

from groups import services
from groups.models import MembershipStatus
from members.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "New.GP@example.org",
    "display_name": "Dr New GP",
    "time_zone": "Europe/London",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


def confirmation_link() -> str:
    for message in mail.outbox:
        match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
        if match:
            return match.group(1)
    raise AssertionError("no confirmation email")


def test_an_invited_address_joins_when_its_owner_confirms_it(
    client, django_capture_on_commit_callbacks, group, leader
):
    services.add_member_by_email(group=group, email="new.gp@example.org", by=leader)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP)
    person = User.objects.get(email__iexact="new.gp@example.org")
    assert not group.memberships.filter(person=person).exists()  # Not before it is verified.

    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirmation_link())

    membership = group.memberships.get(person=person)
    assert (membership.status, membership.updated_by) == (MembershipStatus.ACTIVE, leader)
    assert group.invites.get().accepted_at is not None
    assert "Welcome to Cotham GP Balint Group" in [m.subject for m in mail.outbox]
    assert group.room in client.get("/groups/cotham/").text


def test_an_address_verified_at_sign_up_joins_at_once(group, leader):
    services.add_member_by_email(group=group, email="new.gp@example.org", by=leader)
    person = UserFactory(email="new.gp@example.org")  # The factory verifies the address.

    user_signed_up.send(sender=User, request=None, user=person)

    assert group.memberships.get(person=person).status == MembershipStatus.ACTIVE


def test_an_unverified_address_does_not_join_at_sign_up(group, leader):
    services.add_member_by_email(group=group, email="new.gp@example.org", by=leader)
    person = UserFactory(email="new.gp@example.org", verified=False)
    EmailAddress.objects.create(user=person, email=person.email, verified=False, primary=True)

    user_signed_up.send(sender=User, request=None, user=person)

    assert not group.memberships.filter(person=person).exists()
    assert group.invites.get().accepted_at is None
