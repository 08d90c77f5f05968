"""Cohorts and enrolments: the database's rules, the operations, and pending enrolments that
take effect when someone signs up with the invited address."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from balint.outbox.models import Message
from members.models import User
from sessions.programmes.cohorts import (
    CohortError,
    activate_pending_enrolments,
    cancel_pending_enrolment,
    create_cohort,
    end_enrolment,
    enrol_by_email,
)
from sessions.programmes.models import Cohort, Enrolment, PendingEnrolment
from tests.factories import ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

START, END = date(2026, 9, 1), date(2026, 10, 31)


@pytest.fixture
def cohort(programme, programme_admin):
    return create_cohort(
        programme=programme,
        name="Year 4 psychiatry, block 3",
        starts_on=START,
        ends_on=END,
        required_percent=75,
        by=programme_admin,
    )


def refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Cohort.objects.create(**fields)


def test_the_database_refuses_impossible_cohorts(programme):
    base = {"programme": programme, "name": "X", "starts_on": START, "ends_on": END}
    refused(**base)  # no requirement
    refused(**base, required_meetings=6, required_percent=75)  # both
    refused(**{**base, "ends_on": START - timedelta(days=1)}, required_meetings=6)
    refused(**base, required_percent=101)
    refused(**base, required_meetings=0)
    Cohort.objects.create(**base, required_meetings=6)
    refused(**base, required_meetings=6)  # the same name twice in one programme


def test_create_cohort_describes_its_requirement(cohort, programme, programme_admin):
    assert cohort.requirement == "at least 75% of the meetings held"
    other = create_cohort(
        programme=programme,
        name="Block 4",
        starts_on=START,
        ends_on=END,
        required_meetings=1,
        by=programme_admin,
    )
    assert other.requirement == "at least 1 meeting"


def test_create_cohort_refuses_a_taken_name_and_bad_dates(cohort, programme, programme_admin):
    with pytest.raises(CohortError, match="already has a cohort"):
        create_cohort(
            programme=programme,
            name="year 4 psychiatry, BLOCK 3",
            starts_on=START,
            ends_on=END,
            required_meetings=4,
            by=programme_admin,
        )
    with pytest.raises(CohortError, match="cannot be before"):
        create_cohort(
            programme=programme,
            name="Reversed",
            starts_on=END,
            ends_on=START,
            required_meetings=4,
            by=programme_admin,
        )
    # Another programme may use the same name.
    create_cohort(
        programme=ProgrammeFactory(),
        name=cohort.name,
        starts_on=START,
        ends_on=END,
        required_meetings=4,
        by=programme_admin,
    )


def test_one_current_enrolment_per_person_and_cohort(cohort, member):
    first = Enrolment.objects.create(cohort=cohort, person=member, enrolled_on=START)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(cohort=cohort, person=member, enrolled_on=START)
    first.left_on = START + timedelta(days=10)
    first.save()
    # Someone who left may come back.
    Enrolment.objects.create(cohort=cohort, person=member, enrolled_on=START + timedelta(days=20))
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            cohort=cohort, person=member, enrolled_on=START, left_on=START - timedelta(days=1)
        )


def test_enrol_by_email_invites_accounts_and_unknown_addresses_alike(
    cohort, member, programme_admin, django_capture_on_commit_callbacks
):
    """Nobody is enrolled without saying yes: someone with an account is asked to accept on the
    site, an unknown address to sign up; the admin's report does not tell the two apart."""
    with django_capture_on_commit_callbacks(execute=True):
        report = enrol_by_email(
            cohort=cohort,
            emails=["MO@example.org", "new.trainee@example.org", "mo@example.org"],
            enrolled_on=START,
            by=programme_admin,
        )

    assert report.invited == ["MO@example.org", "new.trainee@example.org"]
    assert not Enrolment.objects.filter(cohort=cohort).exists()
    pending = {p.email: p.enrolled_on for p in PendingEnrolment.objects.filter(cohort=cohort)}
    assert pending == {"MO@example.org": START, "new.trainee@example.org": START}
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"MO@example.org", "new.trainee@example.org"}
    assert "/accounts/signup/" in sent["new.trainee@example.org"].body
    assert "/programmes/certificates/mine/" in sent["MO@example.org"].body
    assert "accept" in sent["MO@example.org"].body
    assert cohort.name in sent["MO@example.org"].subject
    assert (
        report.summary()
        == "2 invited; they join the cohort when they accept; 1 already in the cohort or invited."
    )

    again = enrol_by_email(
        cohort=cohort,
        emails=["mo@example.org", "new.trainee@example.org"],
        enrolled_on=START,
        by=programme_admin,
    )
    assert again.invited == []
    assert len(again.already) == 2
    assert Message.objects.count() == 2


