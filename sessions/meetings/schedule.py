"""Recurrence: from a leader's friendly choices to an RFC 5545 RRULE, and from it to meetings.

Occurrences are computed on the group's wall clock (naive local datetimes from dateutil.rrule) and
only then placed in the zone, so 19:30 in London is 19:30 in January and in July. A local time that
does not exist on a day the clocks go forward (e.g. 01:30 in London in late March) resolves with
fold=0 to the instant an hour later on the wall clock; nobody holds a Balint group at that hour.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from groups.models import BalintGroup, GroupStatus
from groups.services.locks import lock_group
from sessions.meetings import signals
from sessions.meetings.changes import added_change, apply_change
from sessions.meetings.models import (
    ChangeKind,
    Frequency,
    Meeting,
    MeetingChange,
    MeetingStatus,
    Schedule,
    Weekday,
    WeekOfMonth,
)

RRULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime  # aware, UTC
    ends_at: datetime  # aware, UTC

    def local_date(self, zone: zoneinfo.ZoneInfo) -> date:
        return self.starts_at.astimezone(zone).date()


@dataclass(frozen=True)
class ScheduleSpec:
    """A schedule's rule, independent of the database (the form previews one before saving)."""

    frequency: str
    weekday: int
    start_date: date
    start_time: time
    duration_minutes: int
    time_zone: str
    week_of_month: int | None = None
    second_week_of_month: int | None = None
    block_length: int | None = None

    @classmethod
    def from_schedule(cls, schedule: Schedule) -> "ScheduleSpec":
        return cls(
            frequency=schedule.frequency,
            weekday=schedule.weekday,
            start_date=schedule.start_date,
            start_time=schedule.start_time,
            duration_minutes=schedule.duration_minutes,
            time_zone=schedule.group.time_zone,
            week_of_month=schedule.week_of_month,
            second_week_of_month=schedule.second_week_of_month,
            block_length=schedule.block_length,
        )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def dtstart(self) -> datetime:
        """DTSTART: naive wall-clock time in the group's zone."""
        return datetime.combine(self.start_date, self.start_time)

    def rrule_string(self) -> str:
        """The RFC 5545 RRULE (without DTSTART) for these choices."""
        day = RRULE_DAYS[self.weekday]
        match self.frequency:
            case Frequency.MONTHLY:
                return f"FREQ=MONTHLY;BYDAY={self.week_of_month}{day}"
            case Frequency.TWICE_MONTHLY:
                weeks = sorted([self.week_of_month, self.second_week_of_month], key=_week_order)
                return "FREQ=MONTHLY;BYDAY=" + ",".join(f"{week}{day}" for week in weeks)
            case Frequency.WEEKLY:
                return f"FREQ=WEEKLY;BYDAY={day}"
            case Frequency.FORTNIGHTLY:
                return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}"
            case Frequency.BLOCK:
                return f"FREQ=WEEKLY;BYDAY={day};COUNT={self.block_length}"
        raise ValueError(f"Unknown frequency {self.frequency!r}")

    def occurrences(self, *, after: datetime, before: datetime) -> list[Occurrence]:
        """Every occurrence starting strictly after `after` and no later than `before`."""
        rule = rrulestr(self.rrule_string(), dtstart=self.dtstart)
        local_after = after.astimezone(self.zone).replace(tzinfo=None)
        local_before = before.astimezone(self.zone).replace(tzinfo=None)
        found = [self._occurrence(start) for start in rule.between(local_after, local_before, True)]
        return [occurrence for occurrence in found if after < occurrence.starts_at <= before]

    def next_occurrences(self, *, count: int, now: datetime) -> list[Occurrence]:
        """The next `count` occurrences after `now` (the preview on the schedule form)."""
        rule = rrulestr(self.rrule_string(), dtstart=self.dtstart)
        found: list[Occurrence] = []
        for start in rule.xafter(now.astimezone(self.zone).replace(tzinfo=None), count=count + 1):
            occurrence = self._occurrence(start)
            if occurrence.starts_at > now and len(found) < count:
                found.append(occurrence)
        return found

    def _occurrence(self, local_start: datetime) -> Occurrence:
        starts_at = local_start.replace(tzinfo=self.zone).astimezone(UTC)
        # Added in absolute time: a 90-minute meeting lasts 90 minutes even across a clock change.
        return Occurrence(starts_at, starts_at + timedelta(minutes=self.duration_minutes))


