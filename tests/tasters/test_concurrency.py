"""The seat limit holds when many people book at the same moment, through real HTTP requests to a
live server (real PostgreSQL row locks; SQLite would serialise every write anyway).

The database's constraints (one taster per seat, one open booking per group) would catch a lost
lock after the fact, so the outcome alone cannot tell whether the lock held. `seat_choices` records
every seat handed out before the write: with the lock only the winner is ever offered one. Each test
has a negative control with the lock replaced by a plain read (`without_the_booking_lock`), where
the race must show: several requests offered the same seat, and the wrong answer given.
"""

import html
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from sessions.meetings.models import Meeting
from sessions.tasters import services as booking_services
from sessions.tasters.models import TasterBooking
from sessions.tasters.services import FULL_MESSAGE, book_taster_seat
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 24
CSRF = "Tasters0Concurrency0Test0Secret0"  # any 32 letters and digits: cookie and header agree


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


# Where booking takes its locks (the group's row, then the meeting's), and where it picks a seat:
# the helpers book_taster_seat calls, by the names it calls them. Retarget here if they move.
BOOKING_LOCK = (booking_services, "_lock")
SEAT_CHOICE = (booking_services, "_free_seat")


@pytest.fixture
def seat_choices(monkeypatch):
    """Every seat offered to a booking before it is written, in a list. Each offer then waits, as
    on a busy server, so that without the lock every request would choose before any writes.
    The live server runs in this process, so the patch reaches its requests."""
    offered: list[int] = []
    choose = getattr(*SEAT_CHOICE)

    def choose_slowly(meeting):
        seat = choose(meeting)
        offered.append(seat)
        time.sleep(0.5)
        return seat

    monkeypatch.setattr(*SEAT_CHOICE, choose_slowly)
    return offered


@pytest.fixture
def without_the_booking_lock(monkeypatch):
    """The negative control: booking reads the meeting and its group without locking them."""
    assert callable(getattr(*BOOKING_LOCK))

    def plain_read(meeting):
        return Meeting.objects.select_related("group").get(pk=meeting.pk)

    monkeypatch.setattr(*BOOKING_LOCK, plain_read)


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class _Stay(urllib.request.HTTPRedirectHandler):
    """Do not follow redirects: the test looks at where each answer points."""

    def redirect_request(self, *args, **kwargs):
        return None


def post(url: str, session: str) -> tuple[int, str, str]:
    """POST with the session and CSRF cookies; returns (status, location, body)."""
    request = urllib.request.Request(  # noqa: S310 - the live server's own http:// address
        url,
        data=b"",
        method="POST",
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; "
            f"{settings.CSRF_COOKIE_NAME}={CSRF}",
            "X-CSRFToken": CSRF,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    opener = urllib.request.build_opener(_Stay)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, "", response.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers.get("Location", ""), answer.read().decode()


def all_at_once(calls) -> list:
    """Run the calls in threads released together; each result is (status, location, body)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:  # the test reports what each thread got
            results[index] = (0, "", repr(error))

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def book_the_last_seat_at_once(live_server, meeting, seat_choices) -> list:
    book_taster_seat(meeting=meeting, person=UserFactory())  # 1 of the 2 seats taken
    seat_choices.clear()  # only the race's choices count
    people = UserFactory.create_batch(ATTEMPTS)
    sessions = [session_cookie(person) for person in people]
    url = f"{live_server.url}/tasters/meetings/{meeting.pk}/book/"
    return all_at_once([lambda s=s: post(url, s) for s in sessions])


def test_many_people_booking_the_last_seat_at_once_get_one_booking(
    live_server, meeting, seat_choices
):
    results = book_the_last_seat_at_once(live_server, meeting, seat_choices)

    assert seat_choices == [2], "only the winner may ever be offered the last seat"
    statuses = [status for status, _, _ in results]
    assert not [s for s in statuses if s == 0 or s >= 500], results
    booked = [r for r in results if r[0] == 302 and "/tasters/bookings/" in r[1]]
    full = [r for r in results if r[0] == 200 and "This meeting is full" in r[2]]
    assert len(booked) == 1
    assert len(full) == ATTEMPTS - 1
    assert TasterBooking.objects.filter(meeting=meeting, status="booked").count() == 2
    assert sorted(TasterBooking.objects.filter(meeting=meeting).values_list("seat", flat=True)) == [
        1,
        2,
    ]


def test_without_the_booking_lock_many_are_offered_the_last_seat(
    live_server, meeting, seat_choices, without_the_booking_lock
):
    results = book_the_last_seat_at_once(live_server, meeting, seat_choices)

    # The race: several requests were offered seat 2 at once...
    assert len(seat_choices) > 1 and set(seat_choices) == {2}, seat_choices
    # ...and only the one-taster-per-seat constraint kept the meeting from overbooking.
    assert not [r for r in results if r[0] == 0 or r[0] >= 500], results
    assert TasterBooking.objects.filter(meeting=meeting, status="booked").count() == 2


def submit_twice(live_server, meeting, taster) -> list:
    session = session_cookie(taster)
    url = f"{live_server.url}/tasters/meetings/{meeting.pk}/book/"
    return all_at_once([lambda: post(url, session), lambda: post(url, session)])


def test_a_double_submitted_form_books_once(live_server, meeting, taster, seat_choices):
    results = submit_twice(live_server, meeting, taster)

    booking = TasterBooking.objects.get(person=taster)
    assert [(status, location) for status, location, _ in results] == [
        (302, f"/tasters/bookings/{booking.pk}/"),
        (302, f"/tasters/bookings/{booking.pk}/"),
    ]
    # The second waited for the first and found its booking: it never chose a seat.
    assert seat_choices == [1]


def test_without_the_booking_lock_a_double_submit_chooses_a_seat_twice(
    live_server, meeting, taster, seat_choices, without_the_booking_lock
):
    results = submit_twice(live_server, meeting, taster)

    assert seat_choices == [1, 1]
    # The constraints still leave one booking, found again by the one whose write failed.
    assert TasterBooking.objects.filter(person=taster).count() == 1
    assert [status for status, _, _ in results] == [302, 302]


def book_two_meetings_at_once(live_server, taster, meetings) -> list:
    session = session_cookie(taster)
    return all_at_once(
        [
            lambda m=m: post(f"{live_server.url}/tasters/meetings/{m.pk}/book/", session)
            for m in meetings
        ]
    )


def test_one_person_booking_two_meetings_of_a_group_at_once_gets_one(
    live_server, meeting, later_meeting, taster, seat_choices
):
    results = book_two_meetings_at_once(live_server, taster, [meeting, later_meeting])

    assert sorted(status for status, _, _ in results) == [200, 302]
    assert TasterBooking.objects.filter(person=taster, status="booked").count() == 1
    (refused,) = [body for status, _, body in results if status == 200]
    assert "You already have a taster seat in this group" in refused
    assert seat_choices == [1]


def test_without_the_booking_lock_booking_two_meetings_at_once_gives_the_wrong_answer(
    live_server, meeting, later_meeting, taster, seat_choices, without_the_booking_lock
):
    results = book_two_meetings_at_once(live_server, taster, [meeting, later_meeting])

    # Both were offered a seat; the one-open-booking-per-group constraint refused one write,
    # and that person is told the meeting is full, which it is not.
    assert seat_choices == [1, 1]
    assert sorted(status for status, _, _ in results) == [200, 302]
    (refused,) = [body for status, _, body in results if status == 200]
    assert html.escape(FULL_MESSAGE) in refused
    assert TasterBooking.objects.filter(person=taster, status="booked").count() == 1
