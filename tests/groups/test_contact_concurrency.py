"""The limit on one group's messages holds when many people write at the same moment (real
PostgreSQL row locks), with a negative control where the group lock is replaced by a plain read
and the limit visibly breaks."""

import time

import pytest
from django.db import connection

from groups.models import BalintGroup, LeaderContact
from groups.services import contact
from groups.services.contact import PER_GROUP_PER_DAY, ContactLimitReached
from tests.concurrency import at_once
from tests.factories import BalintGroupFactory, LeadershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 4


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


@pytest.fixture
def slow_check(monkeypatch):
    """Widen the race: each message waits between counting and writing, as a busy server might."""
    check = contact._check_limits

    def checked_slowly(group, email):
        check(group, email)
        time.sleep(0.2)

    monkeypatch.setattr(contact, "_check_limits", checked_slowly)


@pytest.fixture
def without_the_group_lock(monkeypatch):
    def plain_read(group):
        return BalintGroup.objects.get(pk=getattr(group, "pk", group))

    monkeypatch.setattr(contact, "lock_group", plain_read)


@pytest.fixture
def one_message_left():
    group = BalintGroupFactory()
    LeadershipFactory(group=group)
    for n in range(PER_GROUP_PER_DAY - 1):
        contact.contact_leaders(
            group=group, sender=UserFactory(), name="", email="", message=f"Note {n}"
        )
    return group


def write_at_once(group) -> list:
    senders = [UserFactory() for _ in range(WRITERS)]
    return at_once(
        [
            lambda person=person: contact.contact_leaders(
                group=group, sender=person, name="", email="", message="Hello"
            )
            for person in senders
        ]
    )


def test_only_one_of_many_writers_gets_the_last_message_of_the_day(one_message_left, slow_check):
    results = write_at_once(one_message_left)

    assert sum(isinstance(r, LeaderContact) for r in results) == 1
    assert sum(isinstance(r, ContactLimitReached) for r in results) == WRITERS - 1
    assert LeaderContact.objects.filter(group=one_message_left).count() == PER_GROUP_PER_DAY


def test_negative_control_without_the_lock_the_limit_breaks(
    one_message_left, slow_check, without_the_group_lock
):
    write_at_once(one_message_left)

    assert LeaderContact.objects.filter(group=one_message_left).count() > PER_GROUP_PER_DAY
