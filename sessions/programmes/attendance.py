"""The attendance requirement rule: which meetings count for a trainee, what they made of them,
and whether that meets their cohort's requirement. The dashboard, the cohort page, the exports
and the certificates all read it from here (through `sessions.reports.summary` or directly), so
the rule is stated once.

A meeting counts for a trainee ("expected") when it was held (not cancelled, already started),
in one of the trainee's cohort's groups, on a day (in the group's time zone) inside one of their
enrolment spells and the cohort's dates, and they were a member of that group that day (or the
register lists them anyway). Meetings before they enrolled or after they left do not count.

Everything is loaded in a fixed number of queries, then counted in Python, so a report costs
the same number of queries for 10 trainees as for 1,000.
"""

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from groups.models import Membership, MembershipStatus
from sessions.meetings.models import AttendanceRecord, AttendanceStatus, Meeting, MeetingStatus

ENDED = {MembershipStatus.LEFT, MembershipStatus.REMOVED}
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


@cache
def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


@dataclass(frozen=True)
class Window:
    """A span of days, both ends included."""

    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def clip(self, start: date | None, end: date | None) -> "Window | None":
        """The part of this window inside [start, end], or None if they do not overlap."""
        clipped = Window(max(self.start, start or self.start), min(self.end, end or self.end))
        return clipped if clipped.start <= clipped.end else None


@dataclass(frozen=True)
class HeldMeeting:
    id: int
    group_id: int
    starts_at: datetime
    ends_at: datetime
    day: date  # in the group's time zone


@dataclass(frozen=True)
class Spell:
    """One membership of a person in a group, as far as attendance needs it."""

    group_id: int
    status: str
    joined_at: datetime | None
    ended_on: date | None
    ended_at: datetime | None
    starts_on: date | None = None
    until: date | None = None

    def covers(self, meeting: HeldMeeting) -> bool:
        """Whether this membership held a place at `meeting` (mirrors the register's rule)."""
        if self.starts_on is not None:
            if not self.starts_on <= meeting.day <= (self.until or meeting.day):
                return False
        elif self.joined_at is not None and self.joined_at > meeting.ends_at:
            return False
        if self.status == MembershipStatus.ACTIVE:
            return True
        if self.status not in ENDED or (self.joined_at is None and self.starts_on is None):
            return False
        if self.ended_on is not None:
            return self.ended_on >= meeting.day
        return self.ended_at is not None and self.ended_at >= meeting.starts_at


@dataclass(frozen=True)
class Tally:
    expected: int = 0
    attended: int = 0
    late: int = 0
    apologies: int = 0
    absent: int = 0
    cases: int = 0
    unrecorded: int = 0

    @property
    def rate(self) -> float | None:
        """Attended as a percentage of expected; None when nothing was expected yet."""
        return 100 * self.attended / self.expected if self.expected else None


@dataclass
class AttendanceData:
    """Meetings held in some groups over some days, the people's memberships and marks."""

    meetings_by_group: dict[int, list[HeldMeeting]] = field(default_factory=dict)
    spells: dict[int, list[Spell]] = field(default_factory=dict)
    marks: dict[tuple[int, int], tuple[str, bool]] = field(default_factory=dict)


def utc_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """UTC instants safely around these days in any time zone (a day's margin either side);
    callers then compare each meeting's own local day."""
    # Clamped, so that a range typed as 0001-01-01 to 9999-12-31 cannot overflow.
    first_day, last_day = max(first_day, EARLIEST), min(last_day, LATEST)
    after = datetime.combine(first_day - timedelta(days=1), time.min, tzinfo=UTC)
    return after, datetime.combine(last_day + timedelta(days=2), time.min, tzinfo=UTC)


