"""Factories for cohorts, enrolments and register lines (set-up only: the code under test goes
through the services)."""

from datetime import timedelta

import factory
from django.utils import timezone

from sessions.meetings.models import AttendanceRecord, AttendanceRole, AttendanceStatus
from sessions.programmes.models import Cohort, Enrolment
from tests.factories import ProgrammeFactory, UserFactory


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Block {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=70))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    required_percent = 75


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory)
    person = factory.SubFactory(UserFactory)
    enrolled_on = factory.LazyAttribute(lambda enrolment: enrolment.cohort.starts_on)


def mark(
    meeting,
    person,
    status=AttendanceStatus.PRESENT,
    *,
    role=AttendanceRole.MEMBER,
    presented=False,
    by=None,
) -> AttendanceRecord:
    """A register line written directly (the register's own rules are tested with sessions)."""
    return AttendanceRecord.objects.create(
        meeting=meeting,
        person=person,
        role=role,
        status=status,
        presented_case=presented,
        recorded_by=by,
        recorded_at=meeting.ends_at + timedelta(minutes=5),
    )
