"""Business operations on schedules, meetings, apologies and registers.

Each is one transaction: lock the row that guards the rule, re-check, write. Locks are always
taken in one order, group then meeting, so two operations never wait on each other in a circle.
Every error a person can cause is a `MeetingError` whose message can be shown as it is.
"""

from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from balint.audit import services as audit
from groups.models import BalintGroup, GroupStatus, Leadership, Membership, MembershipStatus
from sessions.calendar import notify
from sessions.changes import apply_change, record_added
from sessions.models import (
    MAX_DURATION,
    MIN_DURATION,
    Apology,
    AttendanceRecord,
    AttendanceStatus,
    ChangeKind,
    Meeting,
    MeetingStatus,
    Schedule,
)
from sessions.register import Mark, expected_people, register_closes_at, register_opens_at
from sessions.schedule import GenerationResult, ScheduleSpec, generate_meetings, local_to_utc


class MeetingError(Exception):
    """A change refused; the message says why, in words for the person who asked."""


def _lock_group(group: BalintGroup) -> BalintGroup:
    return BalintGroup.objects.select_for_update().get(pk=group.pk)


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


@transaction.atomic
def set_schedule(
    *, group: BalintGroup, by, spec: ScheduleSpec, now: datetime | None = None
) -> tuple[Schedule, GenerationResult]:
    """Create or change the group's schedule and bring its future meetings in line at once.
    Raises MeetingError for a closed group."""
    group = _lock_group(group)
    if group.status == GroupStatus.CLOSED:
        raise MeetingError("This group is closed: it has no schedule.")
    fields = asdict(spec)
    fields.pop("time_zone")  # the group's zone; the spec carries it for previews only
    schedule, _ = Schedule.objects.update_or_create(
        group=group, defaults={**fields, "rrule": spec.rrule_string(), "updated_by": by}
    )
    audit.record(
        actor=by,
        area=audit.Area.MEETINGS,
        action="schedule.set",
        summary=f"Set the schedule: {schedule.rrule}",
        where=group,
        target=schedule,
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
    _lock_group(meeting.group)
    meeting = _lock_meeting(meeting)
    if meeting.is_cancelled:
        raise MeetingError("This meeting is already cancelled.")
    if meeting.starts_at <= _now(now):
        raise MeetingError("This meeting has already started, so it cannot be cancelled.")
    apply_change(meeting, kind=ChangeKind.CANCELLED, by=by, reason=reason[:300])
    notify.meeting_cancelled(meeting=meeting)
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
    _lock_group(meeting.group)
    meeting = _lock_meeting(meeting)
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
    notify.meeting_moved(meeting=meeting, change=change)
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
    group = _lock_group(group)
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
    notify.meeting_added(meeting=meeting)
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
    notify.place_changed(meetings=meetings)
    return meetings


def is_expected(meeting: Meeting, person) -> bool:
    """Whether `person` is a leader or an active member of the meeting's group."""
    return (
        Leadership.objects.filter(group_id=meeting.group_id, person=person).exists()
        or Membership.objects.filter(
            group_id=meeting.group_id, person=person, status=MembershipStatus.ACTIVE
        ).exists()
    )


@transaction.atomic
def send_apologies(*, meeting: Meeting, person, now: datetime | None = None) -> Apology:
    """Record that `person` will miss `meeting` (sending twice keeps one). Raises MeetingError
    if the meeting is cancelled or has started, or the person is not a member or leader."""
    meeting = _lock_meeting(meeting)
    if meeting.is_cancelled:
        raise MeetingError("This meeting is cancelled: there is no need to send apologies.")
    if meeting.starts_at <= _now(now):
        raise MeetingError("This meeting has started, so apologies can no longer be sent.")
    if not is_expected(meeting, person):
        raise MeetingError("Only the group's members and leaders can send apologies.")
    apology, _ = Apology.objects.get_or_create(meeting=meeting, person=person)
    return apology


@transaction.atomic
def withdraw_apologies(*, meeting: Meeting, person, now: datetime | None = None) -> bool:
    """Withdraw `person`'s apologies; True if there were any. Raises MeetingError once the
    meeting has started."""
    meeting = _lock_meeting(meeting)
    if meeting.starts_at <= _now(now):
        raise MeetingError("This meeting has started, so apologies can no longer be withdrawn.")
    deleted, _ = Apology.objects.filter(meeting=meeting, person=person).delete()
    return deleted > 0


@transaction.atomic
def record_register(
    *, meeting: Meeting, by, marks: Mapping[int, Mark], now: datetime | None = None
) -> int:
    """Save the whole register of a meeting at once: one mark for every person expected.
    Returns how many lines changed. Raises MeetingError if the meeting is cancelled or has not
    started, the 14 days are over (unless `by` is staff), or a mark is missing or impossible."""
    now = _now(now)
    meeting = _lock_meeting(meeting)
    _check_register_open(meeting, by=by, now=now)
    expected = {entry.person.pk: entry for entry in expected_people(meeting)}
    _check_marks(expected, marks)
    new, changed = [], []
    for person_id, mark in marks.items():
        entry = expected[person_id]
        record = entry.record
        if record is None:
            record = AttendanceRecord(meeting=meeting, person=entry.person, role=entry.role)
            new.append(record)
        elif (record.status, record.presented_case) == (mark.status, mark.presented_case):
            continue  # unchanged lines keep who recorded them and when
        else:
            changed.append(record)
        record.status, record.presented_case = mark.status, mark.presented_case
        record.recorded_by, record.recorded_at = by, now
    AttendanceRecord.objects.bulk_create(new)
    fields = ["status", "presented_case", "recorded_by", "recorded_at"]
    AttendanceRecord.objects.bulk_update(changed, fields)
    if new or changed:
        audit.record(
            actor=by,
            area=audit.Area.REGISTER,
            action="register.record",
            summary=f"Recorded the register of {meeting}: {len(new)} new marks, "
            f"{len(changed)} changed",
            where=meeting.group,
            target=meeting,
        )
    return len(new) + len(changed)


def _check_register_open(meeting: Meeting, *, by, now: datetime) -> None:
    if meeting.is_cancelled:
        raise MeetingError("This meeting was cancelled: it has no register.")
    if now < register_opens_at(meeting):
        raise MeetingError("The register opens when the meeting starts.")
    if now > register_closes_at(meeting) and not by.is_staff:
        raise MeetingError(
            "The register closed 14 days after the meeting. Site staff can still correct it."
        )


def _check_marks(expected: Mapping[int, object], marks: Mapping[int, Mark]) -> None:
    if set(marks) - set(expected):
        raise MeetingError("The register lists someone who is not expected at this meeting.")
    if set(expected) - set(marks):
        raise MeetingError("Please mark everyone in the register.")
    for mark in marks.values():
        if mark.status not in AttendanceStatus.values:
            raise MeetingError("Please choose present, late, absent or apologies for everyone.")
        if mark.presented_case and not mark.attended:
            raise MeetingError("Only someone who was there can have presented a case.")
