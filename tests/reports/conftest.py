"""Fixtures for the reports tests, on top of the personas in tests/conftest.py.

`cohort` belongs to the personas' `programme` and is placed in `group`; `member` is its trainee
(enrolled from the cohort's first day, a member of the group since well before it)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.programmes.models import CohortPlacement
from tests.reports.factories import CohortFactory, EnrolmentFactory
from tests.sessions.factories import MeetingFactory


def days_ago(days: int, hour: int = 12):
    """A moment `days` days ago at `hour`:00 UTC (mid-day: the same day in London)."""
    moment = timezone.now() - timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def held_meeting(group, days: int, **fields):
    """A meeting of `group` that started `days` days ago."""
    return MeetingFactory(group=group, starts_at=days_ago(days), **fields)


@pytest.fixture
def cohort(programme, group):
    cohort = CohortFactory(programme=programme, name="Year 4 psychiatry, block 3")
    CohortPlacement.objects.create(cohort=cohort, group=group)
    return cohort


@pytest.fixture
def trainee(cohort, member, group):
    group.memberships.update(joined_at=timezone.now() - timedelta(days=400))
    EnrolmentFactory(cohort=cohort, person=member)
    return member
