"""Two leaders saving a new version of the agreement at the same moment get two versions, one
after the other (real PostgreSQL row locks). The negative control reads the group without the
lock, and the two saves then take the same number: the database refuses one."""

import time

import pytest
from django.db import IntegrityError, connection

from groups.agreements import services
from groups.agreements.models import AgreementVersion
from groups.models import BalintGroup, LeaderRole
from tests.concurrency import at_once
from tests.factories import BalintGroupFactory, LeadershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


@pytest.fixture(autouse=True)
def slow_read(monkeypatch):
    """Widen the race: each save waits after reading the current version, as a busy server
    might, so that without the lock both read the same number."""
    read = services.current_agreement

    def read_slowly(group):
        found = read(group)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(services, "current_agreement", read_slowly)


def two_material_saves() -> tuple[BalintGroup, list]:
    group = BalintGroupFactory()
    leaders = [LeadershipFactory(group=group, role=LeaderRole.CO_LEADER).person for _ in "ab"]
    services.save_agreement(group=group, by=leaders[0], text="First.", material=True)
    results = at_once(
        [
            lambda by=leader, n=n: services.save_agreement(
                group=group, by=by, text=f"Change {n}.", material=True
            )
            for n, leader in enumerate(leaders)
        ]
    )
    return group, results


def test_two_material_changes_at_once_make_two_versions():
    group, results = two_material_saves()

    assert all(isinstance(result, AgreementVersion) for result in results), results
    numbers = sorted(AgreementVersion.objects.filter(group=group).values_list("number", flat=True))
    assert numbers == [1, 2, 3]


def test_without_the_group_lock_the_two_saves_collide(monkeypatch):
    monkeypatch.setattr(services, "lock_group", lambda group: BalintGroup.objects.get(pk=group.pk))

    group, results = two_material_saves()

    assert any(isinstance(result, IntegrityError) for result in results), results
    assert AgreementVersion.objects.filter(group=group).count() == 2
