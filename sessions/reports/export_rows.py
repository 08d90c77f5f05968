"""What the exports contain: the attendance query (one row per person per meeting) and the
trainee summary (one row per trainee), as plain rows of text for the CSV and XLSX writers.

Dates are ISO (YYYY-MM-DD) and times 24-hour, in the meeting's group's time zone, which has a
column of its own: a file read in another country still says what the register said.

On PostgreSQL the attendance CSV is written by the database (sessions/reports/export_copy.py),
which must write exactly the file these rows make: a change to the columns, their formats or
their order is made in both, and tests/reports/test_export_copy.py compares the two.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast

from balint.exports import needs_neutralising, spreadsheet_cell
from members.models import Programme
from sessions.meetings.models import AttendanceRecord, AttendanceRole, AttendanceStatus
from sessions.programmes.attendance import zone
from sessions.programmes.models import Enrolment
from sessions.reports.export_files import Cell
from sessions.reports.read_ahead import read_ahead
from sessions.reports.sql import LocalDate
from sessions.reports.summary import ReportFilter, cohort_reports

CHUNK_SIZE = 2000  # rows fetched from the database at a time (a server-side cursor on PostgreSQL)

ATTENDANCE_COLUMNS_IN_FILE = [
    ("Programme", Cell.TEXT),
    ("Cohort", Cell.TEXT),
    ("Group", Cell.TEXT),
    ("Meeting date", Cell.DATE),
    ("Start time", Cell.TIME),
    ("Time zone", Cell.TEXT),
    ("Person", Cell.TEXT),
    ("Email", Cell.TEXT),
    ("Role", Cell.TEXT),
    ("Attendance", Cell.TEXT),
    ("Presented a case", Cell.TEXT),
    ("Recorded by", Cell.TEXT),
    ("Recorded at", Cell.DATETIME),
]
ATTENDANCE_HEADER = [name for name, _ in ATTENDANCE_COLUMNS_IN_FILE]
ATTENDANCE_KINDS = [kind for _, kind in ATTENDANCE_COLUMNS_IN_FILE]
ROLES = dict(AttendanceRole.choices)
STATUSES = dict(AttendanceStatus.choices)
YES_NO = {True: "Yes", False: "No"}


def _cohort_of_row(day) -> Subquery:
    """The cohort a register line belongs to: the person's enrolment, in a cohort placed in the
    meeting's group, whose dates and spell contain the meeting's day (the latest cohort first;
    of two that start the same day, the later made)."""
    enrolments = Enrolment.objects.filter(
        person=OuterRef("person_id"),
        cohort__programme=OuterRef("meeting__group__programme_id"),
        cohort__placements__group=OuterRef("meeting__group_id"),
        cohort__starts_on__lte=day,
        cohort__ends_on__gte=day,
        enrolled_on__lte=day,
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
    latest = enrolments.order_by("-cohort__starts_on", "-cohort_id")
    return Subquery(latest.values("cohort__name")[:1])


def attendance_queryset(*, programme: Programme, filters: ReportFilter) -> QuerySet:
    """The register lines of the programme's groups, narrowed by `filters`, in file order."""
    day = LocalDate("meeting__starts_at", "meeting__group__time_zone")
    records = AttendanceRecord.objects.filter(meeting__group__programme=programme).alias(day=day)
    if filters.group is not None:
        records = records.filter(meeting__group=filters.group)
    if filters.start is not None:
        records = records.filter(day__gte=filters.start)
    if filters.end is not None:
        records = records.filter(day__lte=filters.end)
    if filters.cohort is not None:
        records = records.filter(_in_cohort(filters.cohort))
    return records.annotate(cohort_name=_cohort_of_row(OuterRef("day"))).order_by(
        "meeting__starts_at", "meeting__group__name", "meeting_id", "person__display_name", "pk"
    )


def _in_cohort(cohort) -> Q:
    """Lines of the cohort's trainees, at its groups' meetings, within their enrolment spell."""
    spell = Enrolment.objects.filter(
        cohort=cohort, person=OuterRef("person_id"), enrolled_on__lte=OuterRef("day")
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=OuterRef("day")))
    return (
        Q(meeting__group__cohort_placements__cohort=cohort)
        & Q(day__gte=cohort.starts_on, day__lte=cohort.ends_on)
        & Q(Exists(spell))
    )


ATTENDANCE_COLUMNS = [
    "cohort_name",
    "meeting__group__name",
    "meeting_id",
    "starts_text",
    "meeting__group__time_zone",
    "person__display_name",
    "person__email",
    "role",
    "status",
    "presented_case",
    "recorded_by__display_name",
    "recorded_text",
]


def attendance_values(queryset: QuerySet) -> QuerySet:
    """The query the rows are read from: the XLSX file's, and the CSV's on SQLite (on
    PostgreSQL the database writes the CSV itself: sessions/reports/export_copy.py).

    Timestamps come as text: a million rows would otherwise each pay for two datetime objects,
    when a meeting's lines share one start and usually one recording time.
    """
    return queryset.annotate(
        starts_text=Cast("meeting__starts_at", TextField()),
        recorded_text=Cast("recorded_at", TextField()),
    ).values_list(*ATTENDANCE_COLUMNS)


