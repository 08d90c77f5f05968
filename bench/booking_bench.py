r"""Booking contention: 200 signed-in people try, at the same moment, to book the last two taster
seats of one meeting through the real booking page served by gunicorn.

One command (PostgreSQL, and Redis on 127.0.0.1:6379; the database is the bench's own):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/balint_bench_h2 \
        .venv/bin/python bench/booking_bench.py

Options: --attempts N (default 200), --workers N (gunicorn's worker processes; default 3, the
production image's WEB_CONCURRENCY, each with the Dockerfile's 4 threads).

What it does, in one run:
1. Creates and migrates the database if needed and makes (afresh each run) a hybrid group with
   3 taster seats a meeting, its leader, a meeting a week away whose first seat a taster has
   booked already, and N would-be tasters, each signed in with a session of their own.
2. Starts gunicorn as in production (bench/common.start_gunicorn, production settings with the
   database connections and the Redis cache and broker production has). Emails the bookings
   write are queued on a Redis database of the bench's own (BENCH_REDIS_URL, default
   redis://127.0.0.1:6379/12, emptied at start and end); no worker sends them.
3. Each would-be taster opens the booking page (GET) for its CSRF cookie and token.
4. N threads, released together by a barrier, each POST the booking form on a connection of
   their own, and time the answer.
5. Checks: exactly 2 new bookings in the database, held by the two people whose answer was the
   redirect to their booking; no server error (5xx); every other answer the page with the
   "full" message. Prints the p50/p99 latency of refusals and successes, appends the result to
   bench/RESULTS.md, and exits non-zero if an invariant failed.
"""

import argparse
import http.client
import os
import re
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from common import (
    ENVIRONMENT,
    REQUEST_HEADERS,
    append_results,
    cpu_seconds,
    database_url,
    ensure_database,
    machine,
    migrate,
    percentile,
    say,
    session_cookie,
    setup_django,
    start_gunicorn,
    stop,
    worker_pids,
)

PORT = 8421
SLUG = "h2-booking-bench"
SEATS, TAKEN = 3, 1  # the meeting's taster seats, and those booked before the rush
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
QUEUE = "bench_h2_booking"
ORIGIN = "https://localhost"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Taster:
    cookie: str
    token: str = ""
    status: int = 0
    location: str = ""
    body: str = ""
    seconds: float = 0.0
    error: str = ""


def make_world(attempts: int):
    """The group, its meeting with one seat taken, and the would-be tasters; returns the meeting
    and the tasters' users."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from groups.models import BalintGroup, Leadership
    from members.models import User
    from sessions.meetings.models import Meeting
    from sessions.tasters.models import TasterBooking

    BalintGroup.objects.filter(slug=SLUG).delete()
    User.objects.filter(email__startswith="h2-booking-").delete()
    group = BalintGroup.objects.create(
        name="Booking bench group",
        slug=SLUG,
        format="hybrid",
        town="Bristol",
        region="south_west",
        taster_seats=SEATS,
        room="Room 2, Canynge Hall",
        meeting_link="https://meet.example.org/booking-bench",
    )
    leader = User.objects.create(email="h2-booking-leader@example.org", display_name="Dr Lead")
    Leadership.objects.create(group=group, person=leader)
    starts = timezone.now().replace(second=0, microsecond=0) + timedelta(days=7)
    meeting = Meeting.objects.create(
        group=group, starts_at=starts, ends_at=starts + timedelta(minutes=90)
    )
    early = User.objects.create(email="h2-booking-early@example.org", display_name="Dr Early")
    TasterBooking.objects.create(meeting=meeting, group=group, person=early, seat=1)
    people = User.objects.bulk_create(
        User(
            email=f"h2-booking-{n}@example.org",
            display_name=f"Dr Keen {n}",
            password=make_password(None),  # unusable: they are signed in by session cookie
        )
        for n in range(attempts)
    )
    return meeting, people


def empty_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def connection() -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)


def open_page(path: str, taster: Taster) -> None:
    """GET the booking page: the CSRF cookie and the form's token."""
    conn = connection()
    conn.request("GET", path, headers={**REQUEST_HEADERS, "Cookie": taster.cookie})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    if response.status != 200 or not (found := TOKEN.search(body)):
        sys.exit(f"The booking page answered {response.status} without a form: {body[:300]!r}")
    taster.token = found.group(1)
    for header in response.msg.get_all("Set-Cookie") or []:
        if header.startswith("csrftoken="):
            taster.cookie += "; " + header.split(";", 1)[0]


