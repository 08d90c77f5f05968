"""Joining a cohort when two requests arrive at once (real PostgreSQL row locks): two admins
making the cohort's link, a trainee double-clicking "Join the cohort".

Each test has a negative control: the same race with the cohort lock replaced by a plain read
(`without_the_cohort_lock`), where the race visibly breaks through (the database's constraint
refuses the second write, which would be a server error). It proves the test can see the race
it guards against."""

import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from sessions.programmes import enrolment
from sessions.programmes.cohorts import CohortError
from sessions.programmes.models import Cohort, Enrolment, EnrolmentLink
from tests.concurrency import at_once
from tests.factories import ProgrammeFactory, UserFactory
from tests.reports.factories import CohortFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


@pytest.fixture
def without_the_cohort_lock(monkeypatch):
    """The negative control: the joining operations read the cohort without locking it."""
    assert callable(enrolment._lock_cohort)
    monkeypatch.setattr(enrolment, "_lock_cohort", lambda cohort: Cohort.objects.get(pk=cohort.pk))


@pytest.fixture
def slow_writes(monkeypatch):
    """Widen the race: each operation pauses after its checks, before it writes."""
    token = enrolment.secrets.token_urlsafe

    def slow_token(size):
        time.sleep(0.3)
        return token(size)

    monkeypatch.setattr(enrolment.secrets, "token_urlsafe", slow_token)
    original = enrolment.Enrolment.objects.create

    def slow_create(**fields):
        time.sleep(0.3)
        return original(**fields)

    monkeypatch.setattr(enrolment.Enrolment.objects, "create", slow_create)


@pytest.fixture
def cohort():
    admin = UserFactory()
    return CohortFactory(programme=ProgrammeFactory(admins=[admin]))


def _make_links(cohort) -> list:
    admins = [UserFactory(), UserFactory()]
    day = timezone.localdate() + timedelta(days=7)
    return at_once(
        [
            lambda by=by: enrolment.issue_link(
                cohort=cohort, expires_on=day, needs_approval=False, by=by
            )
            for by in admins
        ]
    )


def test_two_admins_making_a_link_at_once_leave_one_live_link(cohort, slow_writes):
    results = _make_links(cohort)

    assert all(isinstance(result, tuple) for result in results), results
    assert EnrolmentLink.objects.filter(cohort=cohort, revoked_at__isnull=True).count() == 1
    assert EnrolmentLink.objects.filter(cohort=cohort).count() == 2


def test_negative_control_links_without_the_lock_collide(
    cohort, slow_writes, without_the_cohort_lock
):
    results = _make_links(cohort)

    assert any(isinstance(result, IntegrityError) for result in results), results


def _double_click(cohort) -> list:
    link, _ = enrolment.issue_link(
        cohort=cohort,
        expires_on=timezone.localdate() + timedelta(days=7),
        needs_approval=False,
        by=cohort.programme.admins.get(),
    )
    person = UserFactory()
    results = at_once([lambda: enrolment.enrol_with_link(link=link, person=person)] * 2)
    return person, results


def test_a_double_click_enrols_once(cohort, slow_writes):
    person, results = _double_click(cohort)

    assert Enrolment.objects.filter(cohort=cohort, person=person).count() == 1
    assert sorted(type(result).__name__ for result in results) == ["CohortError", "Enrolment"]
    assert any(isinstance(result, CohortError) for result in results)


def test_negative_control_a_double_click_without_the_lock_collides(
    cohort, slow_writes, without_the_cohort_lock
):
    _, results = _double_click(cohort)

    assert any(isinstance(result, IntegrityError) for result in results), results
