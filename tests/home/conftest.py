"""Fixtures for the signed-in home: meetings of the personas' group, a taster, helpers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.meetings.models import Meeting
from tests.factories import UserFactory
from tests.sessions.factories import MeetingFactory


@pytest.fixture
def meeting(group) -> Meeting:
    """The group's next meeting, in a week."""
    return MeetingFactory(group=group)


@pytest.fixture
def taster(db):
    return UserFactory(display_name="Dr Tia Taster", email="tia@example.org")


def meeting_ended(group, *, days_ago: float, **fields) -> Meeting:
    """A meeting of `group` that ended `days_ago` days ago."""
    ends = timezone.now() - timedelta(days=days_ago)
    return MeetingFactory(
        group=group, starts_at=ends - timedelta(minutes=90), ends_at=ends, **fields
    )


def page_of(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()
