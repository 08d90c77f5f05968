"""Fixtures for the groups tests, on top of the personas in tests/conftest.py."""

import pytest

from groups.models import Membership, MembershipStatus
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def everyone(leader, member, stranger, other_member, other_leader, programme_admin, staff):
    """Every persona exists, so each sees the group from their own side."""
    return {
        "leader": leader,
        "member": member,
        "stranger": stranger,
        "other_member": other_member,
        "other_leader": other_leader,
        "programme_admin": programme_admin,
        "staff": staff,
    }


@pytest.fixture
def newcomer(db):
    return UserFactory(display_name="Dr Nia Newcomer", email="nia@example.org")


@pytest.fixture
def join_request(group, newcomer) -> Membership:
    return MembershipFactory(
        group=group, person=newcomer, status=MembershipStatus.REQUESTED, joined_at=None
    )


def fill(group, count: int, status: str = MembershipStatus.ACTIVE) -> list[Membership]:
    """Add `count` people to the group with `status` (bypassing the rules, for set-up only)."""
    return MembershipFactory.create_batch(count, group=group, status=status)


def statuses(group) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in group.memberships.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts
