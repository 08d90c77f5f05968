"""Fixtures for the taster tests, on top of the personas in tests/conftest.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.tasters import emails
from sessions.tasters.invitations import invite_tasters
from sessions.tasters.models import TasterInvitation
from tests.factories import UserFactory
from tests.sessions.factories import MeetingFactory


@pytest.fixture
def meeting(group):
    """An upcoming meeting of the personas' group (2 taster seats, the group's default)."""
    return MeetingFactory(group=group)


@pytest.fixture
def later_meeting(group):
    return MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=21))


@pytest.fixture
def taster(db):
    """A signed-in newcomer with no part in any group."""
    return UserFactory(display_name="Dr Tia Taster", email="tia@example.org")


@pytest.fixture
def invite(group, leader, monkeypatch):
    """`invite("x@example.org")` → (invitation, raw token), as the leader would send it. The raw
    token exists only in the email, so it is caught on its way there."""
    tokens = []
    real = emails.invitation

    def capture(invitation, *, token):
        tokens.append(token)
        real(invitation, token=token)

    monkeypatch.setattr(emails, "invitation", capture)

    def send(email: str = "newcomer@example.org", **kwargs) -> tuple[TasterInvitation, str]:
        invite_tasters(group=group, by=leader, addresses=email, **kwargs)
        return TasterInvitation.objects.get(group=group, email=email), tokens[-1]

    send.tokens = tokens
    return send
