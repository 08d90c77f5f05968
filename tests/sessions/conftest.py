"""Fixtures for the meetings tests, on top of the personas in tests/conftest.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.sessions.factories import MeetingFactory


@pytest.fixture
def meeting(group):
    """An upcoming meeting of the personas' group."""
    return MeetingFactory(group=group)


@pytest.fixture
def past_meeting(group, leader, member):
    """A meeting of the group that ended an hour ago; the member joined well before it."""
    starts_at = timezone.now() - timedelta(hours=2, minutes=30)
    group.memberships.update(joined_at=starts_at - timedelta(days=60))
    return MeetingFactory(group=group, starts_at=starts_at)
