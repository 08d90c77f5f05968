"""Leaders change one meeting: every change raises the revision and is recorded."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from sessions.meetings.models import ChangeKind, Meeting, MeetingChange, MeetingStatus
from sessions.meetings.services import MeetingError, add_extra_meeting, cancel_meeting, move_meeting
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def test_every_change_raises_the_revision_and_is_recorded(meeting, leader):
    move_meeting(meeting=meeting, by=leader, day=in_days(9), start=time(18), duration_minutes=60)
    move_meeting(
        meeting=meeting,
        by=leader,
        day=in_days(9),
        start=time(18),
        duration_minutes=60,
        place="Library, 2nd floor",
    )
    cancel_meeting(meeting=meeting, by=leader, reason="The leader is unwell.")

    meeting.refresh_from_db()
    assert meeting.revision == 3
    changes = list(meeting.changes.values_list("revision", "kind", "by"))
    assert changes == [
        (1, ChangeKind.MOVED, leader.pk),
        (2, ChangeKind.MOVED, leader.pk),
        (3, ChangeKind.CANCELLED, leader.pk),
    ]


def test_cancelling_keeps_the_meeting_with_its_reason(meeting, leader):
    cancel_meeting(meeting=meeting, by=leader, reason="  The room is   flooded. ")

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.cancel_reason == "The room is flooded."
    assert meeting.edited_by_hand
    assert meeting.changes.get().reason == "The room is flooded."


def test_cancelling_needs_a_reason_and_happens_once(meeting, leader):
    with pytest.raises(MeetingError, match="reason"):
        cancel_meeting(meeting=meeting, by=leader, reason="   ")
    cancel_meeting(meeting=meeting, by=leader, reason="Snow.")

    with pytest.raises(MeetingError, match="already cancelled"):
        cancel_meeting(meeting=meeting, by=leader, reason="Snow again.")
    meeting.refresh_from_db()
    assert meeting.revision == 1


def test_a_started_meeting_cannot_be_cancelled_or_moved(group, leader):
    started = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(minutes=5))

    with pytest.raises(MeetingError, match="started"):
        cancel_meeting(meeting=started, by=leader, reason="Too late.")
    with pytest.raises(MeetingError, match="started"):
        move_meeting(
            meeting=started, by=leader, day=in_days(3), start=time(19), duration_minutes=90
        )


def test_moving_records_old_and_new_values(meeting, leader):
    old_start = meeting.starts_at

    meeting = move_meeting(
        meeting=meeting,
        by=leader,
        day=in_days(10),
        start=time(20, 15),
        duration_minutes=75,
        link="https://meet.example.org/other-room",
    )

    change = MeetingChange.objects.get(meeting=meeting)
    assert change.kind == ChangeKind.MOVED and change.revision == 1
    assert change.old_starts_at == old_start
    assert change.new_starts_at == meeting.starts_at
    assert change.new_link == "https://meet.example.org/other-room"
    assert meeting.local_starts_at.time() == time(20, 15)
    assert meeting.duration_minutes == 75
    assert meeting.edited_by_hand


@pytest.mark.parametrize(
    ("day", "start", "duration", "message"),
    [
        (-1, time(19), 90, "passed"),
        (5, time(19), 20, "between 30 and 180"),
        (5, time(19), 181, "between 30 and 180"),
    ],
)
def test_impossible_moves_are_refused(meeting, leader, day, start, duration, message):
    with pytest.raises(MeetingError, match=message):
        move_meeting(
            meeting=meeting, by=leader, day=in_days(day), start=start, duration_minutes=duration
        )
    meeting.refresh_from_db()
    assert meeting.revision == 0


def test_a_time_that_does_not_exist_because_the_clocks_change_is_refused(meeting, leader):
    spring = date(timezone.localdate().year + 1, 3, 31)
    last_sunday = spring - timedelta(days=(spring.weekday() + 1) % 7)

    with pytest.raises(MeetingError, match="clocks go forward"):
        move_meeting(
            meeting=meeting, by=leader, day=last_sunday, start=time(1, 30), duration_minutes=90
        )


def test_moving_onto_another_meeting_or_changing_nothing_is_refused(meeting, leader, group):
    other = MeetingFactory(group=group, starts_at=meeting.starts_at + timedelta(days=7))
    local = other.local_starts_at

    with pytest.raises(MeetingError, match="already has a meeting"):
        move_meeting(
            meeting=meeting, by=leader, day=local.date(), start=local.time(), duration_minutes=90
        )
    here = meeting.local_starts_at
    with pytest.raises(MeetingError, match="Nothing was changed"):
        move_meeting(
            meeting=meeting, by=leader, day=here.date(), start=here.time(), duration_minutes=90
        )


def test_an_extra_meeting_is_added_at_revision_zero(group, leader):
    extra = add_extra_meeting(
        group=group, by=leader, day=in_days(12), start=time(12, 30), duration_minutes=60
    )

    assert extra.revision == 0 and extra.edited_by_hand and not extra.created_from_schedule
    assert extra.local_starts_at.time() == time(12, 30)
    change = extra.changes.get()
    assert (change.kind, change.revision, change.by) == (ChangeKind.ADDED, 0, leader)


def test_an_extra_meeting_cannot_clash_or_be_in_the_past(group, leader, meeting):
    local = meeting.local_starts_at
    with pytest.raises(MeetingError, match="already has a meeting"):
        add_extra_meeting(
            group=group, by=leader, day=local.date(), start=local.time(), duration_minutes=90
        )
    with pytest.raises(MeetingError, match="passed"):
        add_extra_meeting(
            group=group, by=leader, day=in_days(-2), start=time(9), duration_minutes=90
        )
    assert Meeting.objects.filter(group=group).count() == 1
