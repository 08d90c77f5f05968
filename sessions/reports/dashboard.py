"""The programme dashboard: its groups (size, next meeting, attendance rate), its cohorts with
each trainee's attendance, the charts and the feedback response rates, in a fixed number of
queries however many groups, meetings and trainees there are.

The groups are shown a page at a time (`PAGE_SIZE`): only the page's groups have their rates,
charts, next meetings and feedback worked out, so a programme of a thousand groups costs about
what one of twenty-five does."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from groups.models import BalintGroup, GroupStatus
from members.models import Programme
from sessions.attendance.group_pages import next_meetings_for_groups
from sessions.meetings.models import (
    ATTENDED,
    AttendanceRecord,
    AttendanceRole,
    Meeting,
    MeetingStatus,
)
from sessions.programmes.attendance import zone
from sessions.programmes.models import Enrolment
from sessions.reports.charts import Chart, distribution_chart, rate_chart
from sessions.reports.feedback import ResponseRate, response_rates
from sessions.reports.sql import LocalDate
from sessions.reports.summary import CohortReport, ReportFilter, kept_cohort_reports

MAX_POINTS = 30  # meetings per group in the rate chart: the latest ones in the range
PAGE_SIZE = 25  # groups per page of the dashboard
# A cohort panel lists its trainees up to this many; a bigger cohort's are on its own page (a
# thousand rows would make the dashboard megabytes long).
TRAINEES_LISTED = 60
GROUPS_NAMED = 12  # a cohort panel names its groups up to this many, then counts the rest


@dataclass
class GroupRow:
    group: BalintGroup
    next_meeting: Meeting | None
    attended: int = 0
    recorded: int = 0
    chart: Chart | None = None
    taster_feedback: ResponseRate | None = None

    @property
    def rate(self) -> str:
        return f"{100 * self.attended / self.recorded:.0f}%" if self.recorded else "—"


@dataclass
class CohortPanel:
    report: CohortReport
    chart: Chart
    feedback: ResponseRate

    @property
    def lists_trainees(self) -> bool:
        return len(self.report.trainees) <= TRAINEES_LISTED

    @property
    def named_groups(self) -> list:
        return self.report.groups[:GROUPS_NAMED]

    @property
    def more_groups(self) -> int:
        return max(0, len(self.report.groups) - GROUPS_NAMED)


@dataclass
class Dashboard:
    programme: Programme
    page: Page  # of the groups the filters show, all counted; `groups` are this page's rows
    groups: list[GroupRow] = field(default_factory=list)
    cohorts: list[CohortPanel] = field(default_factory=list)

    @property
    def group_count(self) -> int:
        """How many groups the filters show, on every page."""
        return self.page.paginator.count

    @property
    def page_numbers(self):
        return self.page.paginator.get_elided_page_range(self.page.number, on_each_side=2)

    @property
    def feedback_total(self) -> ResponseRate:
        return ResponseRate(
            sum(panel.feedback.responded for panel in self.cohorts),
            sum(panel.feedback.invited for panel in self.cohorts),
        )


def programme_groups(programme: Programme) -> QuerySet[BalintGroup]:
    return BalintGroup.objects.filter(programme=programme).order_by("name")


def member_marks(group_ids, filters: ReportFilter, now: datetime) -> QuerySet[AttendanceRecord]:
    """Members' register lines at held meetings of these groups within the filter's days."""
    marks = AttendanceRecord.objects.filter(
        meeting__group_id__in=list(group_ids),
        meeting__status=MeetingStatus.SCHEDULED,
        meeting__starts_at__lte=now,
        role=AttendanceRole.MEMBER,
    )
    if filters.start or filters.end:
        marks = marks.alias(day=LocalDate("meeting__starts_at", "meeting__group__time_zone"))
        marks = marks.filter(day__gte=filters.start) if filters.start else marks
        marks = marks.filter(day__lte=filters.end) if filters.end else marks
    if filters.cohort is not None:
        # The cohort's own trainees only, so its groups' rates speak for that cohort.
        enrolled = Enrolment.objects.filter(cohort=filters.cohort, person=OuterRef("person"))
        marks = marks.filter(Exists(enrolled))
    return marks


def dashboard_groups(programme: Programme, filters: ReportFilter) -> QuerySet[BalintGroup]:
    """The groups the dashboard lists under these filters, by name: closed ones only when the
    filter names one."""
    groups = programme_groups(programme).order_by("name", "pk")  # pk: pages never overlap
    if filters.group is not None:
        groups = groups.filter(pk=filters.group.pk)
    else:
        groups = groups.exclude(status=GroupStatus.CLOSED)
    if filters.cohort is not None:
        groups = groups.filter(cohort_placements__cohort=filters.cohort)
    return groups


def _group_rows(groups: list[BalintGroup], filters: ReportFilter, now: datetime) -> list[GroupRow]:
    """The rows of these groups (one page of them): next meeting, attendance rate and chart."""
    ids = [group.pk for group in groups]
    upcoming = next_meetings_for_groups(ids, now=now)
    rows = {g.pk: GroupRow(group=g, next_meeting=upcoming.get(g.pk)) for g in groups}
    attended = Count("pk", filter=Q(status__in=ATTENDED))
    per_meeting = (
        member_marks(ids, filters, now)
        .values("meeting_id", "meeting__group_id", "meeting__starts_at")
        .annotate(attended=attended, recorded=Count("pk"))
        .order_by("meeting__starts_at")
    )
    points: dict[int, list] = {pk: [] for pk in ids}
    for row in per_meeting:
        group_row = rows[row["meeting__group_id"]]
        group_row.attended += row["attended"]
        group_row.recorded += row["recorded"]
        day = row["meeting__starts_at"].astimezone(zone(group_row.group.time_zone))
        points[group_row.group.pk].append((f"{day:%Y-%m-%d}", row["attended"], row["recorded"]))
    for pk, row in rows.items():
        title = f"Attendance at each meeting: {row.group.name}"
        row.chart = rate_chart(title=title, points=points[pk][-MAX_POINTS:])
    return list(rows.values())


def programme_dashboard(
    *,
    programme: Programme,
    filters: ReportFilter,
    page_number: str | int | None = None,
    now: datetime | None = None,
) -> Dashboard:
    """Everything the dashboard shows, narrowed by `filters`, with page `page_number` of the
    groups (the first page if it is missing or not a number, the last if it is past the end)."""
    now = now or timezone.now()
    paginator = Paginator(dashboard_groups(programme, filters).with_places_taken(), PAGE_SIZE)
    page = paginator.get_page(page_number)
    groups = _group_rows(list(page.object_list), filters, now)
    dashboard = Dashboard(programme=programme, page=page, groups=groups)
    reports = kept_cohort_reports(programme=programme, filters=filters, now=now)
    rates = response_rates(
        cohort_ids=[r.cohort.pk for r in reports], group_ids=[g.group.pk for g in dashboard.groups]
    )
    for row in dashboard.groups:
        row.taster_feedback = rates.get(("taster", row.group.pk))
    for report in reports:
        chart = distribution_chart(
            title=f"Attendance of the trainees: {report.cohort.name}",
            bands=report.distribution(),
        )
        rate = rates.get(("block", report.cohort.pk), ResponseRate(0, 0))
        dashboard.cohorts.append(CohortPanel(report=report, chart=chart, feedback=rate))
    return dashboard
