"""Capacity holds when leaders act at the same moment (real PostgreSQL row locks)."""

import threading
import time

import pytest
from django.db import connection

from groups import services
from groups.models import BalintGroup, LeaderRole, MembershipStatus
from groups.services import joining, leading, rules
from tests.factories import BalintGroupFactory, LeadershipFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


@pytest.fixture
def slow_count(monkeypatch):
    """Widen the race: each operation waits between counting the places and writing, as a busy
    server might. Without the group lock every thread would count the same free place."""
    count = rules.places_taken

    def counted_slowly(group):
        taken = count(group)
        time.sleep(0.2)
        return taken

    for module in (rules, joining, leading):
        monkeypatch.setattr(module, "places_taken", counted_slowly)


def at_once(calls) -> list:
    """Run each call in its own thread with its own database connection, all released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # The test inspects what each thread got.
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_leaders_approving_at_once_never_exceed_capacity(slow_count):
    group = BalintGroupFactory(capacity=4)
    MembershipFactory.create_batch(3, group=group)
    requests = MembershipFactory.create_batch(
        4, group=group, status=MembershipStatus.REQUESTED, joined_at=None
    )
    leaders = [LeadershipFactory(group=group, role=LeaderRole.CO_LEADER).person for _ in requests]

    results = at_once(
        [
            lambda r=request, by=leader: services.approve_request(
                group=group, membership_id=r.pk, by=by
            )
            for request, leader in zip(requests, leaders, strict=True)
        ]
    )

    statuses = sorted(result.status for result in results)
    assert statuses == ["active", "waitlisted", "waitlisted", "waitlisted"]
    assert group.memberships.filter(status=MembershipStatus.ACTIVE).count() == 4


def test_adding_and_approving_at_once_for_the_last_place(slow_count):
    group = BalintGroupFactory(capacity=3)
    MembershipFactory.create_batch(2, group=group)
    request = MembershipFactory(group=group, status=MembershipStatus.REQUESTED, joined_at=None)
    leader = LeadershipFactory(group=group).person
    co_leader = LeadershipFactory(group=group, role=LeaderRole.CO_LEADER).person
    outsider = MembershipFactory.build().person
    outsider.save()

    results = at_once(
        [
            lambda: services.approve_request(group=group, membership_id=request.pk, by=leader),
            lambda: services.add_member_by_email(group=group, email=outsider.email, by=co_leader),
        ]
    )

    held = group.memberships.filter(status__in=["active", "offered"]).count()
    assert held == 3
    refused = [r for r in results if isinstance(r, services.GroupError)]
    waitlisted = [r for r in results if getattr(r, "status", None) == "waitlisted"]
    assert len(refused) + len(waitlisted) == 1


def test_the_same_request_approved_twice_at_once_is_approved_once(slow_count):
    group = BalintGroupFactory()
    request = MembershipFactory(group=group, status=MembershipStatus.REQUESTED, joined_at=None)
    leaders = [LeadershipFactory(group=group).person for _ in range(2)]

    results = at_once(
        [
            lambda by=by: services.approve_request(group=group, membership_id=request.pk, by=by)
            for by in leaders
        ]
    )

    assert sum(isinstance(r, services.GroupError) for r in results) == 1
    assert request.events.count() == 1


def test_a_capacity_cut_and_an_approval_at_once_never_leave_the_group_over_capacity(slow_count):
    group = BalintGroupFactory(capacity=6)
    MembershipFactory.create_batch(5, group=group)
    request = MembershipFactory(group=group, status=MembershipStatus.REQUESTED, joined_at=None)
    leader = LeadershipFactory(group=group).person

    at_once(
        [
            lambda: services.approve_request(group=group, membership_id=request.pk, by=leader),
            lambda: services.update_group_settings(group=group, by=leader, changes={"capacity": 5}),
        ]
    )

    group = BalintGroup.objects.get(pk=group.pk)
    assert group.places_taken <= group.capacity
