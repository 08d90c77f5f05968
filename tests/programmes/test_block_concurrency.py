"""Two programme admins place overlapping cohorts in one group at the same moment: the group
never holds more places than its capacity on any day (real PostgreSQL row locks). The negative
control runs the same race without the group lock, where the rule must visibly break."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups.services import places_taken
from sessions.programmes.blocks import place_cohort_for_block
from tests.factories import BalintGroupFactory, UserFactory
from tests.groups.test_concurrency import (  # noqa: F401 (fixtures)
    _postgresql_only,
    at_once,
    slow_count,
    without_the_group_lock,
)
from tests.reports.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _two_overlapping_cohorts(programme):
    start = timezone.localdate() + timedelta(days=7)
    cohorts = []
    for name in ("Block A", "Block B"):
        cohort = CohortFactory(
            programme=programme, name=name, starts_on=start, ends_on=start + timedelta(days=27)
        )
        for n in range(10):
            EnrolmentFactory(cohort=cohort, person=UserFactory(email=f"{name[-1]}{n}@x.org"))
        cohorts.append(cohort)
    return cohorts


def _race(programme, programme_admin):
    group = BalintGroupFactory(programme=programme, capacity=16)
    cohorts = _two_overlapping_cohorts(programme)
    at_once(
        [
            lambda cohort=cohort: place_cohort_for_block(
                cohort=cohort, group=group, by=programme_admin
            )
            for cohort in cohorts
        ]
    )
    return places_taken(group, starts_on=cohorts[0].starts_on, until=cohorts[0].ends_on)


@pytest.mark.usefixtures("slow_count")
def test_overlapping_blocks_placed_at_once_never_exceed_the_capacity(programme, programme_admin):
    assert _race(programme, programme_admin) == 16


@pytest.mark.usefixtures("slow_count", "without_the_group_lock")
def test_negative_control_without_the_group_lock_the_capacity_breaks(programme, programme_admin):
    assert _race(programme, programme_admin) > 16
