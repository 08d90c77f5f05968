"""The reminder scan: due reminders become outbox rows once, as each person chose, with the
link only for those allowed, in a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balint.outbox.models import Message
from sessions.calendar.reminders import due_window, queue_due_reminders, reminder_key
from sessions.meetings.models import Apology, MeetingStatus
from sessions.meetings.services import move_meeting
from sessions.tasters.services import book_taster_seat
from tests.calendar.conftest import rows
from tests.factories import BalintGroupFactory, LeadershipFactory, MembershipFactory, UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def starting_in(group, delta: timedelta, **fields):
    starts_at = (timezone.now() + delta).replace(microsecond=0)
    return MeetingFactory(group=group, starts_at=starts_at, **fields)


@pytest.mark.parametrize(
    ("wanted", "hours_left", "due"),
    [
        ([24], 30, None),
        ([24], 20, 24),
        ([24], 1, 24),
        ([2], 20, None),
        ([2], 1.5, 2),
        ([24, 2], 20, 24),
        ([24, 2], 1.5, 2),
        ([], 1, None),
    ],
)
def test_the_nearest_window_a_meeting_is_inside_is_due(wanted, hours_left, due):
    assert due_window(wanted, timedelta(hours=hours_left)) == due


def test_running_the_scan_twice_queues_each_reminder_once(hybrid_group, leader, member):
    meeting = starting_in(hybrid_group, timedelta(hours=20))

    assert queue_due_reminders() == 2
    assert queue_due_reminders() == 0

    assert {m.key for m in rows("reminder:")} == {
        f"reminder:{meeting.pk}:{leader.pk}:24h",
        f"reminder:{meeting.pk}:{member.pk}:24h",
    }


def test_each_person_gets_the_reminders_they_chose(hybrid_group, member, leader):
    member.reminders = "both"
    member.save()
    leader.reminders = "none"
    leader.save()
    two_hours = UserFactory(reminders="2h")
    MembershipFactory(group=hybrid_group, person=two_hours)
    meeting = starting_in(hybrid_group, timedelta(hours=20))

    now = timezone.now()
    queue_due_reminders(now=now)
    queue_due_reminders(now=now + timedelta(hours=18, minutes=30))
    queue_due_reminders(now=now + timedelta(hours=19))

    assert sorted(m.key for m in rows("reminder:")) == sorted(
        [
            f"reminder:{meeting.pk}:{member.pk}:24h",
            f"reminder:{meeting.pk}:{member.pk}:2h",
            f"reminder:{meeting.pk}:{two_hours.pk}:2h",
        ]
    )


def test_a_meeting_first_seen_within_two_hours_gets_only_the_nearer_reminder(hybrid_group, member):
    member.reminders = "both"
    member.save()
    meeting = starting_in(hybrid_group, timedelta(minutes=90))

    queue_due_reminders()

    assert [m.key for m in rows("reminder:")] == [f"reminder:{meeting.pk}:{member.pk}:2h"]


def test_no_reminder_for_cancelled_or_distant_meetings_or_after_apologies(
    hybrid_group, member, leader
):
    starting_in(hybrid_group, timedelta(hours=5), status=MeetingStatus.CANCELLED)
    starting_in(hybrid_group, timedelta(hours=30))
    apologised = starting_in(hybrid_group, timedelta(hours=10))
    Apology.objects.create(meeting=apologised, person=member)

    queue_due_reminders()

    assert [m.to for m in rows("reminder:")] == [[leader.email]]


def test_the_link_and_room_are_in_the_reminder_with_times_in_the_persons_zone(
    hybrid_group, member, other_member
):
    member.time_zone = "Asia/Tokyo"
    member.save()
    meeting = starting_in(hybrid_group, timedelta(hours=20))

    queue_due_reminders()

    message = Message.objects.get(key=reminder_key(meeting, member, 24))
    assert "https://meet.example.org/secret-room" in message.body_text
    assert "Room 3, Cotham Health Centre" in message.body_html
    tokyo = meeting.starts_at.astimezone(timezone.get_fixed_timezone(9 * 60))
    assert f"{tokyo:%H:%M}" in message.subject
    assert "(Asia/Tokyo)" in message.body_text and "(Europe/London)" in message.body_text
    assert not Message.objects.filter(to=[other_member.email]).exists()


def test_a_booked_taster_is_reminded_with_the_link(hybrid_group, stranger):
    meeting = starting_in(hybrid_group, timedelta(hours=20))
    book_taster_seat(meeting=meeting, person=stranger)

    queue_due_reminders()

    message = Message.objects.get(key=reminder_key(meeting, stranger, 24))
    assert "secret-room" in message.body_text


def test_a_moved_meeting_is_reminded_of_again_at_its_new_time(hybrid_group, leader, member):
    meeting = starting_in(hybrid_group, timedelta(hours=20))
    queue_due_reminders()
    later = timezone.localtime(meeting.starts_at + timedelta(days=3))

    move_meeting(
        meeting=meeting, by=leader, day=later.date(), start=later.time(), duration_minutes=90
    )
    assert queue_due_reminders() == 0
    assert queue_due_reminders(now=timezone.now() + timedelta(days=3)) == 2

    assert f"reminder:{meeting.pk}:{member.pk}:24h:r1" in {m.key for m in rows("reminder:")}


def people_and_meetings(groups: int, members: int) -> None:
    for _ in range(groups):
        group = BalintGroupFactory()
        LeadershipFactory(group=group)
        for _ in range(members):
            MembershipFactory(group=group)
        starting_in(group, timedelta(hours=20))


def test_the_scan_makes_the_same_number_of_queries_however_many_are_due():
    people_and_meetings(2, 2)
    with CaptureQueriesContext(connection) as few:
        assert queue_due_reminders() == 6
    Message.objects.all().delete()

    people_and_meetings(6, 8)
    with CaptureQueriesContext(connection) as many:
        assert queue_due_reminders() == 6 + 6 * 9

    assert len(many) == len(few)
