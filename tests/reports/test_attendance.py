"""Requirement arithmetic: which meetings count for a trainee (enrolment spells, membership,
cancelled and future meetings), and whether they meet their cohort's requirement."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from groups.models import MembershipStatus
from sessions.meetings.models import AttendanceStatus, MeetingStatus
from sessions.programmes.attendance import (
    Tally,
    Window,
    check_requirement,
    windows_for,
)
from sessions.programmes.models import Enrolment
from sessions.reports.summary import ReportFilter, cohort_reports
from tests.factories import MembershipFactory
from tests.reports.conftest import days_ago, held_meeting
from tests.reports.factories import EnrolmentFactory, mark
from tests.sessions.factories import MeetingFactory

P, L, A, AP = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.ABSENT,
    AttendanceStatus.APOLOGIES,
)


def percent(value: int, result: Tally):
    return check_requirement(required_meetings=None, required_percent=value, result=result)


def meetings(value: int, result: Tally):
    return check_requirement(required_meetings=value, required_percent=None, result=result)


def test_a_percentage_requirement_is_exact_at_the_boundary():
    assert percent(75, Tally(expected=4, attended=3)).met  # 75% of 4 is 3, not 2.9999
    assert not percent(75, Tally(expected=4, attended=2)).met
    assert percent(75, Tally(expected=4, attended=2)).text == "No (50% of 75%)"
    assert percent(100, Tally(expected=3, attended=3)).text == "Yes (100%)"
    assert percent(75, Tally()).met  # nothing held yet: nothing missed


def test_a_minimum_number_of_meetings_says_how_many_are_still_needed():
    assert meetings(6, Tally(expected=8, attended=6)).met
    result = meetings(6, Tally(expected=8, attended=4))
    assert not result.met and result.text == "No (2 more needed)"


def test_enrolment_spells_are_clipped_to_the_cohort_and_the_filter():
    spells = [(date(2026, 8, 20), date(2026, 9, 10)), (date(2026, 10, 1), None)]
    windows = windows_for(spells, cohort_start=date(2026, 9, 1), cohort_end=date(2026, 10, 31))
    assert windows == [
        Window(date(2026, 9, 1), date(2026, 9, 10)),
        Window(date(2026, 10, 1), date(2026, 10, 31)),
    ]
    narrowed = windows_for(
        spells,
        cohort_start=date(2026, 9, 1),
        cohort_end=date(2026, 10, 31),
        start=date(2026, 9, 15),
        end=date(2026, 10, 5),
    )
    assert narrowed == [Window(date(2026, 10, 1), date(2026, 10, 5))]


def only_row(programme, **filters):
    (report,) = cohort_reports(programme=programme, filters=ReportFilter(**filters))
    (row,) = report.trainees
    return row


@pytest.mark.django_db
def test_meetings_before_enrolment_or_after_leaving_do_not_count(
    programme, cohort, group, member, leader
):
    group.memberships.update(joined_at=timezone.now() - timedelta(days=400))
    before, during_1, during_2, after = (held_meeting(group, d) for d in (60, 40, 30, 10))
    enrolled_on = timezone.localdate() - timedelta(days=50)
    Enrolment.objects.create(
        cohort=cohort,
        person=member,
        enrolled_on=enrolled_on,
        left_on=timezone.localdate() - timedelta(days=20),
    )
    for meeting, status in [(before, A), (during_1, P), (during_2, A), (after, A)]:
        mark(meeting, member, status, by=leader)

    row = only_row(programme)

    assert (row.tally.expected, row.tally.attended, row.tally.absent) == (2, 1, 1)
    assert row.requirement.text == "No (50% of 75%)"


@pytest.mark.django_db
def test_cancelled_future_and_other_groups_meetings_do_not_count(
    programme, cohort, trainee, group, other_group, leader
):
    held = held_meeting(group, 20)
    held_meeting(group, 13, status=MeetingStatus.CANCELLED)
    MeetingFactory(group=group)  # next week
    elsewhere = held_meeting(other_group, 12)
    mark(held, trainee, L, by=leader)
    mark(elsewhere, trainee, P)

    row = only_row(programme)

    assert (row.tally.expected, row.tally.attended, row.tally.late) == (1, 1, 1)


@pytest.mark.django_db
def test_meetings_before_joining_the_group_do_not_count_unless_registered(
    programme, cohort, group, leader
):
    newcomer = MembershipFactory(group=group, joined_at=days_ago(25)).person
    EnrolmentFactory(cohort=cohort, person=newcomer)
    held_meeting(group, 30)  # before joining, not in the register
    registered = held_meeting(group, 28)  # before joining, but the register lists them
    joined = held_meeting(group, 20)  # after joining, no register yet
    mark(registered, newcomer, AP, by=leader)

    row = only_row(programme)

    assert (row.tally.expected, row.tally.apologies, row.tally.unrecorded) == (2, 1, 1)
    assert joined.pk  # counted as expected but not recorded


@pytest.mark.django_db
def test_a_member_who_left_the_group_is_expected_only_until_they_left(
    programme, cohort, group, leader
):
    membership = MembershipFactory(
        group=group,
        joined_at=days_ago(80),
        status=MembershipStatus.LEFT,
        ended_on=(timezone.now() - timedelta(days=25)).date(),
    )
    EnrolmentFactory(cohort=cohort, person=membership.person)
    held_meeting(group, 30)
    held_meeting(group, 20)

    row = only_row(programme)

    assert row.tally.expected == 1
    assert row.groups == [f"{group.name} (left)"]


@pytest.mark.django_db
def test_the_date_filter_narrows_what_counts(programme, cohort, trainee, group, leader):
    old, recent = held_meeting(group, 40), held_meeting(group, 5)
    mark(old, trainee, A, by=leader)
    mark(recent, trainee, P, presented=True, by=leader)

    row = only_row(programme, start=timezone.localdate() - timedelta(days=10))

    assert (row.tally.expected, row.tally.attended, row.tally.cases) == (1, 1, 1)
    assert row.requirement.met
