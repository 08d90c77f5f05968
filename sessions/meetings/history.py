"""Meetings entered after they took place: a programme that starts using the site mid-year
enters what has already happened, so that its trainees' attendance is complete.

Such a meeting is marked `recorded_afterwards`; it sends no calendar entry (it is over), and its
register stays open to the group's leaders and its programme's admins.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from balint.audit import services as audit
from groups.models import BalintGroup
from groups.services.locks import lock_group
from sessions.meetings.changes import record_added
from sessions.meetings.models import MAX_DURATION, MIN_DURATION, Meeting
from sessions.meetings.schedule import local_to_utc
from sessions.meetings.services import MeetingError


def past_slot(
    group: BalintGroup, *, day: date, start: time, duration_minutes: int, now: datetime
) -> tuple[datetime, datetime]:
    """The UTC start and end of a past meeting; MeetingError if it is impossible or to come."""
    if not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        raise MeetingError(f"A meeting lasts between {MIN_DURATION} and {MAX_DURATION} minutes.")
    starts_at = local_to_utc(day, start, group.time_zone)
    if starts_at is None:
        raise MeetingError(
            f"{start:%H:%M} did not exist on {day:%-d %B %Y} in {group.time_zone}: "
            "the clocks went forward then. Please check the time."
        )
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    if ends_at > now:
        raise MeetingError(
            "That meeting has not finished yet. Only meetings that have taken place can be "
            "recorded afterwards."
        )
    return starts_at, ends_at


@transaction.atomic
def add_past_meeting(
    *,
    group: BalintGroup,
    by,
    day: date,
    start: time,
    duration_minutes: int,
    now: datetime | None = None,
) -> Meeting:
    """Record a meeting that has already taken place, so that its register can be written.
    Raises MeetingError if the time is impossible, still to come, or the group already has a
    meeting then."""
    group = lock_group(group)
    starts_at, ends_at = past_slot(
        group, day=day, start=start, duration_minutes=duration_minutes, now=now or timezone.now()
    )
    if group.meetings.filter(starts_at=starts_at).exists():
        raise MeetingError("The group already has a meeting at that time.")
    meeting = Meeting.objects.create(
        group=group,
        starts_at=starts_at,
        ends_at=ends_at,
        edited_by_hand=True,
        recorded_afterwards=True,
    )
    meeting.group = group
    record_added(meeting)
    audit.record_in_group(
        meeting,
        by=by,
        area=audit.Area.MEETINGS,
        action="meeting.add_past",
        summary=f"Recorded afterwards a meeting held on {meeting}",
    )
    return meeting