def load_attendance(
    *,
    person_ids: Iterable[int],
    group_ids: Iterable[int],
    first_day: date,
    last_day: date,
    now: datetime,
) -> AttendanceData:
    """Everything `tally` needs for these people and groups, in three queries."""
    person_ids, group_ids = list(set(person_ids)), list(set(group_ids))
    data = AttendanceData()
    if not person_ids or not group_ids:
        return data
    after, before = utc_bounds(first_day, last_day)
    meetings = Meeting.objects.filter(
        group_id__in=group_ids,
        status=MeetingStatus.SCHEDULED,
        starts_at__lte=now,
        starts_at__gte=after,
        starts_at__lt=before,
    ).values_list("pk", "group_id", "starts_at", "ends_at", "group__time_zone")
    for pk, group_id, starts_at, ends_at, zone_name in meetings.order_by("starts_at"):
        day = starts_at.astimezone(zone(zone_name)).date()
        if first_day <= day <= last_day:
            meeting = HeldMeeting(pk, group_id, starts_at, ends_at, day)
            data.meetings_by_group.setdefault(group_id, []).append(meeting)
    memberships = Membership.objects.filter(
        person_id__in=person_ids, group_id__in=group_ids
    ).values_list(
        "person_id", "group_id", "status", "joined_at", "ended_on", "ended_at", "starts_on", "until"
    )
    for person_id, group_id, *rest in memberships:
        data.spells.setdefault(person_id, []).append(Spell(group_id, *rest))
    meeting_ids = [m.id for ms in data.meetings_by_group.values() for m in ms]
    records = AttendanceRecord.objects.filter(
        person_id__in=person_ids,
        meeting__group_id__in=group_ids,
        meeting__starts_at__lte=now,
        meeting__starts_at__gte=after,
        meeting__starts_at__lt=before,
    ).values_list("person_id", "meeting_id", "status", "presented_case")
    wanted = set(meeting_ids)
    for person_id, meeting_id, status, presented in records:
        if meeting_id in wanted:
            data.marks[(person_id, meeting_id)] = (status, presented)
    return data


def tally(
    data: AttendanceData, *, person_id: int, group_ids: Iterable[int], windows: list[Window]
) -> Tally:
    """Count what one person made of the meetings that count for them (see the module doc)."""
    counts: dict[str, int] = defaultdict(int)
    spells = data.spells.get(person_id, [])
    for group_id in set(group_ids):
        for meeting in data.meetings_by_group.get(group_id, []):
            if not any(meeting.day in window for window in windows):
                continue
            mark = data.marks.get((person_id, meeting.id))
            if mark is None and not any(
                s.group_id == group_id and s.covers(meeting) for s in spells
            ):
                continue
            counts["expected"] += 1
            if mark is None:
                counts["unrecorded"] += 1
                continue
            status, presented = mark
            counts[status] += 1
            counts["cases"] += int(presented)
    return Tally(
        expected=counts["expected"],
        attended=counts[AttendanceStatus.PRESENT] + counts[AttendanceStatus.LATE],
        late=counts[AttendanceStatus.LATE],
        apologies=counts[AttendanceStatus.APOLOGIES],
        absent=counts[AttendanceStatus.ABSENT],
        cases=counts["cases"],
        unrecorded=counts["unrecorded"],
    )


@dataclass(frozen=True)
class Requirement:
    """Whether a tally meets a cohort's requirement so far, in words for the tables."""

    met: bool
    text: str


def check_requirement(
    *, required_meetings: int | None, required_percent: int | None, result: Tally
) -> Requirement:
    """A minimum number of meetings attended, or a percentage of the meetings held while
    enrolled (met while nothing has been held yet: nothing has been missed)."""
    if required_percent is not None:
        # Integers only: 3 of 4 against 75% must be met, whatever floating point thinks.
        met = result.attended * 100 >= required_percent * result.expected
        if result.expected == 0:
            return Requirement(True, "Nothing held yet")
        rate = f"{result.rate:.0f}%"
        return Requirement(met, f"Yes ({rate})" if met else f"No ({rate} of {required_percent}%)")
    required = required_meetings or 0
    if result.attended >= required:
        return Requirement(True, "Yes")
    return Requirement(False, f"No ({required - result.attended} more needed)")


def windows_for(
    spells: Iterable[tuple[date, date | None]],
    *,
    cohort_start: date,
    cohort_end: date,
    start: date | None = None,
    end: date | None = None,
) -> list[Window]:
    """Enrolment spells (enrolled_on, left_on) clipped to the cohort and to [start, end]."""
    windows = []
    for enrolled_on, left_on in spells:
        window = Window(enrolled_on, left_on or cohort_end).clip(cohort_start, cohort_end)
        window = window.clip(start, end) if window else None
        if window is not None:
            windows.append(window)
    return windows
