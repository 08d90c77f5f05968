"""Calendar emails with real parts: a Celery worker process, Redis, and an SMTP server (aiosmtpd)
in another process. The helpers are tests/services.py's, as for the outbox's own worker tests."""

import email.message
import time
from datetime import time as clock
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from balint.outbox.models import Message, MessageStatus
from balint.outbox.tasks import sweep_outbox
from groups import services as groups
from sessions.calendar import notify
from sessions.calendar.ical import meeting_uid
from sessions.calendar.reminders import queue_due_reminders
from sessions.meetings.services import cancel_meeting, move_meeting
from sessions.tasters.services import book_taster_seat
from tests.calendar.conftest import meeting_on
from tests.factories import (
    BalintGroupFactory,
    LeadershipFactory,
    MembershipFactory,
    UserFactory,
)
from tests.services import RedisServer, using_broker
from tests.sessions.factories import MeetingFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def calendar_part(received: email.message.Message) -> tuple[str, Calendar]:
    """The `method=` of the text/calendar part and the calendar it carries."""
    for part in received.walk():
        if part.get_content_type() == "text/calendar":
            text = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
            return part.get_param("method"), Calendar.from_ical(text)
    raise AssertionError(f"{received['X-Balint-Message-Key']} has no calendar part")


def keyed(smtp_server, prefix: str) -> list[email.message.Message]:
    return [m for m in smtp_server.messages() if m["X-Balint-Message-Key"].startswith(prefix)]


def wait_for_key(smtp_server, prefix: str, count: int = 1, timeout: float = 30.0) -> list:
    deadline = time.monotonic() + timeout
    while len(keyed(smtp_server, prefix)) < count:
        assert time.monotonic() < deadline, f"no {prefix} email arrived in {timeout} s"
        time.sleep(0.1)
    time.sleep(0.5)  # a moment more for strays
    return keyed(smtp_server, prefix)


def wait_until_sent(prefix: str, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    sent = Message.objects.filter(key__startswith=prefix, status=MessageStatus.SENT)
    while sent.count() < count:
        assert time.monotonic() < deadline, "messages were not marked sent in time"
        time.sleep(0.1)


@pytest.fixture
def people():
    group = BalintGroupFactory(name="Clifton Balint Group", format="hybrid")
    leader = UserFactory(display_name="Dr Lena Leader")
    LeadershipFactory(group=group, person=leader)
    meeting = meeting_on(group, timezone.localdate() + timedelta(days=9))
    return group, leader, meeting


def test_join_move_and_cancel_arrive_as_one_event_that_changes(
    broker_url, start_worker, smtp_server, people
):
    group, leader, meeting = people
    newcomer = UserFactory(email="nia@example.org")
    start_worker(broker_url)

    with using_broker(broker_url):
        groups.add_member_by_email(group=group, email=newcomer.email, by=leader)
        [invite] = wait_for_key(smtp_server, "calendar-join:")
        method, calendar = calendar_part(invite)
        assert method == calendar["METHOD"] == "REQUEST"
        [event] = calendar.events
        assert str(event["UID"]) == meeting_uid(meeting)
        assert event.start == meeting.starts_at
        assert event["LOCATION"] == group.room

        moved = move_meeting(
            meeting=meeting,
            by=leader,
            day=timezone.localdate() + timedelta(days=10),
            start=clock(18),
            duration_minutes=90,
        )
        [update] = wait_for_key(smtp_server, f"update:{meeting.pk}:{newcomer.pk}:")
        method, calendar = calendar_part(update)
        [changed] = calendar.events
        assert method == calendar["METHOD"] == "REQUEST"
        assert str(changed["UID"]) == meeting_uid(meeting)
        assert changed["SEQUENCE"] > event["SEQUENCE"]
        assert changed.start == moved.starts_at

        cancel_meeting(meeting=moved, by=leader, reason="The room is flooded.")
        [cancellation] = wait_for_key(smtp_server, f"cancel:{meeting.pk}:{newcomer.pk}:")
        method, calendar = calendar_part(cancellation)
        assert method == calendar["METHOD"] == "CANCEL"
        [cancelled] = calendar.events
        assert cancelled["STATUS"] == "CANCELLED"
        assert cancelled["SEQUENCE"] > changed["SEQUENCE"]


def test_a_booked_taster_gets_an_invitation(broker_url, start_worker, smtp_server, people):
    _, _, meeting = people
    taster = UserFactory(email="tia@example.org")
    start_worker(broker_url)

    with using_broker(broker_url):
        with transaction.atomic():
            booking = book_taster_seat(meeting=meeting, person=taster)
            notify.taster_booked(booking)  # a no-op if the booking already sent it
        [invite] = wait_for_key(smtp_server, "taster-invite:")

    method, calendar = calendar_part(invite)
    assert method == calendar["METHOD"] == "REQUEST"
    assert str(calendar.events[0]["UID"]) == meeting_uid(meeting)
    assert calendar.events[0].start == meeting.starts_at


def test_a_join_committed_while_redis_is_down_sends_one_invitation_after_the_sweep(
    start_worker, smtp_server, settings, people
):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    group, leader, meeting = people
    newcomer = UserFactory()
    redis = RedisServer()
    with using_broker(redis.url):
        started = time.monotonic()
        membership = groups.add_member_by_email(group=group, email=newcomer.email, by=leader)
        assert time.monotonic() - started < 10, "a dead broker must not hold up the change"
        row = Message.objects.get(key=f"calendar-join:{membership.pk}:{meeting.pk}")
        assert row.status == MessageStatus.PENDING

        with redis:
            start_worker(redis.url)
            sweep_outbox()
            sweep_outbox()  # a second sweep while the first is in flight sends nothing more
            wait_for_key(smtp_server, "calendar-join:")
            wait_until_sent("calendar-join:", 1)
            time.sleep(1)

    [invite] = keyed(smtp_server, "calendar-join:")
    assert str(calendar_part(invite)[1].events[0]["UID"]) == meeting_uid(meeting)


def test_a_booking_made_while_redis_is_down_is_confirmed_and_invited_once_it_is_back(
    client, start_worker, smtp_server, settings, people
):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    _, _, meeting = people
    taster = UserFactory(email="tom.taster@example.org")
    client.force_login(taster)
    redis = RedisServer()
    with using_broker(redis.url):
        started = time.monotonic()
        response = client.post(f"/tasters/meetings/{meeting.pk}/book/", follow=True)
        assert time.monotonic() - started < 10, "a dead broker must not hold up the booking"
        assert response.status_code == 200
        assert "is booked" in response.text
        booking = meeting.taster_bookings.get(person=taster)
        assert Message.objects.get(key__startswith="taster-invite:").status == "pending"

        with redis:
            start_worker(redis.url)
            sweep_outbox()
            sweep_outbox()  # a second sweep while the first is in flight sends nothing more
            wait_for_key(smtp_server, "taster-invite:")
            wait_until_sent("taster-invite:", 1)
            time.sleep(1)

    [invite] = keyed(smtp_server, "taster-invite:")
    assert invite["To"] == taster.email
    method, calendar = calendar_part(invite)
    assert method == "REQUEST"
    assert str(calendar.events[0]["UID"]) == meeting_uid(meeting)
    assert booking.status == "booked"


def test_killing_the_worker_loses_no_calendar_update(start_worker, smtp_server, settings, people):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    group, leader, meeting = people
    for _ in range(19):
        MembershipFactory(group=group)
    with RedisServer() as redis, using_broker(redis.url):
        worker = start_worker(redis.url, visibility_timeout=3)
        move_meeting(
            meeting=meeting,
            by=leader,
            day=timezone.localdate() + timedelta(days=11),
            start=clock(18),
            duration_minutes=90,
        )
        wait_for_key(smtp_server, "update:", 3)
        worker.kill()

        start_worker(redis.url, visibility_timeout=3)
        sweep_outbox()
        wait_until_sent("update:", 20)

    expected = set(Message.objects.filter(key__startswith="update:").values_list("key", flat=True))
    delivered = [m["X-Balint-Message-Key"] for m in wait_for_key(smtp_server, "update:", 20)]
    assert len(expected) == 20
    assert set(delivered) == expected
    # A repeat only for the message whose SMTP send completed just before the kill, before its
    # row was marked sent.
    assert len(delivered) <= len(expected) + 1
    assert all(
        calendar_part(m)[1].events[0]["SEQUENCE"] == 1 for m in keyed(smtp_server, "update:")
    )


def test_running_the_reminder_scan_twice_sends_one_reminder_each(
    broker_url, start_worker, smtp_server, people
):
    group, leader, _ = people
    member = UserFactory()
    MembershipFactory(group=group, person=member)
    soon = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(hours=20))
    start_worker(broker_url)

    with using_broker(broker_url):
        assert queue_due_reminders() == 2
        assert queue_due_reminders() == 0
        received = wait_for_key(smtp_server, "reminder:", 2)
        time.sleep(1)

    assert sorted(m["X-Balint-Message-Key"] for m in keyed(smtp_server, "reminder:")) == sorted(
        [f"reminder:{soon.pk}:{leader.pk}:24h", f"reminder:{soon.pk}:{member.pk}:24h"]
    )
    assert len(received) == 2


def test_reminders_due_while_redis_is_down_are_all_sent_once_it_is_back(
    start_worker, smtp_server, settings, people
):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    group, _, _ = people
    for _ in range(29):
        MembershipFactory(group=group)
    MeetingFactory(group=group, starts_at=timezone.now() + timedelta(hours=3))
    redis = RedisServer()
    with using_broker(redis.url):
        started = time.monotonic()
        assert queue_due_reminders() == 30
        # The scan stops queueing at the first broker failure instead of waiting out the retry
        # policy thirty times.
        assert time.monotonic() - started < 10

        with redis:
            start_worker(redis.url)
            sweep_outbox()
            received = wait_for_key(smtp_server, "reminder:", 30)
            wait_until_sent("reminder:", 30)

    assert len(received) == 30
