"""The new programme pages cost the same number of queries for a few rows as for many (each
measured with a cold cache)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Programme, ProgrammeAdminInvitation
from sessions.programmes.models import Enrolment, EnrolmentRequest, PendingEnrolment
from tests.factories import ProgrammeFactory, UserFactory
from tests.reports.factories import CohortFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def add_programmes(count: int) -> None:
    for _ in range(count):
        programme = ProgrammeFactory(admins=[UserFactory(), UserFactory()])
        ProgrammeAdminInvitation.objects.create(
            programme=programme, email=f"invited-{programme.pk}@example.org"
        )
        CohortFactory(programme=programme)


def test_the_list_of_programmes_costs_the_same_for_2_and_12(client_for, staff):
    client = client_for("staff")
    add_programmes(2)
    few = queries_for(client, "/programmes/all/")
    add_programmes(10)
    many = queries_for(client, "/programmes/all/")
    assert few == many
    assert Programme.objects.count() == 12


def add_admins(programme, count: int) -> None:
    for number in range(count):
        programme.admins.add(UserFactory())
        ProgrammeAdminInvitation.objects.create(
            programme=programme, email=f"a{number}-{programme.admins.count()}@example.org"
        )


def test_the_admins_page_costs_the_same_for_1_and_9_admins(client_for, programme):
    client = client_for("staff")
    url = f"/programmes/{programme.slug}/admins/"
    few = queries_for(client, url)
    add_admins(programme, 8)
    many = queries_for(client, url)
    assert few == many


def add_requests(cohort, count: int) -> None:
    for _ in range(count):
        EnrolmentRequest.objects.create(cohort=cohort, person=UserFactory())


def test_the_cohort_page_costs_the_same_for_1_and_8_requests(client_for, programme, group):
    cohort = CohortFactory(programme=programme)
    cohort.placements.create(group=group)
    client = client_for("programme_admin")
    url = f"/programmes/{programme.slug}/cohorts/{cohort.pk}/"
    add_requests(cohort, 1)
    few = queries_for(client, url)
    add_requests(cohort, 7)
    many = queries_for(client, url)
    assert few == many


def add_own(person, group, count: int) -> None:
    for _ in range(count):
        cohort = CohortFactory()
        cohort.placements.create(group=group)
        Enrolment.objects.create(cohort=cohort, person=person, enrolled_on=cohort.starts_on)
        invited = CohortFactory()
        PendingEnrolment.objects.create(
            cohort=invited, email=person.email, enrolled_on=invited.starts_on
        )
        EnrolmentRequest.objects.create(cohort=CohortFactory(), person=person)


def test_the_trainees_own_page_costs_the_same_for_1_and_5_cohorts(client_for, member, group):
    client = client_for("member")
    url = "/programmes/certificates/mine/"
    add_own(member, group, 1)
    few = queries_for(client, url)
    add_own(member, group, 4)
    many = queries_for(client, url)
    assert few == many
