"""Personal data of joining a programme: enrolment requests and admin invitations are in the
download, go when the account closes, and old admin invitations go with the daily purge."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import ProgrammeAdminInvitation
from sessions.programmes.models import EnrolmentRequest
from sessions.site.account_closing import close_account
from sessions.site.personal_data import collect_personal_data
from sessions.site.retention import purge_expired_data
from tests.reports.factories import CohortFactory

pytestmark = pytest.mark.django_db


def test_the_download_has_the_requests_and_admin_invitations(member, programme):
    cohort = CohortFactory(name="Block 7")
    EnrolmentRequest.objects.create(cohort=cohort, person=member)
    ProgrammeAdminInvitation.objects.create(programme=programme, email=member.email)

    data = collect_personal_data(person=member)

    assert [r["cohort"] for r in data["enrolment_requests"]] == ["Block 7"]
    assert [i["programme"] for i in data["programme_admin_invitations"]] == [programme.name]


def test_closing_the_account_deletes_admin_invitations_to_its_address(member, programme):
    ProgrammeAdminInvitation.objects.create(programme=programme, email=member.email.upper())
    close_account(person=member)
    assert not ProgrammeAdminInvitation.objects.exists()


def test_old_admin_invitations_are_purged(programme):
    old = ProgrammeAdminInvitation.objects.create(programme=programme, email="old@example.org")
    ProgrammeAdminInvitation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=181)
    )
    ProgrammeAdminInvitation.objects.create(programme=programme, email="new@example.org")

    assert purge_expired_data()["admin_invitations"] == 1
    assert list(ProgrammeAdminInvitation.objects.values_list("email", flat=True)) == [
        "new@example.org"
    ]