def attendance_rows(queryset: QuerySet, *, programme_name: str) -> Iterator[tuple]:
    """The file's rows, already neutralised, read from the database in chunks (memory stays
    flat however many)."""
    # Inside a transaction PostgreSQL streams from a plain server-side cursor; outside one,
    # Django must declare it WITH HOLD, and PostgreSQL builds the whole result before the first
    # row leaves.
    with transaction.atomic():
        _plan_for_every_row()
        yield from _formatted(attendance_values(queryset), spreadsheet_cell(programme_name))


def _plan_for_every_row() -> None:
    """An export reads every row: PostgreSQL plans a cursor for its first 10% unless told
    otherwise (cursor_tuple_fraction), which makes a long export markedly slower."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")


def _formatted(values, programme: str) -> Iterator[tuple]:
    # A million lines pass through this loop, so it does the least it can per line: what a
    # meeting's lines share (its group, date, time, zone) is worked out once per meeting, and a
    # name is handed to the shared spreadsheet_cell() only when it might need it.
    needs, safe = needs_neutralising, spreadsheet_cell
    last_meeting = last_cohort = last_recorder = last_recorded = None
    group = day = start = cohort = recorder = recorded = ""
    meeting_zone = None
    for (
        cohort_name,
        group_name,
        meeting_id,
        starts_text,
        zone_name,
        name,
        email,
        role,
        status,
        presented,
        recorder_name,
        recorded_text,
    ) in read_ahead(values.iterator(chunk_size=CHUNK_SIZE), chunk_size=CHUNK_SIZE):
        if meeting_id != last_meeting:
            last_meeting, last_recorded, meeting_zone = meeting_id, None, zone(zone_name)
            local = _parse(starts_text).astimezone(meeting_zone)
            group, day, start = safe(group_name), f"{local:%Y-%m-%d}", f"{local:%H:%M}"
        if recorded_text != last_recorded:
            last_recorded, recorded = recorded_text, _local_text(recorded_text, meeting_zone)
        if cohort_name != last_cohort:
            last_cohort, cohort = cohort_name, safe(cohort_name)
        if recorder_name != last_recorder:
            last_recorder, recorder = recorder_name, safe(recorder_name)
        if needs(name):
            name = safe(name)
        if needs(email):
            email = safe(email)
        # Dates, times, zones and labels are ours; only names and addresses are people's.
        yield (
            programme,
            cohort,
            group,
            day,
            start,
            zone_name,
            name,
            email,
            ROLES[role],
            STATUSES[status],
            YES_NO[presented],
            recorder,
            recorded,
        )


def _parse(text: str) -> datetime:
    """A timestamp as the database wrote it: with an offset (PostgreSQL) or in UTC (SQLite)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _local_text(text: str | None, meeting_zone) -> str:
    return f"{_parse(text).astimezone(meeting_zone):%Y-%m-%d %H:%M}" if text else ""


TRAINEE_COLUMNS_IN_FILE = [
    ("Programme", Cell.TEXT),
    ("Cohort", Cell.TEXT),
    ("Person", Cell.TEXT),
    ("Email", Cell.TEXT),
    ("Groups", Cell.TEXT),
    ("Enrolled on", Cell.DATE),
    ("Left on", Cell.DATE),
    ("Requirement", Cell.TEXT),
    ("Counting rule", Cell.TEXT),
    ("Meetings expected", Cell.NUMBER),
    ("Attended", Cell.NUMBER),
    ("Late", Cell.NUMBER),
    ("Apologies", Cell.NUMBER),
    ("Excused", Cell.NUMBER),
    ("Absent", Cell.NUMBER),
    ("Not recorded", Cell.NUMBER),
    ("Cases presented", Cell.NUMBER),
    ("Attendance rate", Cell.PERCENT),
    ("Meets requirement so far", Cell.TEXT),
]
TRAINEE_HEADER = [name for name, _ in TRAINEE_COLUMNS_IN_FILE]
TRAINEE_KINDS = [kind for _, kind in TRAINEE_COLUMNS_IN_FILE]


def trainee_rows(*, programme: Programme, filters: ReportFilter) -> Iterator[list]:
    """One row per trainee per cohort: the dashboard's summary."""
    for report in cohort_reports(programme=programme, filters=filters):
        for row in report.trainees:
            result = row.tally
            yield [
                programme.name,
                report.cohort.name,
                row.person.display_name,
                row.person.email,
                "; ".join(row.groups),
                row.enrolled_on.isoformat(),
                row.left_on.isoformat() if row.left_on else "",
                report.cohort.requirement,
                report.cohort.counting_rule,
                result.expected,
                result.attended,
                result.late,
                result.apologies,
                result.excused,
                result.absent,
                result.unrecorded,
                result.cases,
                f"{result.rate:.1f}%" if result.rate is not None else "",
                row.requirement.text,
            ]