def _week_order(week: int | None) -> int:
    # "last" (-1) comes after the 5th.
    return 6 if week == WeekOfMonth.LAST else int(week or 0)


def local_to_utc(day: date, at: time, time_zone: str) -> datetime | None:
    """The UTC instant of a wall-clock time in a zone, or None if the clocks skip that time."""
    zone = zoneinfo.ZoneInfo(time_zone)
    local = datetime.combine(day, at, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def horizon_end(now: datetime, months: int) -> datetime:
    return now + relativedelta(months=months)


def rhythm_in_words(schedule: Schedule | ScheduleSpec) -> str:
    """E.g. "Monthly, 2nd Tuesday, 19:30–21:00, Europe/London"."""
    spec = schedule if isinstance(schedule, ScheduleSpec) else ScheduleSpec.from_schedule(schedule)
    day = Weekday(spec.weekday).label
    ends = datetime.combine(date(2000, 1, 1), spec.start_time) + timedelta(
        minutes=spec.duration_minutes
    )
    times = f"{spec.start_time:%H:%M}–{ends:%H:%M}"
    match spec.frequency:
        case Frequency.MONTHLY:
            pattern = f"Monthly, {WeekOfMonth(spec.week_of_month).label} {day}"
        case Frequency.TWICE_MONTHLY:
            weeks = sorted([spec.week_of_month, spec.second_week_of_month], key=_week_order)
            first, second = (WeekOfMonth(week).label for week in weeks)
            pattern = f"Twice a month, {first} and {second} {day}"
        case Frequency.WEEKLY:
            pattern = f"Weekly, {day}"
        case Frequency.FORTNIGHTLY:
            pattern = f"Fortnightly, {day}"
        case _:
            pattern = (
                f"{spec.block_length} weekly meetings from {_first_date(spec):%-d %B %Y}, {day}"
            )
    return f"{pattern}, {times}, {spec.time_zone}"


def _first_date(spec: ScheduleSpec) -> date:
    rule = rrulestr(spec.rrule_string(), dtstart=spec.dtstart)
    first = rule.after(spec.dtstart, inc=True)
    return first.date() if first else spec.start_date


@dataclass
class GenerationResult:
    added: int = 0
    moved: int = 0
    cancelled: int = 0
    restored: int = 0

    @property
    def changed(self) -> int:
        return self.added + self.moved + self.cancelled + self.restored


SCHEDULE_CHANGED = "The group's schedule has changed."
GENERATING_STATUSES = [GroupStatus.FORMING, GroupStatus.ACTIVE]


def generate_meetings(*, schedule_id: int, now: datetime | None = None) -> GenerationResult:
    """Bring the group's future meetings in line with its schedule up to the horizon.

    Idempotent: running it twice changes nothing the second time. Meetings in the past and
    meetings a leader changed are never touched, and their dates are not filled again. Future
    meetings the schedule made are moved, cancelled or restored to fit the rule. Takes the
    group's row lock. Raises Schedule.DoesNotExist if the schedule has gone.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # The lock serialises this with a second run (the beat task and a save at once) and with
        # leaders' changes, which take the same lock: no duplicate rows, no lost edits.
        group_id = (
            Schedule.objects.filter(pk=schedule_id).values_list("group_id", flat=True).first()
        )
        if group_id is None:
            raise Schedule.DoesNotExist(f"No schedule {schedule_id}")
        group = lock_group(group_id)
        schedule = Schedule.objects.select_related("group").get(pk=schedule_id)
        if group.status not in GENERATING_STATUSES:
            return GenerationResult()
        result = _generate(schedule, now)
        schedule.generated_until = horizon_end(now, schedule.horizon_months)
        schedule.save(update_fields=["generated_until"])
    return result


def _generate(schedule: Schedule, now: datetime) -> GenerationResult:
    spec = ScheduleSpec.from_schedule(schedule)
    zone = spec.zone
    claimed, managed, spare = _existing(schedule.group, now, zone)
    until = horizon_end(now, schedule.horizon_months)
    # Look past the horizon as far as the last managed meeting, so that shortening the horizon
    # does not cancel meetings that still fit the rule.
    look_until = max([until, *(meeting.starts_at for meeting in managed.values())])
    result, new, updated, cancelled = GenerationResult(), [], [], []
    for occurrence in spec.occurrences(after=now, before=look_until):
        day = occurrence.local_date(zone)
        if day in claimed:
            continue
        meeting = managed.pop(day, None)
        if meeting is not None:
            if _fit(meeting, occurrence, result):
                updated.append(meeting)
        elif occurrence.starts_at <= until:
            new.append(_new_meeting(schedule.group, occurrence))
    for meeting in [*managed.values(), *spare]:
        if meeting.status == MeetingStatus.SCHEDULED:
            apply_change(meeting, kind=ChangeKind.CANCELLED, reason=SCHEDULE_CHANGED, by_hand=False)
            cancelled.append(meeting)
            result.cancelled += 1
    if new:
        Meeting.objects.bulk_create(new)
        MeetingChange.objects.bulk_create([added_change(meeting) for meeting in new])
        result.added = len(new)
    # Calendars hear of the whole run at once: one email per person and kind, not one per meeting.
    signals.schedule_applied.send(sender=Meeting, added=new, updated=updated, cancelled=cancelled)
    return result


def _existing(group: BalintGroup, now: datetime, zone) -> tuple[set[date], dict, list]:
    """Split the group's relevant meetings: dates the schedule must leave alone (past or changed
    by hand, including where a moved meeting came from), and future untouched meetings by date."""
    claimed: set[date] = set()
    managed: dict[date, Meeting] = {}
    spare: list[Meeting] = []
    recent = group.meetings.filter(
        Q(starts_at__gt=now - timedelta(days=2)) | Q(occurrence_starts_at__gt=now)
    ).order_by("starts_at")
    for meeting in recent:
        if meeting.starts_at <= now or meeting.edited_by_hand:
            claimed.add(meeting.starts_at.astimezone(zone).date())
            if meeting.occurrence_starts_at:
                claimed.add(meeting.occurrence_starts_at.astimezone(zone).date())
        elif meeting.local_starts_at.date() in managed:
            spare.append(meeting)  # two on one day: keep the first, the rule makes one
        else:
            managed[meeting.starts_at.astimezone(zone).date()] = meeting
    return claimed, managed, spare


def _fit(meeting: Meeting, occurrence: Occurrence, result: GenerationResult) -> bool:
    moved = (meeting.starts_at, meeting.ends_at) != (occurrence.starts_at, occurrence.ends_at)
    if meeting.status == MeetingStatus.CANCELLED:
        kind = ChangeKind.RESTORED
        result.restored += 1
    elif moved:
        kind = ChangeKind.MOVED
        result.moved += 1
    else:
        return False
    meeting.occurrence_starts_at = occurrence.starts_at
    apply_change(
        meeting,
        kind=kind,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        by_hand=False,
    )
    return True


def _new_meeting(group: BalintGroup, occurrence: Occurrence) -> Meeting:
    return Meeting(
        group=group,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        occurrence_starts_at=occurrence.starts_at,
        created_from_schedule=True,
    )
