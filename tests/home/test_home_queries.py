"""The home makes the same number of queries however much each person has: groups, meetings,
taster seats, requests, registers, invitations, cohorts and staff's worries."""

from datetime import timedelta
from itertools import count

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balint.outbox.models import Message, MessageStatus
from groups.models import Membership, MembershipStatus
from sessions.programmes.models import Cohort
from sessions.reports.models import FeedbackInvitation, FeedbackKind
from sessions.tasters.models import TasterBooking, TasterInvitation, hash_token
from tests.factories import (
    BalintGroupFactory,
    LeadershipFactory,
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.home.conftest import meeting_ended
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

serial = count()


def queries(client) -> int:
    cache.clear()  # cold: nothing of the page may come from a cache
    with CaptureQueriesContext(connection) as context:
        response = client.get("/")
    assert response.status_code == 200
    return len(context)


def grow(*, leader, taster, programme, staff, n: int) -> None:
    """`n` more of everything each persona's home lists."""
    now = timezone.now()
    for _ in range(n):
        i = next(serial)
        led = BalintGroupFactory()
        LeadershipFactory(group=led, person=leader)
        MembershipFactory(group=led, person=UserFactory(), status=MembershipStatus.REQUESTED)
        MembershipFactory(group=led)
        MeetingFactory(group=led, starts_at=now + timedelta(days=3, hours=i))
        meeting_ended(led, days_ago=1 + i % 10)

        tasted = BalintGroupFactory()
        seat = MeetingFactory(group=tasted, starts_at=now + timedelta(days=4, hours=i))
        TasterBooking.objects.create(meeting=seat, group=tasted, person=taster, seat=1)
        past = meeting_ended(BalintGroupFactory(), days_ago=2)
        TasterBooking.objects.create(meeting=past, group=past.group, person=taster, seat=1)
        TasterInvitation.objects.create(
            group=BalintGroupFactory(),
            email=taster.email,
            token_hash=hash_token(f"invitation-{i}"),
            expires_at=now + timedelta(days=20),
        )
        FeedbackInvitation.objects.create(
            token_hash=hash_token(f"feedback-{i}"),
            person=taster,
            kind=FeedbackKind.TASTER,
            group=tasted,
        )
        Membership.objects.create(
            group=BalintGroupFactory(),
            person=taster,
            status=MembershipStatus.OFFERED,
            offered_at=now,
        )
        MembershipFactory(person=taster, status=MembershipStatus.WAITLISTED)

        Cohort.objects.create(
            programme=programme,
            name=f"Block {i}",
            starts_on=timezone.localdate() + timedelta(days=1 + i % 10),
            ends_on=timezone.localdate() + timedelta(days=60),
            required_meetings=3,
        )
        Message.objects.create(
            key=f"failed-{i}",
            to=["a@example.org"],
            subject="S",
            body_text="B",
            status=MessageStatus.FAILED,
        )
        BalintGroupFactory()  # nobody leads it
        ProgrammeFactory()  # nobody administers it
        MeetingFactory(group=led, starts_at=now + timedelta(days=9, hours=i))


@pytest.fixture
def world(leader, programme_admin, programme, staff):
    taster = UserFactory(display_name="Dr Tia Taster")
    return {"leader": leader, "taster": taster, "programme": programme, "staff": staff}


@pytest.mark.parametrize("persona", ["leader", "taster", "programme_admin", "staff", "member"])
def test_the_home_does_not_grow_with_the_data(client, world, programme_admin, member, persona):
    people = {**world, "programme_admin": programme_admin, "member": member}
    client.force_login(people[persona])
    grow(**{k: world[k] for k in ("leader", "taster", "programme", "staff")}, n=1)
    few = queries(client)

    grow(**{k: world[k] for k in ("leader", "taster", "programme", "staff")}, n=6)
    many = queries(client)

    assert many == few


def test_the_measured_page_lists_what_was_added(client, world):
    """A guard against measuring an empty page: the lists the counts cover are really there."""
    grow(**{k: world[k] for k in ("leader", "taster", "programme", "staff")}, n=3)
    client.force_login(world["taster"])
    page = client.get("/").content.decode()

    assert page.count("Your taster seat") == 3
    assert page.count('title">You are invited to try a meeting of') == 3
    assert page.count("would you like to join?</p>") == 3
    assert page.count('title">A place is offered to you in') == 3
    client.force_login(world["leader"])
    page = client.get("/").content.decode()
    assert page.count('title">1 request to join') == 3
    assert page.count("/register/") == 3
