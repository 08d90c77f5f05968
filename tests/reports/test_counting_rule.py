"""A cohort's counting rule: whether apologies are excused or count as absences, and whether
late counts as attended. One rule (sessions/programmes/attendance.py) read by every page: the
dashboard, the cohort page, the trainee's own page, the trainee export and the certificate."""

import csv
import io

import pytest
from django.contrib.messages import get_messages

from balint.audit.models import AuditEvent
from sessions.meetings.models import AttendanceStatus
from sessions.programmes.attendance import Policy, Tally, assess
from sessions.programmes.models import ApologiesRule, Cohort
from sessions.reports.certificates import cohort_certificate
from sessions.reports.dashboard import programme_dashboard
from sessions.reports.export_rows import TRAINEE_HEADER, trainee_rows
from sessions.reports.summary import ReportFilter, own_rows
from tests.reports.conftest import held_meeting
from tests.reports.factories import mark

P, L, A, AP = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.ABSENT,
    AttendanceStatus.APOLOGIES,
)


def test_excused_apologies_leave_the_percentage_and_lower_the_number_needed():
    # present, present, late, apologies
    counted = Tally(expected=4, attended=3, late=1, apologies=1)
    excused = Tally(expected=4, attended=3, late=1, apologies=1, excused=1)
    assert assess(policy=Policy(required_percent=80), result=counted).text == "No (75% of 80%)"
    assert assess(policy=Policy(required_percent=80), result=excused).text == "Yes (100%)"
    assert not assess(policy=Policy(required_meetings=4), result=counted).met
    assert assess(policy=Policy(required_meetings=4), result=excused).met  # 4 - 1 excused
    all_excused = Tally(expected=2, apologies=2, excused=2)
    assert assess(policy=Policy(required_percent=75), result=all_excused).text == "All excused"


@pytest.fixture
def four_marks(cohort, group, trainee):
    """Present, late, apologies, present: at four meetings the trainee was expected at."""
    for days, status in [(40, P), (30, L), (20, AP), (10, P)]:
        mark(held_meeting(group, days), trainee, status)


def _set_rule(cohort, apologies, late_counts):
    Cohort.objects.filter(pk=cohort.pk).update(apologies=apologies, late_counts=late_counts)
    cohort.refresh_from_db()


def _readers(programme, cohort, trainee) -> dict:
    """What each reader says: attended, meetings counted, and whether the requirement is met."""
    (report,) = programme_dashboard(programme=programme, filters=ReportFilter()).cohorts
    (row,) = report.report.trainees
    (own,) = own_rows(person=trainee)
    rows = list(trainee_rows(programme=programme, filters=ReportFilter()))
    export = dict(zip(TRAINEE_HEADER, rows[0], strict=True))
    certificate = cohort_certificate(cohort=cohort, person=trainee)
    return {
        "dashboard": (row.tally.attended, row.tally.counted, row.requirement.met),
        "own page": (own.tally.attended, own.tally.counted, own.requirement.met),
        "export": (
            export["Attended"],
            export["Meetings expected"] - export["Excused"],
            export["Meets requirement so far"].startswith("Yes"),
        ),
        "certificate": (certificate.attended, certificate.held, row.requirement.met),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("apologies", "late_counts", "attended", "counted", "met"),
    [
        (ApologiesRule.ABSENCE, True, 3, 4, True),  # 75% of 4
        (ApologiesRule.ABSENCE, False, 2, 4, False),  # 50%
        (ApologiesRule.EXCUSED, True, 3, 3, True),  # 100%
        (ApologiesRule.EXCUSED, False, 2, 3, False),  # 67%
    ],
)
def test_every_reader_follows_the_cohorts_rule(
    programme, cohort, trainee, four_marks, apologies, late_counts, attended, counted, met
):
    _set_rule(cohort, apologies, late_counts)  # the cohort asks for 75%

    readers = _readers(programme, cohort, trainee)

    assert set(readers.values()) == {(attended, counted, met)}, readers


@pytest.mark.django_db
def test_the_certificate_lists_only_the_dates_that_count(cohort, trainee, four_marks):
    _set_rule(cohort, ApologiesRule.EXCUSED, False)
    certificate = cohort_certificate(cohort=cohort, person=trainee)
    (group,) = certificate.groups
    assert (group.attended, group.held, group.excused) == (2, 3, 1)
    assert len(group.dates) == 2


@pytest.mark.django_db
def test_the_trainee_export_names_the_rule(client_for, programme, cohort, trainee, four_marks):
    _set_rule(cohort, ApologiesRule.EXCUSED, True)
    response = client_for("programme_admin").get(
        f"/programmes/{programme.slug}/export/trainees.csv"
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    line = dict(zip(header, row, strict=True))
    assert line["Counting rule"] == "apologies excused; late counts as attended"
    assert (line["Apologies"], line["Excused"], line["Attendance rate"]) == ("1", "1", "100.0%")


@pytest.mark.django_db
def test_an_admin_changes_the_rule_on_the_cohort_page(
    client_for, programme, cohort, trainee, four_marks, programme_admin
):
    client = client_for("programme_admin")
    url = f"/programmes/{programme.slug}/cohorts/{cohort.pk}/"

    response = client.post(url + "rule/", {"apologies": "excused", "late_counts": "no"})

    assert response.status_code == 302
    cohort.refresh_from_db()
    assert (cohort.apologies, cohort.late_counts) == ("excused", False)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Saved: apologies excused; late does not count."
    ]
    event = AuditEvent.objects.get(action="cohort.rule")
    assert event.actor == programme_admin and event.where == programme.name
    page = client.get(url).content.decode()
    assert "apologies excused; late does not count" in page
    assert "No (67% of 75%)" in page


@pytest.mark.django_db
def test_a_bad_rule_is_a_form_error_in_plain_english(client_for, programme, cohort):
    response = client_for("programme_admin").post(
        f"/programmes/{programme.slug}/cohorts/{cohort.pk}/rule/",
        {"apologies": "sometimes", "late_counts": "perhaps"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select a valid choice." in page
    cohort.refresh_from_db()
    assert (cohort.apologies, cohort.late_counts) == ("absence", True)


@pytest.mark.django_db
def test_a_new_cohort_takes_its_rule_from_the_form(client_for, programme):
    response = client_for("programme_admin").post(
        f"/programmes/{programme.slug}/cohorts/new/",
        {
            "name": "Block 9",
            "starts_on": "2026-09-01",
            "ends_on": "2026-10-31",
            "requirement": "meetings",
            "amount": "4",
            "apologies": "excused",
            "late_counts": "no",
        },
    )
    assert response.status_code == 302
    cohort = Cohort.objects.get(name="Block 9")
    assert (cohort.apologies, cohort.late_counts) == ("excused", False)
    assert cohort.counting_rule == "apologies excused; late does not count"


@pytest.mark.django_db
def test_the_trainee_sees_their_own_standing_under_the_rule(
    client_for, cohort, trainee, four_marks
):
    _set_rule(cohort, ApologiesRule.EXCUSED, True)
    page = client_for("member").get("/programmes/certificates/mine/").content.decode()
    assert "Attended 3 of 3 meetings counted (1 excused)" in page
    assert "Yes (100%)" in page
