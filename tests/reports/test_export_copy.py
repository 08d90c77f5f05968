"""The attendance CSV written by PostgreSQL (sessions/reports/export_copy.py) is the file the
Python path writes, byte for byte: on awkward data (formula triggers, control characters, commas,
quotes and line breaks in names, a group in another time zone, people in two cohorts at once,
leavers and late joiners) and with every filter.

On PostgreSQL the view takes the COPY path, so these compare the two; on SQLite the view takes
the Python path and the comparison holds trivially."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from balint.exports import stream_csv
from members.models import User
from sessions.meetings.models import AttendanceRecord, AttendanceRole, AttendanceStatus
from sessions.programmes.models import CohortPlacement
from sessions.reports import export_copy
from sessions.reports.export_rows import ATTENDANCE_HEADER, attendance_queryset, attendance_rows
from sessions.reports.models import ExportLog
from sessions.reports.summary import ReportFilter
from tests.factories import BalintGroupFactory, MembershipFactory, UserFactory
from tests.reports.conftest import days_ago, held_meeting
from tests.reports.factories import CohortFactory, EnrolmentFactory, mark
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")

AWKWARD_NAMES = [
    "=1+2",
    "+SUM(A1)",
    "-2+3",
    "@cmd",
    "\tTab",
    "\rReturn",
    '\x01=HYPERLINK("http://x","y")',
    "Smith, Jo",
    'Jo "the Quote" Smith',
    "Two\nlines",
    "Carriage\rreturn inside",
    "Zoë Ångström-Łukasz 🙂",
    "\x07",  # nothing left once the control character is stripped
    "Same Name",
    "Same Name",
]


def python_file(programme, filters: ReportFilter) -> tuple[bytes, list[int]]:
    counts = []
    rows = attendance_rows(
        attendance_queryset(programme=programme, filters=filters), programme_name=programme.name
    )
    chunks = stream_csv(rows, header=ATTENDANCE_HEADER, on_complete=counts.append, neutralised=True)
    return "".join(chunks).encode(), counts


@pytest.fixture
def awkward(programme, group, leader):
    """Two groups (one in New York, one with a hostile name), three cohorts (two of them placed
    in the first group, overlapping), people with awkward names in one, two or no cohorts, and
    three weeks of registers."""
    programme.name = '=HYPERLINK("http://evil.example"), "quoted"'
    programme.save()
    group.name = 'Cotham, "the" group'
    group.save()
    abroad = BalintGroupFactory(
        name="@New York group", programme=programme, time_zone="America/New_York"
    )
    today = timezone.localdate()
    early = CohortFactory(
        programme=programme, name="-Early, block", starts_on=today - timedelta(days=60)
    )
    late = CohortFactory(
        programme=programme, name='Late "block"', starts_on=today - timedelta(days=12)
    )
    elsewhere = CohortFactory(programme=programme, name="Not placed here")
    for cohort, placed in ((early, group), (late, group), (late, abroad), (elsewhere, abroad)):
        CohortPlacement.objects.create(cohort=cohort, group=placed)
    people = []
    for number, name in enumerate(AWKWARD_NAMES):
        person = UserFactory(email=f"=person{number}@example.org")
        User.objects.filter(pk=person.pk).update(display_name=name)
        for place in (group, abroad):
            MembershipFactory(group=place, person=person, joined_at=days_ago(100))
        people.append(person)
    EnrolmentFactory(cohort=early, person=people[0])
    EnrolmentFactory(cohort=early, person=people[1])  # and the later cohort: two at once
    EnrolmentFactory(cohort=late, person=people[1])
    EnrolmentFactory(cohort=late, person=people[2], enrolled_on=today - timedelta(days=5))
    EnrolmentFactory(
        cohort=early,
        person=people[3],
        enrolled_on=today - timedelta(days=60),
        left_on=today - timedelta(days=9),
    )
    EnrolmentFactory(cohort=elsewhere, person=people[4])
    EnrolmentFactory(cohort=early, person=people[13])
    statuses = list(AttendanceStatus)
    for days in (20, 13, 8, 6, 1):
        # The same start in both groups (ordered by group name); in New York a start at 03:00
        # UTC is the evening before.
        for place, hour in ((group, 19), (abroad, 3)):
            meeting = MeetingFactory(group=place, starts_at=days_ago(days, hour=hour))
            for index, person in enumerate(people):
                status = statuses[(index + days) % len(statuses)]
                record = mark(
                    meeting,
                    person,
                    status,
                    presented=status == AttendanceStatus.PRESENT and index % 2 == 0,
                    by=leader if index % 3 else None,
                )
                # Recorded at odd moments, some across midnight in New York.
                AttendanceRecord.objects.filter(pk=record.pk).update(
                    recorded_at=meeting.starts_at + timedelta(hours=index, seconds=index * 7)
                )
            mark(meeting, leader, role=AttendanceRole.LEADER, by=leader)
    held_meeting(group, 3)  # no register: not in the file
    return {"early": early, "late": late, "abroad": abroad, "people": people}


def _filters(awkward, group) -> dict[str, ReportFilter]:
    today = timezone.localdate()
    return {
        "everything": ReportFilter(),
        "one group": ReportFilter(group=awkward["abroad"]),
        "dates": ReportFilter(start=today - timedelta(days=13), end=today - timedelta(days=6)),
        "early cohort": ReportFilter(cohort=awkward["early"]),
        "late cohort, one group": ReportFilter(cohort=awkward["late"], group=group),
    }


@on_postgresql
def test_postgresql_writes_the_pythons_file_byte_for_byte(programme, group, awkward):
    assert export_copy.supported()
    for name, filters in _filters(awkward, group).items():
        expected, expected_count = python_file(programme, filters)
        counts = []
        written = b"".join(
            export_copy.attendance_csv(
                programme=programme, filters=filters, on_complete=counts.append
            )
        )

        assert expected.count(b"\r\n") > 1, name
        assert written == expected, name
        assert counts == expected_count, name


def test_the_view_sends_the_pythons_file_and_logs_its_lines(client_for, programme, group, awkward):
    client = client_for("programme_admin")
    today = timezone.localdate()
    queries = {
        "": ReportFilter(),
        f"?cohort={awkward['late'].pk}&group={group.slug}": ReportFilter(
            cohort=awkward["late"], group=group
        ),
        f"?start={today - timedelta(days=13)}": ReportFilter(start=today - timedelta(days=13)),
    }
    for query, filters in queries.items():
        response = client.get(f"/programmes/{programme.slug}/export/attendance.csv{query}")
        body = b"".join(response.streaming_content)

        expected, (count,) = python_file(programme, filters)
        assert body == expected, query
        assert ExportLog.objects.latest("pk").rows == count, query


@on_postgresql
def test_a_download_broken_off_ends_the_copy_and_records_no_count(
    programme, group, awkward, monkeypatch
):
    monkeypatch.setattr(export_copy, "CHUNK_BYTES", 100)  # a chunk per meeting
    counts = []
    chunks = export_copy.attendance_csv(
        programme=programme, filters=ReportFilter(), on_complete=counts.append
    )
    next(chunks), next(chunks)  # the header, the first meeting

    chunks.close()

    assert counts == []
    assert AttendanceRecord.objects.filter(meeting__group=group).exists()  # still usable
    expected, _ = python_file(programme, ReportFilter())
    assert (
        b"".join(
            export_copy.attendance_csv(
                programme=programme, filters=ReportFilter(), on_complete=counts.append
            )
        )
        == expected
    )
