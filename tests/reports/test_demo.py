"""The demo world has a running and a finished cohort, with enough feedback to show results."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from groups.models import BalintGroup, MembershipStatus
from sessions.meetings.models import AttendanceRecord, Meeting
from sessions.programmes.models import Cohort
from sessions.reports.feedback import response_rates
from sessions.reports.feedback_models import Audience, FeedbackRound
from sessions.reports.feedback_results import results_for

pytestmark = pytest.mark.django_db


def test_the_demo_has_cohorts_trainees_and_feedback_that_shows(client, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = False  # as scripts/run.sh runs the demo
    call_command("seed_demo")

    running = Cohort.objects.get(name="Year 4 psychiatry, current block")
    finished = Cohort.objects.get(name="GP trainees, autumn block")
    assert running.enrolments.count() == 6 and running.pending.count() == 1
    assert finished.enrolments.count() == 6
    results = results_for(FeedbackRound.objects.filter(cohort=finished, audience=Audience.TRAINEES))
    assert results.shown and results.answers == 5 and results.awaiting == 0
    assert str(response_rates(cohort_ids=[finished.pk])[("block", finished.pk)]) == "5 of 6 (83.3%)"

    client.post(
        "/accounts/login/",
        {"login": "programme.admin@example.org", "password": "balint-demo-2026"},
    )
    page = client.get("/programmes/severn-and-mersey/").content.decode()
    assert running.name in page and "5 of 6 (83.3%)" in page
    published = client.get("/programmes/severn-and-mersey/feedback/").content.decode()
    assert "5 of 6 (83.3%)" in published and "5 of 5 agreed (100.0%)" in published


def test_the_demo_pilot_is_in_the_middle_of_its_year_with_results_that_show(client, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = False
    call_command("seed_demo")

    group = BalintGroup.objects.get(slug="year-4-pilot-balint")
    records = AttendanceRecord.objects.filter(meeting__group=group)
    assert records.filter(status="late").exists() and records.filter(status="absent").exists()
    running = Cohort.objects.get(programme__slug="year-4-pilot", name="Block 4 (running now)")
    members = group.memberships.filter(status=MembershipStatus.ACTIVE)
    assert set(members.values_list("person", flat=True)) == set(
        running.enrolments.values_list("person", flat=True)
    )
    assert Meeting.objects.filter(group=group, starts_at__gt=timezone.now()).exists()

    client.post(
        "/accounts/login/",
        {"login": "programme.admin@example.org", "password": "balint-demo-2026"},
    )
    page = client.get("/programmes/year-4-pilot/feedback/").content.decode()
    assert "18 of 24 (75.0%)" in page and "18 of 18 rated it good or better (100.0%)" in page
