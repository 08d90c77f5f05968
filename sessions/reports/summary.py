"""Each cohort's trainees with their attendance: the dashboard's tables, the trainee export and
the certificates all read it from here, in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Max, Min
from django.utils import timezone

from balint import changes
from groups.models import BalintGroup, MembershipStatus
from members.models import Programme, User
from sessions.meetings.models import Meeting
from sessions.programmes.attendance import (
    AttendanceData,
    Policy,
    Requirement,
    Tally,
    assess,
    load_attendance,
    policy_of,
    tally,
    windows_for,
)
from sessions.programmes.models import Cohort, CohortPlacement, Enrolment, PendingEnrolment

# Bins of the per-cohort distribution chart: attendance rate of the meetings expected.
BINS = [
    ("Under 50%", 0, 50),
    ("50–59%", 50, 60),
    ("60–69%", 60, 70),
    ("70–79%", 70, 80),
    ("80–89%", 80, 90),
    ("90–100%", 90, 101),
]


@dataclass(frozen=True)
class ReportFilter:
    """What the admin narrowed the reports to; every part optional."""

    cohort: Cohort | None = None
    group: BalintGroup | None = None
    start: date | None = None
    end: date | None = None

    def describe(self) -> dict:
        """The filter in words and ids, for the export log."""
        return {
            "cohort": self.cohort.name if self.cohort else "",
            "cohort_id": self.cohort.pk if self.cohort else None,
            "group": self.group.name if self.group else "",
            "group_id": self.group.pk if self.group else None,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
        }


@dataclass(frozen=True)
class Trainee:
    """What a trainee's row shows of them (and links to, by pk): kept tallies hold this rather
    than their whole account, so reading a thousand rows back is not a thousand models."""

    pk: int
    display_name: str
    email: str

    @classmethod
    def of(cls, person: User) -> "Trainee":
        return cls(pk=person.pk, display_name=person.display_name, email=person.email)


@dataclass
class TraineeRow:
    cohort: Cohort
    person: User | Trainee
    enrolled_on: date
    left_on: date | None
    groups: list[str]
    tally: Tally
    requirement: Requirement


@dataclass
class CohortReport:
    cohort: Cohort
    groups: list[BalintGroup]
    trainees: list[TraineeRow] = field(default_factory=list)
    pending: int = 0

    @property
    def met_count(self) -> int:
        return sum(1 for row in self.trainees if row.requirement.met)

    def distribution(self) -> list[tuple[str, int]]:
        """How many trainees fall in each band of attendance rate (those with meetings)."""
        rates = [row.tally.rate for row in self.trainees if row.tally.rate is not None]
        return [(label, sum(1 for r in rates if low <= r < high)) for label, low, high in BINS]


def cohort_reports(
    *, programme: Programme, filters: ReportFilter, now: datetime | None = None
) -> list[CohortReport]:
    """The programme's cohorts (or the filtered one) with each trainee's attendance so far."""
    now = now or timezone.now()
    cohorts = list(programme.cohorts.all())
    if filters.cohort is not None:
        cohorts = [c for c in cohorts if c.pk == filters.cohort.pk]
    if not cohorts:
        return []
    reports = {c.pk: CohortReport(cohort=c, groups=[]) for c in cohorts}
    placements = CohortPlacement.objects.filter(cohort__in=cohorts).select_related("group")
    for placement in placements.order_by("group__name"):
        if filters.group is None or placement.group_id == filters.group.pk:
            reports[placement.cohort_id].groups.append(placement.group)
    pending = PendingEnrolment.objects.filter(cohort__in=cohorts, accepted_at__isnull=True)
    for row in pending.values("cohort_id").annotate(n=Count("pk")).order_by():
        reports[row["cohort_id"]].pending = row["n"]
    enrolments = list(
        Enrolment.objects.filter(cohort__in=cohorts)
        .select_related("person")
        .order_by("person__display_name", "person__email", "enrolled_on")
    )
    data = _load(reports.values(), enrolments, filters, now)
    shared = {cohort_id: _Shared.of(report) for cohort_id, report in reports.items()}
    for person, cohort_id, spells in _people(enrolments):
        report = reports[cohort_id]
        row = _row(report, person, spells, data, filters, shared[cohort_id])
        report.trainees.append(row)
    return list(reports.values())


def kept_cohort_reports(
    *, programme: Programme, filters: ReportFilter, now: datetime | None = None
) -> list[CohortReport]:
    """cohort_reports(), kept between a kept page's requests (balint/changes.py) while no table
    it read has changed and no meeting has started since: the clock changes its answer only by
    a meeting starting (it counts the meetings held so far), so the last meeting to have
    started anywhere is part of what it is kept under. At ten cohorts of a thousand trainees it
    takes seconds, and the dashboard is rendered again each minute."""
    now = now or timezone.now()
    started = _last_started(now)
    parts = [
        programme.pk,
        filters.cohort and filters.cohort.pk,
        filters.group and filters.group.pk,
        filters.start and filters.start.isoformat(),
        filters.end and filters.end.isoformat(),
        started and started.isoformat(),
    ]
    key = "cohort-reports:v2:" + ":".join(str(part or "-") for part in parts)
    return changes.kept(
        key,
        lambda: _with_trainees(cohort_reports(programme=programme, filters=filters, now=now)),
        keep=lambda _: True,
    )


def _with_trainees(reports: list[CohortReport]) -> list[CohortReport]:
    for report in reports:
        for row in report.trainees:
            row.person = Trainee.of(row.person)
    return reports


def _last_started(now: datetime) -> datetime | None:
    """When the last meeting to have started by `now` started (one row of an index)."""
    return Meeting.objects.filter(starts_at__lte=now).aggregate(last=Max("starts_at"))["last"]


def next_to_start(now: datetime) -> datetime | None:
    """When the next meeting to start after `now` starts, whatever its group or status (one row
    of an index): until then, what the clock decides in these reports stays as it is."""
    return Meeting.objects.filter(starts_at__gt=now).aggregate(first=Min("starts_at"))["first"]


@dataclass(frozen=True)
class _Shared:
    """What every trainee row of one report reads, worked out once rather than per trainee."""

    policy: Policy
    group_ids: list[int]
    place: dict[int, int]  # a group's id: its place in the report's groups (by name)

    @classmethod
    def of(cls, report: "CohortReport") -> "_Shared":
        ids = [group.pk for group in report.groups]
        place = {pk: i for i, pk in enumerate(ids)}
        return cls(policy=policy_of(report.cohort), group_ids=ids, place=place)


def _people(enrolments: list[Enrolment]):
    """(person, cohort id, [(enrolled_on, left_on), ...]) once per person and cohort."""
    spells: dict[tuple[int, int], list] = defaultdict(list)
    people: dict[tuple[int, int], User] = {}
    for enrolment in enrolments:
        key = (enrolment.person_id, enrolment.cohort_id)
        people.setdefault(key, enrolment.person)
        spells[key].append((enrolment.enrolled_on, enrolment.left_on))
    return [(people[key], key[1], spells[key]) for key in people]


def _load(reports, enrolments, filters: ReportFilter, now: datetime) -> AttendanceData:
    cohorts = [report.cohort for report in reports]
    first = max(min(c.starts_on for c in cohorts), filters.start or date.min)
    last = min(max(c.ends_on for c in cohorts), filters.end or date.max)
    return load_attendance(
        person_ids=[e.person_id for e in enrolments],
        group_ids=[g.pk for report in reports for g in report.groups],
        first_day=first,
        last_day=last,
        now=now,
    )


def _row(
    report: CohortReport,
    person: User,
    spells,
    data,
    filters: ReportFilter,
    shared: _Shared | None = None,
) -> TraineeRow:
    cohort = report.cohort
    shared = shared or _Shared.of(report)
    windows = windows_for(
        spells,
        cohort_start=cohort.starts_on,
        cohort_end=cohort.ends_on,
        start=filters.start,
        end=filters.end,
    )
    policy = shared.policy
    result = tally(
        data, person_id=person.pk, group_ids=shared.group_ids, windows=windows, policy=policy
    )
    return TraineeRow(
        cohort=cohort,
        person=person,
        enrolled_on=spells[0][0],
        left_on=spells[-1][1],
        groups=_group_names(report.groups, shared.place, data.spells.get(person.pk, [])),
        tally=result,
        requirement=assess(policy=policy, result=result),
    )


def _group_names(groups: list[BalintGroup], place: dict[int, int], spells) -> list[str]:
    """The report's groups the person is (or was, or is waiting to be) in, in the report's
    order: only the groups of their own memberships are looked at."""
    held: dict[int, set[str]] = {}
    for spell in spells:
        if spell.group_id in place:
            held.setdefault(spell.group_id, set()).add(spell.status)
    names = []
    for group_id in sorted(held, key=place.__getitem__):
        group, statuses = groups[place[group_id]], held[group_id]
        if MembershipStatus.ACTIVE in statuses:
            names.append(group.name)
        elif statuses & {MembershipStatus.LEFT, MembershipStatus.REMOVED}:
            names.append(f"{group.name} (left)")
        elif MembershipStatus.OFFERED in statuses or MembershipStatus.WAITLISTED in statuses:
            names.append(f"{group.name} (waiting)")
    return names


def own_rows(*, person: User, now: datetime | None = None) -> list[TraineeRow]:
    """The person's own attendance in each cohort they are (or were) enrolled in, under each
    cohort's rule, in the same fixed number of queries however many cohorts."""
    now = now or timezone.now()
    enrolments = list(
        Enrolment.objects.filter(person=person)
        .select_related("cohort__programme")
        .order_by("-cohort__starts_on", "cohort__name", "enrolled_on")
    )
    reports = {e.cohort_id: CohortReport(cohort=e.cohort, groups=[]) for e in enrolments}
    if not reports:
        return []
    placements = CohortPlacement.objects.filter(cohort_id__in=list(reports)).select_related("group")
    for placement in placements.order_by("group__name"):
        reports[placement.cohort_id].groups.append(placement.group)
    for enrolment in enrolments:
        enrolment.person = person
    data = _load(reports.values(), enrolments, ReportFilter(), now)
    return [
        _row(reports[cohort_id], person, spells, data, ReportFilter())
        for _, cohort_id, spells in _people(enrolments)
    ]
