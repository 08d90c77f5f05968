"""Business operations on schedules and meetings.

Each is one transaction: lock the row that guards the rule, re-check, write. Locks are always
taken in one order, group then meeting, so two operations never wait on each other in a circle.
Every error a person can cause is a `MeetingError` whose message can be shown as it is.
"""

from dataclasses import asdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from balint.audit import services as audit
from balint.errors import DomainError
from groups.models import BalintGroup, GroupStatus
from groups.services.locks import lock_group
from sessions.meetings import signals
from sessions.meetings.changes import apply_change, record_added
from sessions.meetings.models import (
    MAX_DURATION,
    MIN_DURATION,
    ChangeKind,
    Meeting,
    MeetingStatus,
    Schedule,
)
from sessions.meetings.schedule import (
    GenerationResult,
    ScheduleSpec,
    generate_meetings,
    local_to_utc,
)


class MeetingError(DomainError):
    """A change refused; the message says why, in words for the person who asked."""


def lock_meeting(meeting: Meeting) -> Meeting:
    """The meeting, locked for this transaction (callers lock the group first, if at all)."""
    return Meeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


@transaction.atomic
def set_schedule(
    *, group: BalintGroup, by, spec: ScheduleSpec, now: datetime | None = None
) -> tuple[Schedule, GenerationResult]:
    """Create or change the group's schedule and bring its future meetings in line at once.
    Raises MeetingError for a closed group."""
    group = lock_group(group)
    if group.status == GroupStatus.CLOSED:
        raise MeetingError("This group is closed: it has no schedule.")
    fields = asdict(spec)
    fields.pop("time_zone")  # the group's zone; the spec carries it for previews only
    schedule, _ = Schedule.objects.update_or_create(
        group=group, defaults={**fields, "rrule": spec.rrule_string(), "updated_by": by}
    )
    audit.record_in_group(
        schedule,
        by=by,
        area=audit.Area.MEETINGS,
        action="schedule.set",
        summary=f"Set the schedule: {schedule.rrule}",
    )
    return schedule, generate_meetings(schedule_id=schedule.pk, now=now)


def _check_future_slot(
    group: BalintGroup,
    *,
    day: date,
    start: time,
    duration_minutes: int,
    now: datetime,
    exclude_pk: int | None = None,
) -> tuple[datetime, datetime]:
    """The UTC start and end of a meeting a leader asked for; MeetingError if it cannot be."""
    if not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        raise MeetingError(f"A meeting lasts between {MIN_DURATION} and {MAX_DURATION} minutes.")
    starts_at = local_to_utc(day, start, group.time_zone)
    if starts_at is None:
        raise MeetingError(
            f"{start:%H:%M} does not exist on {day:%-d %B %Y} in {group.time_zone}: "
            "the clocks go forward then. Please choose another time."
        )
    if starts_at <= now:
        raise MeetingError("That time has passed. Please choose a time in the future.")
    clash = group.meetings.filter(starts_at=starts_at).exclude(pk=exclude_pk)
    if clash.exists():
        raise MeetingError("The group already has a meeting at that time.")
    return starts_at, starts_at + timedelta(minutes=duration_minutes)


@transaction.atomic
def cancel_meeting(*, meeting: Meeting, by, reason: str, now: datetime | None = None) -> Meeting:
    """Cancel one meeting with a reason members see. Raises MeetingError if it is already
    cancelled, has started, or no reason is given."""
    reason = " ".join(reason.split())
    if not reason:
        raise MeetingError("Please give a reason: members will see it.")
    lock_group(meeting.group_id)
    meeting = lock_meeting(meeting)
    if meeting.is_cancelled:
        raise MeetingError("This meeting is already cancelled.")
    if meeting.starts_at <= _now(now):
        raise MeetingError("This meeting has already started, so it cannot be cancelled.")
    apply_change(meeting, kind=ChangeKind.CANCELLED, by=by, reason=reason[:300])
    signals.meeting_cancelled_by_leader.send(sender=Meeting, meeting=meeting)
    return meeting


