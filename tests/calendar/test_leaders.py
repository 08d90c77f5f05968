"""Leaders' nudges: the register prompt the morning after, and the daily join-request digest,
each once however often the scans run."""

import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from groups.models import GroupStatus, MembershipStatus
from sessions.calendar.leaders import (
    queue_join_request_digests,
    queue_register_prompts,
    register_prompt_due_at,
)
from sessions.meetings.models import (
    AttendanceRecord,
    AttendanceRole,
    AttendanceStatus,
    MeetingStatus,
)
from tests.calendar.conftest import LONDON, meeting_on, rows
from tests.factories import BalintGroupFactory, LeadershipFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(day, hour: int, minute: int = 0, zone=LONDON) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


@pytest.fixture
def yesterday(group, leader):
    """A meeting that took place yesterday evening, London time."""
    return meeting_on(group, timezone.localdate() - timedelta(days=1))


def test_the_prompt_is_due_at_eight_the_next_morning_in_the_groups_zone(yesterday):
    day = yesterday.local_starts_at.date() + timedelta(days=1)
    assert register_prompt_due_at(yesterday) == at(day, 8)


def test_leaders_are_prompted_once_when_the_register_is_still_empty(yesterday, leader):
    due = register_prompt_due_at(yesterday)

    assert queue_register_prompts(now=due - timedelta(minutes=5)) == 0
    assert queue_register_prompts(now=due + timedelta(minutes=5)) == 1
    assert queue_register_prompts(now=due + timedelta(hours=2)) == 0

    [prompt] = rows("leader-register:")
    assert prompt.key == f"leader-register:{yesterday.pk}:{leader.pk}"
    assert prompt.to == [leader.email]
    assert f"/meetings/{yesterday.pk}/register/" in prompt.body_text
    assert prompt.subject.startswith("Please complete the register: Cotham GP Balint Group")


def test_no_prompt_for_a_register_begun_a_cancelled_meeting_or_one_long_past(group, leader, member):
    begun = meeting_on(group, timezone.localdate() - timedelta(days=1))
    AttendanceRecord.objects.create(
        meeting=begun,
        person=member,
        role=AttendanceRole.MEMBER,
        status=AttendanceStatus.PRESENT,
        recorded_by=leader,
        recorded_at=timezone.now(),
    )
    meeting_on(
        group, timezone.localdate() - timedelta(days=1), time(18), status=MeetingStatus.CANCELLED
    )
    long_past = meeting_on(group, timezone.localdate() - timedelta(days=8))

    now = register_prompt_due_at(begun) + timedelta(minutes=5)
    assert queue_register_prompts(now=now) == 0
    assert queue_register_prompts(now=register_prompt_due_at(long_past) + timedelta(days=4)) == 0
    assert rows("leader-register:") == []


def test_a_group_far_away_is_prompted_at_its_own_eight_oclock(leader):
    group = BalintGroupFactory(time_zone="Australia/Sydney")
    LeadershipFactory(group=group, person=leader)
    sydney = zoneinfo.ZoneInfo("Australia/Sydney")
    meeting = meeting_on(group, timezone.localdate() - timedelta(days=2))
    morning = meeting.starts_at.astimezone(sydney).date() + timedelta(days=1)

    assert queue_register_prompts(now=at(morning, 7, 55, sydney)) == 0
    assert queue_register_prompts(now=at(morning, 8, 5, sydney)) == 1


@pytest.fixture
def requests(group):
    return [
        MembershipFactory(
            group=group,
            status=MembershipStatus.REQUESTED,
            joined_at=None,
            note="A GP trainee in Bristol.",
        )
        for _ in range(2)
    ]


def test_leaders_get_one_digest_a_day_from_eight_their_time(requests, leader):
    today = timezone.localdate()

    assert queue_join_request_digests(now=at(today, 7, 30)) == 0
    assert queue_join_request_digests(now=at(today, 8, 5)) == 1
    assert queue_join_request_digests(now=at(today, 17)) == 0
    assert queue_join_request_digests(now=at(today + timedelta(days=1), 8, 5)) == 1

    first = rows("leader-digest:")[0]
    assert first.key == f"leader-digest:{leader.pk}:{today.isoformat()}"
    assert first.subject == "2 join requests waiting for your answer"
    assert requests[0].person.display_name in first.body_text
    assert "A GP trainee in Bristol." in first.body_text
    assert "/groups/cotham/roster/" in first.body_text


def test_no_digest_without_waiting_requests(group, leader, member):
    MembershipFactory(group=group, status=MembershipStatus.DECLINED)

    assert queue_join_request_digests(now=at(timezone.localdate(), 9)) == 0


def test_a_closed_groups_requests_are_left_out(requests, group):
    group.status = GroupStatus.CLOSED
    group.save()

    assert queue_join_request_digests(now=at(timezone.localdate(), 9)) == 0


def test_a_leader_of_two_groups_gets_one_digest_covering_both(requests, leader, other_group):
    LeadershipFactory(group=other_group, person=leader)
    MembershipFactory(group=other_group, status=MembershipStatus.REQUESTED, joined_at=None)
    co_leader = UserFactory()
    LeadershipFactory(group=other_group, person=co_leader)

    assert queue_join_request_digests(now=at(timezone.localdate(), 9)) == 2

    mine = next(m for m in rows("leader-digest:") if m.to == [leader.email])
    assert mine.subject.startswith("3 join requests")
    assert "Cotham GP Balint Group" in mine.body_text and "Online group" in mine.body_text
