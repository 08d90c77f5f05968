"""Importing past attendance from a CSV file: a preview with each problem line by line, nothing
saved on error, and a second import of the same file adds nothing."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balint.audit.models import AuditEvent
from sessions.meetings.models import AttendanceRecord, Meeting
from sessions.programmes.blocks import place_cohort_for_block
from sessions.programmes.history_import import read_import
from tests.conftest import PERSONAS
from tests.factories import UserFactory
from tests.reports.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

URL = "/programmes/severn/history/import/"
HEADER = "group,date,time,minutes,email,status,presented_case\n"


@pytest.fixture
def block(programme, group, programme_admin):
    """Two students placed in `group` for a block in 2022 (history)."""
    programme.slug = "severn"
    programme.save()
    cohort = CohortFactory(
        programme=programme, starts_on=date(2022, 3, 7), ends_on=date(2022, 4, 3)
    )
    students = [UserFactory(email=f"s{n}@example.org", display_name=f"Sam {n}") for n in range(2)]
    for student in students:
        EnrolmentFactory(cohort=cohort, person=student)
    place_cohort_for_block(cohort=cohort, group=group, by=programme_admin)
    return students


def _csv(*lines: str) -> str:
    return HEADER + "".join(line + "\n" for line in lines)


GOOD = _csv(
    "cotham,2022-03-09,14:00,60,s0@example.org,present,yes",
    "cotham,2022-03-09,14:00,60,S1@example.org,late,no",
    "Cotham GP Balint Group,16/03/2022,14:00,,s0@example.org,apologies,",
)


def _upload(client, text: str):
    return client.post(URL, {"file": SimpleUploadedFile("past.csv", text.encode("utf-8"))})


def test_the_preview_shows_what_will_be_saved_and_saves_nothing(client, block, programme_admin):
    client.force_login(programme_admin)

    response = _upload(client, GOOD)

    page = response.content.decode()
    assert response.status_code == 200
    assert "3 register lines at 2 meetings" in page
    assert "2 meetings to record afterwards, 3 lines to add" in page
    assert not Meeting.objects.exists() and not AttendanceRecord.objects.exists()


def test_confirming_saves_the_meetings_and_marks_once(client, block, programme_admin):
    client.force_login(programme_admin)

    first = client.post(URL, {"confirm": "1", "text": GOOD})
    again = client.post(URL, {"confirm": "1", "text": GOOD})

    assert first.status_code == 302 and again.status_code == 302
    assert Meeting.objects.count() == 2
    assert all(m.recorded_afterwards for m in Meeting.objects.all())
    marks = set(AttendanceRecord.objects.values_list("person__email", "status", "presented_case"))
    assert marks == {
        ("s0@example.org", "present", True),
        ("s1@example.org", "late", False),
        ("s0@example.org", "apologies", False),
    }
    assert AttendanceRecord.objects.count() == 3
    assert AuditEvent.objects.filter(action="register.import").count() == 2


def test_every_bad_line_is_reported_in_words_and_nothing_is_saved(client, block, programme_admin):
    client.force_login(programme_admin)
    text = _csv(
        "cotham,2022-03-09,14:00,60,s0@example.org,present,yes",
        "cotam,2022-03-09,14:00,60,s0@example.org,present,no",
        "cotham,2022-02-30,2pm,60,s0@example.org,present,no",
        "cotham,2022-03-09,14:00,600,nobody@example.org,maybe,perhaps",
        "cotham,2022-03-09,14:00,60,s1@example.org,absent,yes",
        "cotham,2022-03-09,14:00,60,s0@example.org,late,no",
        "cotham,2021-01-06,14:00,60,s1@example.org,present,no",
        "cotham,2099-01-07,14:00,60,s1@example.org,present,no",
        "cotham,2022-03-27,01:30,60,s1@example.org,present,no",
    )

    response = client.post(URL, {"confirm": "1", "text": text})

    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert "Nothing has been saved" in page
    for message in [
        "Line 3: no group of this programme is called “cotam”.",
        "Line 4: “2022-02-30” is not a date; write it as 2022-03-14; “2pm” is not a time",
        "Line 5: “600” under minutes",
        "nobody has an account with the address “nobody@example.org”",
        "“maybe” is not a mark; use present, late, absent or apologies",
        "“perhaps” under presented_case: write yes or no",
        "Line 6: only someone who was there can have presented a case.",
        "Line 7: Sam 0 is already marked for this meeting on line 2.",
        "Line 8: Sam 1 was not a member of Cotham GP Balint Group on 6 January 2021.",
        "Line 9: that meeting has not finished yet",
        "Line 10: 01:30 did not exist on 27 March 2022: the clocks went forward then.",
    ]:
        assert message in page, message
    assert not Meeting.objects.exists() and not AttendanceRecord.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The file is empty."),
        (b"name,when\nx,y\n", "the file has no column called"),
        (HEADER.encode(), "The file has no lines after the first"),
        ("group\n\xe9".encode("latin-1"), "This is not a CSV file in UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_is_explained(client, block, programme_admin, content, message):
    client.force_login(programme_admin)

    response = client.post(URL, {"file": SimpleUploadedFile("x.csv", content)})

    assert response.status_code == 200
    assert message in response.content.decode()


def test_checking_a_file_costs_the_same_queries_for_ten_lines_as_for_a_hundred(
    programme, group, block
):
    def lines(n):
        start = date(2022, 3, 7)
        return _csv(
            *(
                f"cotham,{start + timedelta(days=i % 27)},{8 + i // 27}:00,60,"
                f"s{i % 2}@example.org,present,no"
                for i in range(n)
            )
        )

    counts = []
    for n in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            preview = read_import(programme=programme, text=lines(n))
        assert not preview.errors, preview.errors[:3]
        counts.append(len(queries))

    assert counts[0] == counts[1]


LOGIN = "login"
ADMINS = {**dict.fromkeys(PERSONAS, 404), "anonymous": LOGIN, "programme_admin": 200, "staff": 200}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_the_programme_admins_and_staff_import(
    client_for, block, member, leader, other_member, other_leader, staff, persona, method
):
    client = client_for(persona)

    response = getattr(client, method)(URL, {"confirm": "1", "text": GOOD})

    expected = ADMINS[persona]
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif expected == 200:
        assert response.status_code == (302 if method == "post" else 200)
    else:
        assert response.status_code == expected
