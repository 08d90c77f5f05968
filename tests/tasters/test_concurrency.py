"""The seat limit holds when many people book at the same moment, through real HTTP requests to a
live server (real PostgreSQL row locks; SQLite would serialise every write anyway)."""

import threading
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from sessions.tasters.models import TasterBooking
from sessions.tasters.services import book_taster_seat
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 24
CSRF = "Tasters0Concurrency0Test0Secret0"  # any 32 letters and digits: cookie and header agree


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


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


def test_many_people_booking_the_last_seat_at_once_get_one_booking(live_server, meeting):
    book_taster_seat(meeting=meeting, person=UserFactory())  # 1 of the 2 seats taken
    people = UserFactory.create_batch(ATTEMPTS)
    sessions = [session_cookie(person) for person in people]
    url = f"{live_server.url}/tasters/meetings/{meeting.pk}/book/"

    results = all_at_once([lambda s=s: post(url, s) for s in sessions])

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


def test_a_double_submitted_form_books_once(live_server, meeting, taster):
    session = session_cookie(taster)
    url = f"{live_server.url}/tasters/meetings/{meeting.pk}/book/"

    results = all_at_once([lambda: post(url, session), lambda: post(url, session)])

    booking = TasterBooking.objects.get(person=taster)
    assert [(status, location) for status, location, _ in results] == [
        (302, f"/tasters/bookings/{booking.pk}/"),
        (302, f"/tasters/bookings/{booking.pk}/"),
    ]


def test_one_person_booking_two_meetings_of_a_group_at_once_gets_one(
    live_server, meeting, later_meeting, taster
):
    session = session_cookie(taster)

    results = all_at_once(
        [
            lambda m=m: post(f"{live_server.url}/tasters/meetings/{m.pk}/book/", session)
            for m in (meeting, later_meeting)
        ]
    )

    assert sorted(status for status, _, _ in results) == [200, 302]
    assert TasterBooking.objects.filter(person=taster, status="booked").count() == 1
