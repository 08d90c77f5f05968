"""The one answer to each role question about a group: who is expected at its meetings, who
may invite tasters. Pages, operations and calendars all ask `roles_in_group` / GroupAccess."""

import pytest

from groups.access import roles_in_group
from groups.models import GroupStatus, MembershipStatus
from tests.factories import MembershipFactory, UserFactory

PERSONAS = ["leader", "member", "programme_admin", "staff", "stranger"]
EXPECTED = {"leader", "member"}
INVITERS = {"leader", "programme_admin", "staff"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_leaders_and_active_members_are_expected_at_the_groups_meetings(request, group, persona):
    person = request.getfixturevalue(persona)
    assert roles_in_group(person, group).is_expected_at_meetings == (persona in EXPECTED)
    assert roles_in_group(person, group.pk).is_expected_at_meetings == (persona in EXPECTED)


@pytest.mark.parametrize("persona", PERSONAS)
def test_leaders_programme_admins_and_staff_may_invite_tasters(request, group, persona):
    person = request.getfixturevalue(persona)
    assert roles_in_group(person, group).can_invite_tasters == (persona in INVITERS)


@pytest.mark.parametrize(
    "status", [MembershipStatus.REQUESTED, MembershipStatus.WAITLISTED, MembershipStatus.OFFERED]
)
def test_someone_not_yet_a_member_is_not_expected(group, status):
    person = UserFactory()
    MembershipFactory(group=group, person=person, status=status)
    assert not roles_in_group(person, group).is_expected_at_meetings


def test_the_answer_holds_for_a_closed_group_too(group, leader):
    group.status = GroupStatus.CLOSED
    group.save(update_fields=["status"])
    assert roles_in_group(leader, group).is_expected_at_meetings


def test_the_roles_of_one_person_cost_one_query(group, member, django_assert_num_queries):
    with django_assert_num_queries(1):
        roles_in_group(member, group.pk)