def book(path: str, taster: Taster, barrier: threading.Barrier) -> None:
    """Wait for everyone, then POST the form and time the answer."""
    body = f"csrfmiddlewaretoken={taster.token}"
    headers = {
        **REQUEST_HEADERS,
        "Cookie": taster.cookie,
        "Origin": ORIGIN,
        "Referer": ORIGIN + path,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    barrier.wait()
    started = time.perf_counter()
    try:
        conn = connection()
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        taster.body = response.read().decode(errors="replace")
        taster.status, taster.location = response.status, response.getheader("Location", "")
        conn.close()
    except OSError as error:
        taster.error = f"{type(error).__name__}: {error}"
    taster.seconds = time.perf_counter() - started


def one_at_a_time(path: str, tasters: list[Taster], count: int) -> list[Taster]:
    """After the rush, `count` of the refused try again one after another: what a refusal
    costs without contention, to compare with the rush's."""
    refused = [t for t in tasters if t.status == 200][:count]
    again = [Taster(cookie=t.cookie, token=t.token) for t in refused]
    for taster in again:
        book(path, taster, threading.Barrier(1))
    return again


def classify(taster: Taster, full_message: str) -> str:
    if taster.error:
        return "no answer"
    if taster.status >= 500:
        return "server error"
    if taster.status == 302 and "/tasters/bookings/" in taster.location:
        return "booked"
    if taster.status == 200 and full_message in taster.body:
        return "full"
    return f"unclear ({taster.status})"


def check(meeting, people, tasters: list[Taster], kinds: list[str]) -> dict:
    from sessions.tasters.models import BookingStatus, TasterBooking

    booked = TasterBooking.objects.filter(meeting=meeting, status=BookingStatus.BOOKED)
    new = set(booked.exclude(seat=1).values_list("person_id", flat=True))
    answered_booked = {people[n].pk for n, kind in enumerate(kinds) if kind == "booked"}
    counts = Counter(kinds)
    result = {
        "counts": counts,
        "new_bookings": len(new),
        "seats": sorted(booked.values_list("seat", flat=True)),
        "server_errors": sum(1 for taster in tasters if taster.status >= 500),
        "unclear": sum(n for kind, n in counts.items() if kind not in ("booked", "full")),
    }
    result["ok"] = (
        result["new_bookings"] == SEATS - TAKEN
        and new == answered_booked
        and result["seats"] == list(range(1, SEATS + 1))
        and result["server_errors"] == 0
        and result["unclear"] == 0
    )
    return result


def latency(values: list[float]) -> str:
    if not values:
        return "none"
    p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
    return f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms (n = {len(values)})"


def report(
    options, tasters: list[Taster], kinds: list[str], result: dict, span: float, quiet: list
) -> str:
    refusals = [t.seconds for t, kind in zip(tasters, kinds, strict=True) if kind == "full"]
    successes = [t.seconds for t, kind in zip(tasters, kinds, strict=True) if kind == "booked"]
    alone = [t.seconds for t in quiet]
    ratio = percentile(refusals, 0.5) / percentile(alone, 0.5) if refusals and alone else 0
    answers = ", ".join(f"{kind} {n}" for kind, n in sorted(result["counts"].items()))
    lines = [
        f"\n## Booking contention, {options.attempts} attempts at the last {SEATS - TAKEN} "
        f"taster seats: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- Machine: {machine()}; gunicorn as in the Dockerfile ({options.workers} workers, "
        "gthread, 4 threads each), production settings; the clients are threads of one process "
        "released together by a barrier, each on its own connection and session.",
        f"- Answers: {answers}; all {options.attempts} within {span:.2f} s of the release "
        f"({options.attempts / span:.0f} requests/s)",
        f"- **Bookings made: {result['new_bookings']}** (seats now held: "
        f"{', '.join(map(str, result['seats']))}); server errors: {result['server_errors']}; "
        f"unclear answers: {result['unclear']}",
        f'- Refusals (the page with the "full" message): {latency(refusals)}',
        f"- Successes (the redirect to the booking): {latency(successes)}",
        f"- A refusal without contention (then, one at a time): {latency(alone)}; "
        f"**the rush's p50 is {ratio:.1f}× that** (the requests queue for gunicorn's "
        f"{options.workers * 4} threads and the machine's {os.cpu_count()} CPUs)",
        f"- Invariants (exactly {SEATS - TAKEN} booked, no 5xx, every refusal says full): "
        f"{'held' if result['ok'] else 'BROKEN'}",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--quiet", type=int, default=20, help="refusals timed one at a time")
    parser.add_argument("--no-results", action="store_true", help="do not append to RESULTS.md")
    options = parser.parse_args()
    ensure_database(database_url(), fresh=False)
    # Production's cache and broker (Redis) and its database connections kept for reuse.
    ENVIRONMENT.update(
        {"REDIS_URL": REDIS_URL, "CACHE_URL": REDIS_URL, "DATABASE_CONN_MAX_AGE": "60"}
    )
    os.environ["CELERY_QUEUE"] = QUEUE
    setup_django()
    migrate()
    from sessions.tasters.services import FULL_MESSAGE

    empty_redis()
    meeting, people = make_world(options.attempts)
    path = f"/tasters/meetings/{meeting.pk}/book/"
    tasters = [Taster(cookie=session_cookie(person)) for person in people]
    server = start_gunicorn(PORT, workers=options.workers)
    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda taster: open_page(path, taster), tasters))
        say(f"{len(tasters)} would-be tasters have the booking page open; releasing them.")
        workers = worker_pids(server.pid)
        cpu_before = sum(cpu_seconds(pid) for pid in workers)
        released = []
        barrier = threading.Barrier(
            len(tasters), action=lambda: released.append(time.perf_counter())
        )
        threads = [threading.Thread(target=book, args=(path, t, barrier)) for t in tasters]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        span = time.perf_counter() - released[0]
        cpu = sum(cpu_seconds(pid) for pid in workers) - cpu_before
        quiet = one_at_a_time(path, tasters, options.quiet)
    finally:
        stop(server)
        empty_redis()
    kinds = [classify(taster, FULL_MESSAGE) for taster in tasters]
    result = check(meeting, people, tasters, kinds)
    if any(classify(taster, FULL_MESSAGE) != "full" for taster in quiet):
        result["ok"] = False
        say("A refusal made one at a time was not the page with the full message.")
    for taster, kind in zip(tasters, kinds, strict=True):
        if kind not in ("booked", "full"):
            say(f"{kind}: {taster.error or taster.body[:300]!r}")
    say(f"gunicorn's workers used {cpu:.2f} s of CPU for the rush")
    text = report(options, tasters, kinds, result, span, quiet)
    say(text)
    if not options.no_results:
        append_results(text)
    if not result["ok"]:
        sys.exit("The booking invariants did not hold: see above.")


if __name__ == "__main__":
    main()
