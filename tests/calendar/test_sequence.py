"""Every message about a meeting carries a SEQUENCE higher than anything sent before for its
UID to that person: a CANCEL above the REQUEST it withdraws, a later REQUEST above the CANCEL
(RFC 5546 §2.1.4), whether the meeting changed or only the person's part in it."""

from concurrent.futures import ThreadPoolExecutor
from datetime import time, timedelta
from itertools import pairwise
from time import sleep

import pytest
from django.db import connection, transaction
from django.utils import timezone

from balint.outbox.models import Message
from groups import services as groups
from sessions.calendar import notify, sequences
from sessions.calendar.feed import feed_for
from sessions.calendar.ical import meeting_uid
from sessions.calendar.models import PersonalSequence
from sessions.calendar.sequences import raise_sequences
from sessions.meetings.services import move_meeting
from sessions.tasters.services import book_taster_seat, cancel_taster_booking
from tests.calendar.conftest import calendar_of, meeting_on, parse

pytestmark = pytest.mark.django_db


def sent_to(person, meeting) -> list[tuple[str, int]]:
    """(METHOD, SEQUENCE) of every calendar part sent to `person` about `meeting`, in the
    order the outbox rows were written, read back from the rows' iCalendar text."""
    sent = []
    for message in Message.objects.filter(to=[person.email]).exclude(ical="").order_by("pk"):
        calendar = calendar_of(message)
        for event in calendar.events:
            if str(event["UID"]) == meeting_uid(meeting):
                sent.append((str(calendar["METHOD"]), int(event["SEQUENCE"])))
    return sent


def strictly_increasing(numbers: list[int]) -> bool:
    return all(a < b for a, b in pairwise(numbers))


def test_a_taster_who_books_cancels_and_books_again_sees_the_sequence_rise(soon, stranger):
    first = book_taster_seat(meeting=soon, person=stranger)
    cancel_taster_booking(booking=first, person=stranger)
    book_taster_seat(meeting=soon, person=stranger)

    sent = sent_to(stranger, soon)
    assert [method for method, _ in sent] == ["REQUEST", "CANCEL", "REQUEST"]
    assert strictly_increasing([sequence for _, sequence in sent]), sent


def test_a_moved_meeting_between_booking_and_cancelling_keeps_the_order(soon, leader, stranger):
    booking = book_taster_seat(meeting=soon, person=stranger)
    day = timezone.localdate() + timedelta(days=11)
    moved = move_meeting(meeting=soon, by=leader, day=day, start=time(18), duration_minutes=60)
    booking.refresh_from_db()
    cancel_taster_booking(booking=booking, person=stranger)
    book_taster_seat(meeting=moved, person=stranger)

    sent = sent_to(stranger, soon)
    assert [method for method, _ in sent] == ["REQUEST", "REQUEST", "CANCEL", "REQUEST"]
    assert strictly_increasing([sequence for _, sequence in sent]), sent


def test_a_member_who_leaves_and_rejoins_sees_the_sequence_rise(hybrid_group, member, leader):
    days = timezone.localdate()
    meetings = [meeting_on(hybrid_group, days + timedelta(days=n)) for n in (4, 11)]
    notify.meeting_added(meeting=meetings[0])  # the member's first invitation, at revision 0

    groups.leave_group(group=hybrid_group, person=member)
    request = groups.request_to_join(group=hybrid_group, person=member)
    groups.approve_request(group=hybrid_group, membership_id=request.pk, by=leader)
    groups.leave_group(group=hybrid_group, person=member)

    first = sent_to(member, meetings[0])
    assert [method for method, _ in first] == ["REQUEST", "CANCEL", "REQUEST", "CANCEL"]
    assert strictly_increasing([sequence for _, sequence in first]), first
    second = sent_to(member, meetings[1])
    assert [method for method, _ in second] == ["CANCEL", "REQUEST", "CANCEL"]
    assert strictly_increasing([sequence for _, sequence in second]), second


def test_everyone_elses_sequence_stays_the_meetings_revision(soon, leader, member, stranger):
    booking = book_taster_seat(meeting=soon, person=stranger)
    cancel_taster_booking(booking=booking, person=stranger)
    day = timezone.localdate() + timedelta(days=12)

    move_meeting(meeting=soon, by=leader, day=day, start=time(18), duration_minutes=60)

    assert sent_to(member, soon) == [("REQUEST", 1)]


def test_a_meeting_change_after_a_personal_cancel_and_rebooking_is_higher_still(
    soon, leader, stranger
):
    booking = book_taster_seat(meeting=soon, person=stranger)
    cancel_taster_booking(booking=booking, person=stranger)
    book_taster_seat(meeting=soon, person=stranger)
    day = timezone.localdate() + timedelta(days=12)

    move_meeting(meeting=soon, by=leader, day=day, start=time(18), duration_minutes=60)

    sent = sent_to(stranger, soon)
    assert [method for method, _ in sent] == ["REQUEST", "CANCEL", "REQUEST", "REQUEST"]
    assert strictly_increasing([sequence for _, sequence in sent]), sent


def test_a_repeated_notification_does_not_raise_the_sequence(soon, stranger):
    booking = book_taster_seat(meeting=soon, person=stranger)

    assert notify.taster_booked(booking) == 0  # the booking sent it already
    assert PersonalSequence.objects.get(meeting=soon, person=stranger).bumps == 1


def test_the_feed_carries_the_sequence_of_the_persons_last_email(soon, stranger):
    first = book_taster_seat(meeting=soon, person=stranger)
    cancel_taster_booking(booking=first, person=stranger)
    book_taster_seat(meeting=soon, person=stranger)

    [event] = parse(feed_for(stranger)).events
    assert int(event["SEQUENCE"]) == sent_to(stranger, soon)[-1][1]


def raise_twice_at_once(meeting, person) -> list[int]:
    def bump():
        try:
            with transaction.atomic():
                return raise_sequences([meeting], person)[meeting.pk]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        return sorted(pool.map(lambda _: bump(), range(2)))


@pytest.mark.django_db(transaction=True)
def test_raising_a_sequence_twice_at_once_counts_both(soon, stranger):
    """Two requests for the same person and meeting at once (a double click that books and a
    cancel): the unique row and the database's increment give each its own number."""
    assert raise_twice_at_once(soon, stranger) == [1, 2]  # the row made by the first
    # Once the row exists, only the database's increment keeps the two apart.
    assert raise_twice_at_once(soon, stranger) == [3, 4]
    assert PersonalSequence.objects.get(meeting=soon, person=stranger).bumps == 4


@pytest.mark.django_db(transaction=True)
def test_without_the_databases_increment_two_raises_at_once_lose_one(soon, stranger, monkeypatch):
    """The negative control: with the increment done in Python (read, then write) instead of by
    the database, two raises at once both read 1 and both write 2, so the test above can see a
    lost raise. `sequences.F` is what raise_sequences builds its increment from."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: no race to see")
    raise_sequences([soon], stranger)  # the row exists: its insert no longer orders the two

    def read_then_write(field: str) -> int:
        value = PersonalSequence.objects.filter(meeting=soon, person=stranger).values_list(
            field, flat=True
        )[0]
        sleep(0.3)  # both read before either writes
        return value

    monkeypatch.setattr(sequences, "F", read_then_write)

    assert raise_twice_at_once(soon, stranger) == [2, 2]
    assert PersonalSequence.objects.get(meeting=soon, person=stranger).bumps == 2
