"""Generating meetings from a schedule: horizon, idempotence, and what it must never touch."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction

from groups.models import GroupStatus
from sessions.meetings.models import (
    Apology,
    ChangeKind,
    Frequency,
    Meeting,
    MeetingChange,
    MeetingStatus,
    Weekday,
    WeekOfMonth,
)
from sessions.meetings.schedule import SCHEDULE_CHANGED, ScheduleSpec, generate_meetings
from sessions.meetings.services import move_meeting, set_schedule
from sessions.meetings.tasks import extend_schedule_horizons

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def monthly(**overrides) -> ScheduleSpec:
    fields = {
        "frequency": Frequency.MONTHLY,
        "weekday": Weekday.TUESDAY,
        "week_of_month": WeekOfMonth.SECOND,
        "start_date": date(2026, 1, 1),
        "start_time": time(19, 30),
        "duration_minutes": 90,
        "time_zone": "Europe/London",
    }
    return ScheduleSpec(**(fields | overrides))


def local_days(group) -> list[date]:
    meetings = Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED)
    return [meeting.starts_at.astimezone(LONDON).date() for meeting in meetings]


def test_saving_a_schedule_generates_six_months_of_meetings_at_once(group, leader):
    schedule, result = set_schedule(group=group, by=leader, spec=monthly(), now=NOW)

    assert result.added == 6
    assert schedule.rrule == "FREQ=MONTHLY;BYDAY=2TU"
    assert local_days(group) == [
        date(2026, 1, 13),
        date(2026, 2, 10),
        date(2026, 3, 10),
        date(2026, 4, 14),
        date(2026, 5, 12),
        date(2026, 6, 9),
    ]
    meetings = list(Meeting.objects.filter(group=group))
    assert all(
        m.revision == 0 and m.created_from_schedule and not m.edited_by_hand for m in meetings
    )
    assert all(m.local_starts_at.time() == time(19, 30) for m in meetings)
    assert MeetingChange.objects.filter(kind=ChangeKind.ADDED, revision=0).count() == 6


def test_generation_is_idempotent(group, leader):
    schedule, _ = set_schedule(group=group, by=leader, spec=monthly(), now=NOW)
    before = list(Meeting.objects.values_list("pk", "starts_at", "revision"))

    again = generate_meetings(schedule_id=schedule.pk, now=NOW)

    assert again.changed == 0
    assert list(Meeting.objects.values_list("pk", "starts_at", "revision")) == before
    assert MeetingChange.objects.count() == 6


def test_the_periodic_task_extends_the_horizon_and_is_idempotent(group, leader):
    set_schedule(group=group, by=leader, spec=monthly(), now=NOW)

    extend_schedule_horizons()  # now: November 2026, so the horizon moves into 2027
    count = Meeting.objects.filter(group=group).count()
    extend_schedule_horizons()

    assert count > 6
    assert Meeting.objects.filter(group=group).count() == count
    assert Meeting.objects.filter(group=group).latest("starts_at").starts_at > datetime(
        2027, 1, 1, tzinfo=UTC
    )


def test_the_horizon_moves_on_with_time(group, leader):
    schedule, _ = set_schedule(group=group, by=leader, spec=monthly(), now=NOW)

    result = generate_meetings(schedule_id=schedule.pk, now=NOW + timedelta(days=61))

    assert result.added == 2
    assert local_days(group)[-1] == date(2026, 8, 11)


def test_months_without_a_fifth_tuesday_simply_have_none(group, leader):
    set_schedule(group=group, by=leader, spec=monthly(week_of_month=WeekOfMonth.FIFTH), now=NOW)

    assert local_days(group) == [date(2026, 3, 31), date(2026, 6, 30)]


def test_a_four_week_block_generates_four_meetings(group, leader):
    spec = monthly(frequency=Frequency.BLOCK, weekday=Weekday.WEDNESDAY, block_length=4)
    set_schedule(group=group, by=leader, spec=spec, now=NOW)

    assert local_days(group) == [
        date(2026, 1, 7),
        date(2026, 1, 14),
        date(2026, 1, 21),
        date(2026, 1, 28),
    ]


def test_a_changed_time_moves_future_untouched_meetings_and_keeps_apologies(group, leader, member):
    set_schedule(group=group, by=leader, spec=monthly(), now=NOW)
    february = Meeting.objects.get(starts_at__date=date(2026, 2, 10))
    Apology.objects.create(meeting=february, person=member)

    _, result = set_schedule(group=group, by=leader, spec=monthly(start_time=time(19)), now=NOW)

    assert result.moved == 6 and result.added == 0
    february.refresh_from_db()
    assert february.local_starts_at.time() == time(19, 0)
    assert february.revision == 1 and not february.edited_by_hand
    change = february.changes.get(kind=ChangeKind.MOVED)
    assert change.revision == 1 and change.by is None
    assert change.old_starts_at.astimezone(LONDON).time() == time(19, 30)
    assert Apology.objects.filter(meeting=february, person=member).exists()


def test_a_changed_rule_cancels_meetings_off_the_rule_and_changing_back_restores_them(
    group, leader
):
    set_schedule(group=group, by=leader, spec=monthly(), now=NOW)
    old_ids = set(Meeting.objects.values_list("pk", flat=True))

    _, result = set_schedule(
        group=group, by=leader, spec=monthly(weekday=Weekday.THURSDAY), now=NOW
    )

    assert result.cancelled == 6 and result.added == 6
    cancelled = Meeting.objects.filter(pk__in=old_ids)
    assert all(m.is_cancelled and m.cancel_reason == SCHEDULE_CHANGED for m in cancelled)
    assert all(m.revision == 1 for m in cancelled)

    _, back = set_schedule(group=group, by=leader, spec=monthly(), now=NOW)

    assert back.restored == 6 and back.cancelled == 6
    restored = Meeting.objects.filter(pk__in=old_ids)
    assert all(m.status == MeetingStatus.SCHEDULED and m.revision == 2 for m in restored)


def test_meetings_changed_by_hand_are_never_touched(group, leader):
    set_schedule(group=group, by=leader, spec=monthly(), now=NOW)
    march = Meeting.objects.get(starts_at__date=date(2026, 3, 10))
    move_meeting(
        meeting=march,
        by=leader,
        day=date(2026, 3, 12),
        start=time(18),
        duration_minutes=60,
        now=NOW,
    )

    set_schedule(group=group, by=leader, spec=monthly(start_time=time(20)), now=NOW)
    set_schedule(group=group, by=leader, spec=monthly(weekday=Weekday.MONDAY), now=NOW)

    march.refresh_from_db()
    assert march.status == MeetingStatus.SCHEDULED
    assert march.local_starts_at == datetime(2026, 3, 12, 18, 0, tzinfo=LONDON)
    assert march.revision == 1
    # Its original date is not filled again by the schedule.
    days = local_days(group)
    assert date(2026, 3, 12) in days and date(2026, 3, 10) not in days


def test_past_meetings_are_never_touched(group, leader):
    set_schedule(group=group, by=leader, spec=monthly(), now=NOW)
    later = datetime(2026, 3, 1, tzinfo=UTC)

    set_schedule(group=group, by=leader, spec=monthly(weekday=Weekday.FRIDAY), now=later)

    past = Meeting.objects.filter(group=group, starts_at__lt=later)
    assert [m.local_starts_at.date() for m in past] == [date(2026, 1, 13), date(2026, 2, 10)]
    assert all(m.revision == 0 and m.status == MeetingStatus.SCHEDULED for m in past)


def test_a_closed_group_gets_no_meetings(group, leader):
    schedule, _ = set_schedule(group=group, by=leader, spec=monthly(), now=NOW)
    Meeting.objects.all().delete()
    group.status = GroupStatus.CLOSED
    group.save()

    assert generate_meetings(schedule_id=schedule.pk, now=NOW).changed == 0
    assert not Meeting.objects.exists()


def test_the_database_refuses_two_meetings_of_a_group_at_one_time(group, leader):
    set_schedule(group=group, by=leader, spec=monthly(), now=NOW)
    first = Meeting.objects.first()

    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(group=group, starts_at=first.starts_at, ends_at=first.ends_at)
