"""The booking rules: seats, per-meeting seats, one open booking per group, closing at the start,
cancelled meetings, members and leaders, cancelling; and the database constraints behind them."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from groups.models import GroupStatus, MembershipStatus
from sessions.attendance.register import expected_people
from sessions.meetings.models import AttendanceRole, Meeting
from sessions.meetings.schedule import ScheduleSpec
from sessions.meetings.services import cancel_meeting, set_schedule
from sessions.tasters.models import BookingStatus, CancelledBecause, TasterBooking
from sessions.tasters.queries import seats_for, with_taster_seats
from sessions.tasters.services import (
    FULL_MESSAGE,
    TasterError,
    book_taster_seat,
    cancel_taster_booking,
    set_meeting_taster_seats,
)
from tests.factories import MembershipFactory, UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def people(n: int) -> list:
    return UserFactory.create_batch(n)


def test_book_taster_seat_books_the_lowest_free_seat(meeting, taster):
    booking = book_taster_seat(meeting=meeting, person=taster)

    assert (booking.status, booking.seat, booking.group_id) == ("booked", 1, meeting.group_id)
    assert booking.meeting == meeting


def test_book_taster_refuses_when_seats_are_gone(meeting):
    first, second, third = people(3)
    book_taster_seat(meeting=meeting, person=first)
    book_taster_seat(meeting=meeting, person=second)

    with pytest.raises(TasterError, match=r"(?i)this meeting is full"):
        book_taster_seat(meeting=meeting, person=third)

    assert meeting.taster_bookings.filter(status="booked").count() == 2
    assert FULL_MESSAGE.lower().startswith("this meeting is full")


def test_a_group_without_taster_seats_takes_no_tasters(group, meeting, taster):
    group.taster_seats = 0
    group.save()

    with pytest.raises(TasterError, match="no taster seats"):
        book_taster_seat(meeting=meeting, person=taster)


def test_a_leader_can_give_one_meeting_more_or_fewer_seats(meeting, later_meeting, leader):
    set_meeting_taster_seats(meeting=meeting, seats=3, by=leader)
    set_meeting_taster_seats(meeting=later_meeting, seats=0, by=leader)
    for person in people(3):
        book_taster_seat(meeting=meeting, person=person)

    with pytest.raises(TasterError, match="full"):
        book_taster_seat(meeting=meeting, person=UserFactory())
    with pytest.raises(TasterError, match="no taster seats"):
        book_taster_seat(meeting=later_meeting, person=UserFactory())
    assert seats_for(meeting) == 3 and seats_for(later_meeting) == 0


def test_seats_cannot_be_cut_below_the_tasters_already_booked(meeting, leader):
    for person in people(2):
        book_taster_seat(meeting=meeting, person=person)

    with pytest.raises(TasterError, match="at least 2 seats"):
        set_meeting_taster_seats(meeting=meeting, seats=1, by=leader)
    assert set_meeting_taster_seats(meeting=meeting, seats=None, by=leader) == 2


def test_seats_are_out_of_range_above_six(meeting, leader):
    with pytest.raises(TasterError, match="between 0 and 6"):
        set_meeting_taster_seats(meeting=meeting, seats=7, by=leader)


def test_seats_left_are_annotated_in_one_query(
    meeting, later_meeting, leader, django_assert_num_queries
):
    set_meeting_taster_seats(meeting=later_meeting, seats=5, by=leader)
    book_taster_seat(meeting=meeting, person=UserFactory())

    with django_assert_num_queries(1):
        found = {
            m.pk: (m.taster_seats, m.taster_seats_left)
            for m in with_taster_seats(Meeting.objects.all())
        }

    assert found == {meeting.pk: (2, 1), later_meeting.pk: (5, 5)}


def test_one_open_booking_per_person_per_group(meeting, later_meeting, taster):
    book_taster_seat(meeting=meeting, person=taster)

    with pytest.raises(TasterError, match="already have a taster seat in this group"):
        book_taster_seat(meeting=later_meeting, person=taster)


def test_booking_the_same_meeting_twice_gives_the_same_booking(meeting, taster):
    first = book_taster_seat(meeting=meeting, person=taster)
    again = book_taster_seat(meeting=meeting, person=taster)

    assert first == again
    assert TasterBooking.objects.count() == 1


def test_another_group_can_be_tasted_at_the_same_time(meeting, other_group, taster):
    other_meeting = MeetingFactory(group=other_group)

    book_taster_seat(meeting=meeting, person=taster)
    book_taster_seat(meeting=other_meeting, person=taster)

    assert TasterBooking.objects.filter(person=taster, status="booked").count() == 2


def test_bookings_close_when_the_meeting_starts(group, taster):
    started = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(minutes=1))

    with pytest.raises(TasterError, match="closed when it started"):
        book_taster_seat(meeting=started, person=taster)


def test_members_and_leaders_cannot_book_in_their_group(meeting, member, leader):
    with pytest.raises(TasterError, match="member of this group"):
        book_taster_seat(meeting=meeting, person=member)
    with pytest.raises(TasterError, match="You lead this group"):
        book_taster_seat(meeting=meeting, person=leader)


def test_someone_waiting_for_a_place_may_taste(meeting, group, taster):
    MembershipFactory(group=group, person=taster, status=MembershipStatus.WAITLISTED)

    assert book_taster_seat(meeting=meeting, person=taster).is_open


def test_a_closed_group_or_a_cancelled_meeting_cannot_be_booked(meeting, group, leader, taster):
    cancel_meeting(meeting=meeting, by=leader, reason="Snow.")
    with pytest.raises(TasterError, match="cancelled"):
        book_taster_seat(meeting=meeting, person=taster)

    group.status = GroupStatus.CLOSED
    group.save()
    with pytest.raises(TasterError, match="closed"):
        book_taster_seat(
            meeting=MeetingFactory(group=group, starts_at=meeting.starts_at + timedelta(days=7)),
            person=taster,
        )


def test_cancelling_frees_the_seat(meeting, taster):
    first, second = people(2)
    booking = book_taster_seat(meeting=meeting, person=taster)
    book_taster_seat(meeting=meeting, person=first)

    cancel_taster_booking(booking=booking, person=taster)

    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.cancelled_at is not None
    assert booking.cancelled_because == CancelledBecause.TASTER
    assert book_taster_seat(meeting=meeting, person=second).seat == booking.seat


def test_after_cancelling_the_taster_may_book_another_meeting(meeting, later_meeting, taster):
    booking = book_taster_seat(meeting=meeting, person=taster)
    cancel_taster_booking(booking=booking, person=taster)

    assert book_taster_seat(meeting=later_meeting, person=taster).meeting == later_meeting


def test_a_booking_cannot_be_cancelled_twice_by_someone_else_or_after_the_start(meeting, taster):
    booking = book_taster_seat(meeting=meeting, person=taster)

    with pytest.raises(TasterError, match="not yours"):
        cancel_taster_booking(booking=booking, person=UserFactory())
    with pytest.raises(TasterError, match="has started"):
        cancel_taster_booking(
            booking=booking, person=taster, now=meeting.starts_at + timedelta(minutes=1)
        )
    cancel_taster_booking(booking=booking, person=taster)
    with pytest.raises(TasterError, match="cancelled already"):
        cancel_taster_booking(booking=booking, person=taster)


def test_a_cancelled_meeting_cancels_its_bookings(meeting, leader, taster):
    booking = book_taster_seat(meeting=meeting, person=taster)

    cancel_meeting(meeting=meeting, by=leader, reason="The room is flooded.")

    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_because) == ("cancelled", CancelledBecause.MEETING)


def test_a_meeting_the_schedule_drops_cancels_its_bookings(group, leader, taster):
    spec = ScheduleSpec(
        frequency="weekly",
        weekday=timezone.localdate().weekday(),
        start_date=timezone.localdate() + timedelta(days=1),
        start_time=timezone.now().time().replace(hour=19, minute=0, second=0, microsecond=0),
        duration_minutes=90,
        time_zone=group.time_zone,
    )
    set_schedule(group=group, by=leader, spec=spec)
    first = group.meetings.order_by("starts_at").first()
    booking = book_taster_seat(meeting=first, person=taster)

    moved = ScheduleSpec(**{**spec.__dict__, "weekday": (spec.weekday + 3) % 7})
    set_schedule(group=group, by=leader, spec=moved)

    first.refresh_from_db()
    booking.refresh_from_db()
    assert first.is_cancelled
    assert booking.status == "cancelled"


def test_booked_tasters_are_expected_at_the_meeting(meeting, leader, member, taster):
    book_taster_seat(meeting=meeting, person=taster)
    cancelled = book_taster_seat(meeting=meeting, person=UserFactory())
    cancel_taster_booking(booking=cancelled, person=cancelled.person)

    roles = {entry.person.pk: entry.role for entry in expected_people(meeting)}

    assert roles == {
        leader.pk: AttendanceRole.LEADER,
        member.pk: AttendanceRole.MEMBER,
        taster.pk: AttendanceRole.TASTER,
    }


def test_expected_people_stays_at_five_queries_with_many_tasters(
    meeting, leader, django_assert_num_queries
):
    set_meeting_taster_seats(meeting=meeting, seats=6, by=leader)
    for person in people(6):
        book_taster_seat(meeting=meeting, person=person)

    with django_assert_num_queries(5):
        expected = expected_people(meeting)

    assert sum(entry.role == "taster" for entry in expected) == 6


# The database refuses what the code might forget.


def test_the_database_refuses_two_open_bookings_in_one_group(meeting, later_meeting, taster):
    book_taster_seat(meeting=meeting, person=taster)

    with pytest.raises(IntegrityError), transaction.atomic():
        TasterBooking.objects.create(
            meeting=later_meeting, group=later_meeting.group, person=taster, seat=1
        )


def test_the_database_refuses_two_open_bookings_on_one_seat(meeting, taster):
    book_taster_seat(meeting=meeting, person=taster)

    with pytest.raises(IntegrityError), transaction.atomic():
        TasterBooking.objects.create(
            meeting=meeting, group=meeting.group, person=UserFactory(), seat=1
        )


def test_the_database_refuses_seats_beyond_six(meeting, taster):
    with pytest.raises(IntegrityError), transaction.atomic():
        TasterBooking.objects.create(meeting=meeting, group=meeting.group, person=taster, seat=7)


def test_cancelled_bookings_do_not_hold_their_seat_in_the_database(meeting, taster):
    TasterBooking.objects.create(
        meeting=meeting,
        group=meeting.group,
        person=taster,
        seat=1,
        status=BookingStatus.CANCELLED,
        cancelled_at=timezone.now(),
    )

    assert TasterBooking.objects.create(
        meeting=meeting, group=meeting.group, person=taster, seat=1
    ).is_open
