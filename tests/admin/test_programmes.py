"""Cohorts, their enrolments and their open invitations are read-only in the admin: the
programme's cohort pages change them through the operations, with the checks and the audit."""

import pytest

from sessions.programmes.models import Cohort, PendingEnrolment
from tests.admin.conftest import assert_refused
from tests.reports.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def test_cohorts_and_their_enrolments_are_read_only_in_the_admin(
    admin_client, programme, programme_admin
):
    cohort = CohortFactory(programme=programme, name="Spring")
    enrolment = EnrolmentFactory(cohort=cohort)
    PendingEnrolment.objects.create(
        cohort=cohort, email="new@example.org", enrolled_on=cohort.starts_on
    )
    url = f"/admin/programmes/cohort/{cohort.pk}/change/"

    page = admin_client.get(url)
    assert "enrolments-0-person" not in page.text
    assert "new@example.org" in page.text
    assert_refused(
        admin_client,
        url,
        {
            "name": "Autumn",
            "enrolments-TOTAL_FORMS": "1",
            "enrolments-INITIAL_FORMS": "1",
            "enrolments-0-id": str(enrolment.pk),
            "enrolments-0-left_on": str(cohort.starts_on),
        },
    )
    cohort.refresh_from_db()
    enrolment.refresh_from_db()
    assert (cohort.name, enrolment.left_on) == ("Spring", None)
    assert Cohort.objects.filter(pk=cohort.pk).exists()
