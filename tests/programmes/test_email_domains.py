"""A programme may ask its trainees for addresses at given domains (nhs.net): enrolling refuses
any other address, an invitation is not taken up with one, and staff set the domains in the
admin, where a typo is a form error."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from members.email_domains import address_in_domains, parse_domains, validate_domain_list
from sessions.programmes.cohorts import (
    CohortError,
    activate_pending_enrolments,
    check_trainee_address,
    create_cohort,
    enrol_by_email,
)
from sessions.programmes.models import Enrolment, PendingEnrolment
from tests.admin.conftest import change_form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START, END = date(2026, 9, 1), date(2026, 10, 31)


@pytest.fixture
def nhs_programme(programme):
    programme.allowed_email_domains = "nhs.net, @NHS.uk"
    programme.save()
    return programme


@pytest.fixture
def cohort(nhs_programme, programme_admin):
    return create_cohort(
        programme=nhs_programme,
        name="Block 3",
        starts_on=START,
        ends_on=END,
        required_percent=75,
        by=programme_admin,
    )


@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        ("jo@nhs.net", True),
        ("JO@NHS.NET", True),
        ("jo@gstt.nhs.uk", True),
        ("jo@nhs.uk", True),
        ("jo@gmail.com", False),
        ("jo@evilnhs.net", False),
        ("jo@nhs.net.evil.com", False),
    ],
)
def test_an_address_must_be_at_one_of_the_domains_or_a_subdomain(email, allowed):
    assert address_in_domains(email, parse_domains("nhs.net, @NHS.uk")) is allowed


def test_no_domains_accept_any_address(programme):
    assert programme.allowed_email_domains == ""
    assert programme.accepts_trainee_address("jo@gmail.com")
    check_trainee_address(programme=programme, email="jo@gmail.com")


def test_the_check_says_which_domains_in_plain_words(nhs_programme):
    with pytest.raises(CohortError) as error:
        check_trainee_address(programme=nhs_programme, email="jo@gmail.com")

    assert error.value.message == (
        "Severn scheme asks its trainees to use an address at nhs.net or nhs.uk; "
        "jo@gmail.com is not one."
    )


def test_enrolling_refuses_addresses_at_other_domains_and_keeps_the_rest(cohort, programme_admin):
    UserFactory(email="gmail.person@gmail.com")
    report = enrol_by_email(
        cohort=cohort,
        emails=["gmail.person@gmail.com", "new@nhs.net", "other@yahoo.co.uk"],
        enrolled_on=START,
        by=programme_admin,
    )

    assert report.summary() == "1 invited; they join the cohort when they accept; 2 refused."
    assert report.refused[0].endswith("gmail.person@gmail.com is not one.")
    assert not Enrolment.objects.exists()
    assert list(PendingEnrolment.objects.values_list("email", flat=True)) == ["new@nhs.net"]


def test_an_invitation_from_before_the_rule_is_not_taken_up_with_another_domain(
    programme, programme_admin
):
    cohort = create_cohort(
        programme=programme,
        name="Block 4",
        starts_on=START,
        ends_on=END,
        required_percent=75,
        by=programme_admin,
    )
    enrol_by_email(cohort=cohort, emails=["jo@gmail.com"], enrolled_on=START, by=programme_admin)
    programme.allowed_email_domains = "nhs.net"
    programme.save()
    person = UserFactory(email="jo@gmail.com")

    assert activate_pending_enrolments(user=person, email="jo@gmail.com") == []
    assert not Enrolment.objects.exists()


def test_the_enrol_page_shows_each_refusal(client_for, cohort, nhs_programme):
    response = client_for("programme_admin").post(
        f"/programmes/{nhs_programme.slug}/cohorts/{cohort.pk}/enrol/",
        {"emails": "jo@gmail.com\nnew@nhs.net", "enrolled_on": START.isoformat()},
        follow=True,
    )

    page = response.content.decode()
    assert "1 invited; they join the cohort when they accept; 1 refused." in page
    assert "jo@gmail.com is not one." in page


@pytest.mark.parametrize("text", ["nhs", "nhs.net, not a domain", "http://nhs.net"])
def test_a_domain_list_with_a_typo_is_refused(text):
    with pytest.raises(ValidationError, match="is not a domain"):
        validate_domain_list(text)


def test_staff_set_the_domains_in_the_admin_and_a_typo_is_a_form_error(admin_client, nhs_programme):
    url = f"/admin/members/programme/{nhs_programme.pk}/change/"
    page = admin_client.get(url)

    bad = admin_client.post(url, change_form_data(page, allowed_email_domains="nhs,net"))
    good = admin_client.post(url, change_form_data(page, allowed_email_domains="nhs.net"))

    assert bad.status_code == 200 and "“nhs” is not a domain" in bad.content.decode()
    assert good.status_code == 302
    nhs_programme.refresh_from_db()
    assert nhs_programme.allowed_email_domains == "nhs.net"
