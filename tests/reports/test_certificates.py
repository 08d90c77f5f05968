"""Certificates of attendance: the same numbers as the dashboard, as a PDF, for the trainee and
their programme admin only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.meetings.models import AttendanceStatus
from sessions.reports.certificates import cohort_certificate, range_certificate, render_pdf
from tests.reports.conftest import held_meeting
from tests.reports.factories import mark

pytestmark = pytest.mark.django_db

_today = timezone.localdate()
YEAR = f"start={_today - timedelta(days=365):%Y-%m-%d}&end={_today:%Y-%m-%d}"


@pytest.fixture
def attended(trainee, group, leader):
    meetings = [held_meeting(group, days) for days in (21, 14, 7)]
    for meeting, status in zip(
        meetings,
        [AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.LATE],
        strict=True,
    ):
        mark(meeting, trainee, status, by=leader)
    return meetings


def test_a_cohort_certificate_counts_meetings_attended_out_of_held(
    cohort, trainee, attended, leader
):
    certificate = cohort_certificate(cohort=cohort, person=trainee)

    assert certificate.person == "Dr Mo Member"
    assert certificate.heading == f"Severn scheme: {cohort.name}"
    assert (certificate.attended, certificate.held) == (2, 3)
    (group,) = certificate.groups
    assert group.leaders == [leader.display_name]
    assert group.dates == [attended[0].local_starts_at.date(), attended[2].local_starts_at.date()]
    assert certificate.start == cohort.starts_on


def test_a_range_certificate_counts_only_the_range(trainee, attended):
    today = timezone.localdate()
    certificate = range_certificate(person=trainee, start=today - timedelta(days=16), end=today)
    assert (certificate.attended, certificate.held) == (1, 2)


def test_the_pdf_is_a_pdf():
    from sessions.reports.certificates import Certificate, CertificateGroup

    today = timezone.localdate()
    certificate = Certificate(
        "Dr Zoë <O'Brien> & Co",
        "Programme",
        today,
        today,
        [CertificateGroup("Group & co", ["Dr A"], 1, 2, [today])],
        today,
    )
    assert render_pdf(certificate).startswith(b"%PDF-")


def test_the_trainee_downloads_their_own_certificates(client_for, cohort, trainee, attended):
    client = client_for("member")

    page = client.get("/programmes/certificates/mine/")
    own = client.get(f"/programmes/certificates/mine/cohort-{cohort.pk}.pdf")
    ranged = client.get(f"/programmes/certificates/mine/range.pdf?{YEAR}")
    reversed_range = client.get(
        "/programmes/certificates/mine/range.pdf?start=2026-12-31&end=2026-01-01"
    )

    assert cohort.name in page.content.decode()
    assert own["Content-Type"] == ranged["Content-Type"] == "application/pdf"
    assert own.content.startswith(b"%PDF-")
    assert reversed_range.status_code == 200
    assert "cannot be before the start date" in reversed_range.content.decode()


def test_the_programme_admin_downloads_a_trainees_certificate(
    client_for, programme, cohort, trainee, attended
):
    url = f"/programmes/{programme.slug}/cohorts/{cohort.pk}/trainees/{trainee.pk}/certificate.pdf"
    client = client_for("programme_admin")
    assert client.get(url).content.startswith(b"%PDF-")
    assert client.get(f"{url}?{YEAR}").content.startswith(b"%PDF-")
    assert client.get(f"{url}?start=bad&end=2026-12-31").status_code == 400


def test_an_extreme_date_range_is_not_a_server_error(client_for, trainee, attended):
    response = client_for("member").get(
        "/programmes/certificates/mine/range.pdf?start=0001-01-01&end=9999-12-31"
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
