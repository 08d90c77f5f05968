"""Capacity holds when leaders act at the same moment (real PostgreSQL row locks).

Each test has a negative control: the same race with the group lock replaced by a plain read
(`without_the_group_lock`), where the rule must visibly break. It proves the test can see the race
it guards against, so it would fail if the lock were lost.
"""

import time

import pytest
from django.db import connection

from groups import services
from groups.models import BalintGroup, LeaderRole, MembershipStatus
from groups.services import joining, leading, rules
from tests.concurrency import at_once
from tests.factories import BalintGroupFactory, LeadershipFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


# Where the group services take the group lock: each module that calls it, by the name it calls.
# If the lock helper moves, point these at its new callers.
GROUP_LOCK_CALLERS = [(joining, "lock_group"), (leading, "lock_group")]


@pytest.fixture
def without_the_group_lock(monkeypatch):
    """The negative control: every group operation reads its group without locking it."""

    def plain_read(group):
        return BalintGroup.objects.get(pk=group.pk)

    for module, name in GROUP_LOCK_CALLERS:
        assert callable(getattr(module, name)), (module, name)
        monkeypatch.setattr(module, name, plain_read)


@pytest.fixture
def slow_count(monkeypatch):
    """Widen the race: each operation waits between counting the places and writing, as a busy
    server might. Without the group lock every thread would count the same free place."""
    count = rules.places_taken

    def counted_slowly(group, **days):
        taken = count(group, **days)
        time.sleep(0.2)
        return taken

    for module in (rules, joining, leading):
        monkeypatch.setattr(module, "places_taken", counted_slowly)


def approve_four_requests_for_the_last_place():
    """Four leaders approve four requests at once; one place is free. Returns (group, results)."""
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
    return group, results


def test_leaders_approving_at_once_never_exceed_capacity(slow_count):
    group, results = approve_four_requests_for_the_last_place()

    statuses = sorted(result.status for result in results)
    assert statuses == ["active", "waitlisted", "waitlisted", "waitlisted"]
    assert group.memberships.filter(status=MembershipStatus.ACTIVE).count() == 4


def test_without_the_group_lock_approvals_at_once_overfill_the_group(
    slow_count, without_the_group_lock
):
    group, results = approve_four_requests_for_the_last_place()

    assert [result.status for result in results] == ["active"] * 4
    assert group.memberships.filter(status=MembershipStatus.ACTIVE).count() == 7


def add_and_approve_for_the_last_place():
    """One leader approves a request while another adds someone; one place is free."""
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
    return group, results


def test_adding_and_approving_at_once_for_the_last_place(slow_count):
    group, results = add_and_approve_for_the_last_place()

    held = group.memberships.filter(status__in=["active", "offered"]).count()
    assert held == 3
    refused = [r for r in results if isinstance(r, services.GroupError)]
    waitlisted = [r for r in results if getattr(r, "status", None) == "waitlisted"]
    assert len(refused) + len(waitlisted) == 1


def test_without_the_group_lock_adding_and_approving_both_take_the_last_place(
    slow_count, without_the_group_lock
):
    group, results = add_and_approve_for_the_last_place()

    assert [getattr(result, "status", result) for result in results] == ["active", "active"]
    assert group.memberships.filter(status__in=["active", "offered"]).count() == 4


def approve_one_request_twice():
    group = BalintGroupFactory()
    request = MembershipFactory(group=group, status=MembershipStatus.REQUESTED, joined_at=None)
    leaders = [LeadershipFactory(group=group).person for _ in range(2)]

    results = at_once(
        [
            lambda by=by: services.approve_request(group=group, membership_id=request.pk, by=by)
            for by in leaders
        ]
    )
    return request, results


def test_the_same_request_approved_twice_at_once_is_approved_once(slow_count):
    request, results = approve_one_request_twice()

    assert sum(isinstance(r, services.GroupError) for r in results) == 1
    assert [r.status for r in results if not isinstance(r, Exception)] == ["active"]
    assert request.events.count() == 1


def test_without_the_group_lock_one_request_is_approved_twice(slow_count, without_the_group_lock):
    request, results = approve_one_request_twice()

    assert [getattr(result, "status", result) for result in results] == ["active", "active"]
    assert request.events.count() == 2


def cut_capacity_while_approving():
    """Capacity 6 with 5 members: one leader approves a request as another cuts capacity to 5."""
    group = BalintGroupFactory(capacity=6)
    MembershipFactory.create_batch(5, group=group)
    request = MembershipFactory(group=group, status=MembershipStatus.REQUESTED, joined_at=None)
    leader = LeadershipFactory(group=group).person

    approval, cut = at_once(
        [
            lambda: services.approve_request(group=group, membership_id=request.pk, by=leader),
            lambda: services.update_group_settings(group=group, by=leader, changes={"capacity": 5}),
        ]
    )
    return BalintGroup.objects.get(pk=group.pk), approval, cut


def test_a_capacity_cut_and_an_approval_at_once_never_leave_the_group_over_capacity(slow_count):
    group, approval, cut = cut_capacity_while_approving()

    # One of them went first, and the other saw what it had done.
    if isinstance(cut, services.GroupError):
        # The approval took the sixth place; the cut below six was refused.
        assert approval.status == "active"
        assert "cannot be lower than 6" in cut.message
        assert (group.capacity, group.places_taken) == (6, 6)
    else:
        # The cut came first; the approval found the group full and waitlisted the request.
        assert cut.capacity == 5
        assert approval.status == "waitlisted"
        assert (group.capacity, group.places_taken) == (5, 5)


def test_without_the_group_lock_a_capacity_cut_and_an_approval_overfill_the_group(
    slow_count, without_the_group_lock
):
    group, approval, cut = cut_capacity_while_approving()

    assert approval.status == "active"
    assert cut.capacity == 5
    assert (group.capacity, group.places_taken) == (5, 6)