@transaction.atomic
def reinstate_meeting(*, meeting: Meeting, by, now: datetime | None = None) -> Meeting:
    """Undo a meeting's cancellation: it is on again, at the same time and place, and
    everyone's calendar gets the same event back at a higher SEQUENCE. Taster bookings
    cancelled with it come back where they can (sessions.tasters). Raises MeetingError if it
    is not cancelled, has started, or its group has closed."""
    lock_group(meeting.group_id)
    meeting = lock_meeting(meeting)
    if not meeting.is_cancelled:
        raise MeetingError("This meeting is not cancelled.")
    if meeting.starts_at <= _now(now):
        raise MeetingError("This meeting's time has passed, so it cannot be reinstated.")
    if meeting.group.status == GroupStatus.CLOSED:
        raise MeetingError("This group is closed: its meetings cannot be reinstated.")
    apply_change(meeting, kind=ChangeKind.RESTORED, by=by)
    signals.meeting_reinstated_by_leader.send(sender=Meeting, meeting=meeting)
    return meeting


@transaction.atomic
def move_meeting(
    *,
    meeting: Meeting,
    by,
    day: date,
    start: time,
    duration_minutes: int,
    place: str = "",
    link: str = "",
    now: datetime | None = None,
) -> Meeting:
    """Move one meeting to another time, or change its place or link for this meeting only.
    Raises MeetingError if it is cancelled or started, or the new time is impossible, past or
    taken, or nothing changes."""
    now = _now(now)
    lock_group(meeting.group_id)
    meeting = lock_meeting(meeting)
    if meeting.is_cancelled:
        raise MeetingError("This meeting is cancelled, so it cannot be moved.")
    if meeting.starts_at <= now:
        raise MeetingError("This meeting has already started, so it cannot be moved.")
    starts_at, ends_at = _check_future_slot(
        meeting.group,
        day=day,
        start=start,
        duration_minutes=duration_minutes,
        now=now,
        exclude_pk=meeting.pk,
    )
    place, link = place.strip(), link.strip()
    if (starts_at, ends_at, place, link) == (
        meeting.starts_at,
        meeting.ends_at,
        meeting.place,
        meeting.link,
    ):
        raise MeetingError("Nothing was changed: the meeting already has that time and place.")
    change = apply_change(
        meeting,
        kind=ChangeKind.MOVED,
        by=by,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        link=link,
    )
    signals.meeting_moved.send(sender=Meeting, meeting=meeting, change=change)
    return meeting


@transaction.atomic
def add_extra_meeting(
    *,
    group: BalintGroup,
    by,
    day: date,
    start: time,
    duration_minutes: int,
    place: str = "",
    link: str = "",
    now: datetime | None = None,
) -> Meeting:
    """Add a one-off meeting outside the schedule. Raises MeetingError for a closed group or a
    time that is impossible, past or taken."""
    group = lock_group(group)
    if group.status == GroupStatus.CLOSED:
        raise MeetingError("This group is closed: it cannot have new meetings.")
    starts_at, ends_at = _check_future_slot(
        group, day=day, start=start, duration_minutes=duration_minutes, now=_now(now)
    )
    meeting = Meeting.objects.create(
        group=group,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        link=link.strip(),
        edited_by_hand=True,
    )
    record_added(meeting, by=by)
    signals.meeting_added.send(sender=Meeting, meeting=meeting)
    return meeting


def follow_group_place(*, group: BalintGroup, fields: list[str]) -> list[Meeting]:
    """The group's usual room ("room") or link ("meeting_link") has changed: its meetings still
    to come that use it get a new revision, so that calendars show the new place, and everyone
    expected hears once. Meetings with a place or link of their own are left alone. The caller
    holds the group's lock (groups.services.update_group_settings)."""
    uses_usual = Q()
    if "room" in fields:
        uses_usual |= Q(place="")
    if "meeting_link" in fields:
        uses_usual |= Q(link="")
    if not uses_usual:
        return []
    meetings = list(
        Meeting.objects.filter(
            uses_usual, group=group, status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now()
        ).select_related("group")
    )
    for meeting in meetings:
        # Not by hand: the schedule still manages these meetings.
        apply_change(meeting, kind=ChangeKind.MOVED, by_hand=False)
    signals.usual_place_followed.send(sender=Meeting, meetings=meetings)
    return meetings