def test_signing_up_later_does_not_accept_an_invitation_to_an_existing_account(
    cohort, member, programme_admin
):
    enrol_by_email(cohort=cohort, emails=[member.email], enrolled_on=START, by=programme_admin)

    assert activate_pending_enrolments(user=member, email=member.email) == []
    assert not Enrolment.objects.filter(cohort=cohort).exists()


def test_enrol_by_email_refuses_a_date_outside_the_cohort(cohort, programme_admin):
    with pytest.raises(CohortError, match="within the cohort"):
        enrol_by_email(
            cohort=cohort,
            emails=["a@example.org"],
            enrolled_on=END + timedelta(1),
            by=programme_admin,
        )


def test_a_pending_enrolment_activates_when_the_address_is_verified(cohort, programme_admin):
    enrol_by_email(
        cohort=cohort, emails=["late@example.org"], enrolled_on=START, by=programme_admin
    )
    person = UserFactory(email="late@example.org")

    first = activate_pending_enrolments(user=person, email="LATE@example.org")
    second = activate_pending_enrolments(user=person, email="late@example.org")

    assert [e.person for e in first] == [person] and second == []
    assert first[0].enrolled_on == START
    assert PendingEnrolment.objects.get().accepted_at is not None


def test_signing_up_and_confirming_enrols_the_invited_address(client, cohort, programme_admin):
    enrol_by_email(
        cohort=cohort, emails=["new.trainee@example.org"], enrolled_on=START, by=programme_admin
    )
    mail.outbox.clear()
    client.post(
        "/accounts/signup/",
        {
            "email": "new.trainee@example.org",
            "display_name": "Dr New Trainee",
            "time_zone": "Europe/London",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )
    person = User.objects.get(email="new.trainee@example.org")
    # Not before the address is proved: anyone could sign up with it.
    assert not Enrolment.objects.filter(person=person).exists()

    link = re.search(r"(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    client.post(link)

    assert Enrolment.objects.get(person=person).cohort == cohort


def test_end_enrolment_checks_its_dates(cohort, member, programme_admin):
    enrolment = Enrolment.objects.create(cohort=cohort, person=member, enrolled_on=START)
    with pytest.raises(CohortError, match="before they were enrolled"):
        end_enrolment(enrolment=enrolment, left_on=START - timedelta(1), by=programme_admin)
    with pytest.raises(CohortError, match="after the cohort ends"):
        end_enrolment(enrolment=enrolment, left_on=END + timedelta(1), by=programme_admin)

    end_enrolment(enrolment=enrolment, left_on=START + timedelta(5), by=programme_admin)

    enrolment.refresh_from_db()
    assert enrolment.left_on == START + timedelta(5)
    with pytest.raises(CohortError, match="already left"):
        end_enrolment(enrolment=enrolment, left_on=START + timedelta(6), by=programme_admin)


def test_a_pending_enrolment_can_be_withdrawn_until_used(cohort, programme_admin):
    enrol_by_email(cohort=cohort, emails=["x@example.org"], enrolled_on=START, by=programme_admin)
    pending = PendingEnrolment.objects.get()
    cancel_pending_enrolment(pending=pending, by=programme_admin)
    assert not PendingEnrolment.objects.exists()
