"""The attendance requirement rule: which meetings count for a trainee, what they made of them,
and whether that meets their cohort's requirement. The dashboard, the cohort page, the exports
and the certificates all read it from here (through `sessions.reports.summary` or directly), so
the rule is stated once.

A meeting counts for a trainee ("expected") when it was held (not cancelled, already started),
in one of the trainee's cohort's groups, on a day (in the group's time zone) inside one of their
enrolment spells and the cohort's dates, and they were a member of that group that day (or the
register lists them anyway). Meetings before they enrolled or after they left do not count.

How marks count is the cohort's policy (`Policy`, read from the cohort by `policy_of`):
whether apologies are excused (left out of the meetings that count, or lowering the number
needed by one each) or count as absences, and whether late counts as attended. `tally` and
`assess` apply it; every reader (dashboard, cohort page, the trainee's own page, exports,
certificates) goes through them, so no page counts differently.

Everything is loaded in a fixed number of queries, then counted in Python, so a report costs
the same number of queries for 10 trainees as for 1,000.
"""

import zoneinfo
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from groups.models import Membership, MembershipStatus
from sessions.meetings.models import AttendanceRecord, AttendanceStatus, Meeting, MeetingStatus
from sessions.programmes.models import ApologiesRule, Cohort

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
class Policy:
    """A cohort's requirement and how its marks count towards it."""

    required_meetings: int | None = None
    required_percent: int | None = None
    apologies_excused: bool = False
    late_attends: bool = True

    def attends(self, status: str) -> bool:
        """Whether a register mark counts as attended under this policy."""
        if status == AttendanceStatus.LATE:
            return self.late_attends
        return status == AttendanceStatus.PRESENT


# Outside any cohort (a certificate for a date range): present and late attended, apologies
# count as absences.
DEFAULT_POLICY = Policy()


def policy_of(cohort: Cohort) -> Policy:
    """The cohort's requirement and counting rule: the one place they are read."""
    return Policy(
        required_meetings=cohort.required_meetings,
        required_percent=cohort.required_percent,
        apologies_excused=cohort.apologies == ApologiesRule.EXCUSED,
        late_attends=cohort.late_counts,
    )


@dataclass(frozen=True)
class Tally:
    expected: int = 0
    attended: int = 0
    late: int = 0
    apologies: int = 0
    absent: int = 0
    cases: int = 0
    unrecorded: int = 0
    excused: int = 0  # apologies left out under the cohort's policy

    @property
    def counted(self) -> int:
        """The meetings the requirement counts: expected, less the excused ones."""
        return self.expected - self.excused

    @property
    def rate(self) -> float | None:
        """Attended as a percentage of the meetings counted; None when none counts yet."""
        return 100 * self.attended / self.counted if self.counted else None


@dataclass
class AttendanceData:
    """Meetings held in some groups over some days, the people's memberships and marks."""

    meetings_by_group: dict[int, list[HeldMeeting]] = field(default_factory=dict)
    spells: dict[int, list[Spell]] = field(default_factory=dict)
    marks: dict[tuple[int, int], tuple[str, bool]] = field(default_factory=dict)
    # The groups each person has a mark in: with their memberships, the only groups whose
    # meetings can count for them.
    marked_groups: dict[int, set[int]] = field(default_factory=dict)


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
    group_of = {m.id: m.group_id for ms in data.meetings_by_group.values() for m in ms}
    records = (
        AttendanceRecord.objects.filter(
            person_id__in=person_ids,
            meeting__group_id__in=group_ids,
            meeting__starts_at__lte=now,
            meeting__starts_at__gte=after,
            meeting__starts_at__lt=before,
        )
        # Unordered: one record per person and meeting, so the order changes nothing, and the
        # model's ordering would join the people and sort every line on disk.
        .order_by()
        .values_list("person_id", "meeting_id", "status", "presented_case")
    )
    marks, marked = data.marks, set()
    for person_id, meeting_id, status, presented in records:
        group_id = group_of.get(meeting_id)
        if group_id is not None:
            marks[person_id, meeting_id] = (status, presented)
            marked.add((person_id, group_id))
    for person_id, group_id in marked:
        data.marked_groups.setdefault(person_id, set()).add(group_id)
    return data


def tally(
    data: AttendanceData,
    *,
    person_id: int,
    group_ids: Iterable[int],
    windows: list[Window],
    policy: Policy = DEFAULT_POLICY,
) -> Tally:
    """Count what one person made of the meetings that count for them (see the module doc),
    under the cohort's `policy`."""
    spells = data.spells.get(person_id, [])
    # A meeting counts only with a mark or a membership covering it: the other groups' meetings
    # need not be looked at.
    theirs = {s.group_id for s in spells} | data.marked_groups.get(person_id, set())
    # Thousands of trainees a page: the loop below is kept tight (plain locals, no generators).
    spans = [(window.start, window.end) for window in windows]
    marks = data.marks
    statuses: list[str] = []
    expected = unrecorded = cases = 0
    for group_id in theirs.intersection(group_ids):
        covering = [s for s in spells if s.group_id == group_id]
        for meeting in data.meetings_by_group.get(group_id, ()):
            day = meeting.day
            for start, end in spans:
                if start <= day <= end:
                    break
            else:
                continue  # in none of the windows
            mark = marks.get((person_id, meeting.id))
            if mark is None:
                if any(s.covers(meeting) for s in covering):
                    expected += 1
                    unrecorded += 1
                continue
            expected += 1
            statuses.append(mark[0])
            cases += mark[1]
    counts = Counter(statuses)
    apologies = counts[AttendanceStatus.APOLOGIES]
    return Tally(
        expected=expected,
        attended=sum(n for status, n in counts.items() if policy.attends(status)),
        late=counts[AttendanceStatus.LATE],
        apologies=apologies,
        absent=counts[AttendanceStatus.ABSENT],
        cases=cases,
        unrecorded=unrecorded,
        excused=apologies if policy.apologies_excused else 0,
    )


@dataclass(frozen=True)
class Requirement:
    """Whether a tally meets a cohort's requirement so far, in words for the tables."""

    met: bool
    text: str


def assess(*, policy: Policy, result: Tally) -> Requirement:
    """Whether `result` (tallied under the same `policy`) meets it: a minimum number of meetings
    attended (each excused meeting lowering it by one), or a percentage of the meetings held
    while enrolled, less the excused ones (met while none counts yet: nothing has been missed)."""
    if policy.required_percent is not None:
        required_percent = policy.required_percent
        if result.counted == 0:
            return Requirement(True, "All excused" if result.excused else "Nothing held yet")
        # Integers only: 3 of 4 against 75% must be met, whatever floating point thinks.
        met = result.attended * 100 >= required_percent * result.counted
        rate = f"{result.rate:.0f}%"
        return Requirement(met, f"Yes ({rate})" if met else f"No ({rate} of {required_percent}%)")
    required = max((policy.required_meetings or 0) - result.excused, 0)
    if result.attended >= required:
        return Requirement(True, "Yes")
    return Requirement(False, f"No ({required - result.attended} more needed)")


def check_requirement(
    *, required_meetings: int | None, required_percent: int | None, result: Tally
) -> Requirement:
    """`assess` under the default counting rule (apologies count as absences, late attends)."""
    return assess(
        policy=Policy(required_meetings=required_meetings, required_percent=required_percent),
        result=result,
    )


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
