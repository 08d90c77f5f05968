"""The main journeys under load, against the real thing: gunicorn with production settings on a
PostgreSQL database of the test's own, Redis, a Celery worker and an SMTP server.

For LOAD_TEST_SECONDS (60) LOAD_TEST_USERS (50) simulated people at once browse the finder and
groups, book and cancel taster seats (sometimes with a double click), write registers and
download their programme's attendance. Then: no answer was a server error or missing, and the
database agrees with every page: no booking lost, doubled or made behind the person's back, no
meeting with more tasters than seats, every register as last saved, every export logged with
the rows it sent, and every invitation emailed once.

scripts/test.sh runs it alone after the rest of the suite (`-m load -n 0`); it is skipped
without a PostgreSQL DATABASE_URL.
"""

import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from urllib.parse import urlsplit

import pytest

from bench.common import ENVIRONMENT, ensure_database, percentile, start_gunicorn, stop
from tests.load.browser import Record
from tests.load.users import WEIGHTS, Users
from tests.services import PROJECT_ROOT, CeleryWorker, RedisServer, SmtpServer

pytestmark = pytest.mark.load

SECONDS = float(os.environ.get("LOAD_TEST_SECONDS", "60"))
USERS = int(os.environ.get("LOAD_TEST_USERS", "50"))
GUNICORN_WORKERS = 3  # the Dockerfile's WEB_CONCURRENCY, each with 4 threads
REDIS_DB = 11  # broker and cache: apart from the other tests' (db 0) and the benches' (15)
PORTS = range(8500, 8600)
DRAIN_SECONDS = 120  # for the worker to send the last emails


def free_port_in(ports: range) -> int:
    for port in ports:
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}–{ports.stop - 1}")


@pytest.fixture(scope="module")
def database_url():
    """A PostgreSQL database of the test's own beside DATABASE_URL's (…_load), made afresh."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("the load test needs PostgreSQL: set DATABASE_URL (it makes its own database)")
    parts = urlsplit(url)
    url = parts._replace(path=f"{parts.path}_load").geturl()
    ensure_database(url, fresh=True)  # kept after the run for a look; dropped by the next
    return url


@pytest.fixture(scope="module")
def redis_url():
    if os.environ.get("REDIS_URL"):
        yield urlsplit(os.environ["REDIS_URL"])._replace(path=f"/{REDIS_DB}").geturl()
        return
    with RedisServer(port=free_port_in(PORTS)) as server:
        yield server.url


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer()
    server.port = free_port_in(PORTS)
    with server:
        yield server


@pytest.fixture(scope="module")
def environment(database_url, redis_url, smtp, tmp_path_factory) -> dict:
    """What gunicorn and the set-up commands run with: production settings, local services."""
    return {
        **os.environ,
        **ENVIRONMENT,
        "DJANGO_SETTINGS_MODULE": "tests.load.settings",
        "LOAD_TEST_STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": redis_url,
        "CACHE_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_QUEUE": f"balint-load-{os.getpid()}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_USE_TLS": "false",
        "LOG_LEVEL": "WARNING",
    }


def run_python(*args: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def world(environment) -> dict:
    run_python("manage.py", "migrate", "--no-input", "-v0", env=environment)
    run_python("manage.py", "collectstatic", "--no-input", "-v0", env=environment)
    return json.loads(run_python("-m", "tests.load.world", "seed", env=environment))


@pytest.fixture(scope="module")
def worker(world, environment, smtp):
    with CeleryWorker(
        broker_url=environment["REDIS_URL"],
        database_url=environment["DATABASE_URL"],
        smtp_port=smtp.port,
        queue=environment["CELERY_QUEUE"],
    ) as worker:
        yield worker


@pytest.fixture(scope="module")
def site_port(world, worker, environment):
    port = free_port_in(PORTS)
    server = start_gunicorn(port, workers=GUNICORN_WORKERS, env=environment)
    yield port
    stop(server)


def test_the_main_journeys_hold_up_under_load(world, site_port, worker, smtp, environment, capsys):
    record = Record()
    started, cpu = time.monotonic(), time.process_time()
    Users(world, site_port, record).run(users=USERS, seconds=SECONDS)
    elapsed, record.client_cpu = time.monotonic() - started, time.process_time() - cpu
    facts = json.loads(
        run_python("-m", "tests.load.world", "facts", str(DRAIN_SECONDS), env=environment)
    )
    emails = len(smtp.messages())
    with capsys.disabled():
        print(f"\n{summary(record, facts, elapsed=elapsed, emails=emails)}", flush=True)

    failures = [
        *answer_failures(record),
        *volume_failures(record),
        *booking_failures(record, facts),
        *register_and_export_failures(record, facts),
        *email_failures(record, facts, emails),
    ]
    assert not failures, "\n".join(failures) + f"\n\nThe worker's log ends:\n{worker.log()[-3000:]}"


def answer_failures(record: Record) -> list[str]:
    failures = []
    errors = [hit for hit in record.hits if hit.status >= 500]
    silent = [hit for hit in record.hits if hit.status == 0]
    if errors:
        failures.append(f"{len(errors)} server errors, e.g. " + _hits(errors))
    if silent:
        failures.append(f"{len(silent)} requests got no answer, e.g. " + _hits(silent))
    if record.problems:
        shown = "\n  ".join(record.problems[:20])
        failures.append(f"{len(record.problems)} pages said what they must not:\n  {shown}")
    return failures


def _hits(hits) -> str:
    return "; ".join(f"{hit.method} {hit.path} {hit.status} {hit.error}" for hit in hits[:5])


def volume_failures(record: Record) -> list[str]:
    """The run must have done enough of each thing for its checks to mean something; seats
    running out ('full') shows the bookings really competed."""
    done = Counter(hit.journey for hit in record.hits)
    expected = ["browse", "book", "cancel", "register", "export"]
    failures = [f"no {journey} requests were made" for journey in expected if not done[journey]]
    for outcome in ["book: booked", "book: full", "cancel: cancelled", "register: saved"]:
        if not record.outcomes[outcome]:
            failures.append(f"no '{outcome}' in the run")
    if not record.export_rows:
        failures.append("no export was downloaded")
    return failures


def booking_failures(record: Record, facts: dict) -> list[str]:
    failures = []
    stored = {row["id"]: row for row in facts["bookings"]}
    for booking_id, (person, meeting) in sorted(record.booked.items()):
        row = stored.get(booking_id)
        if booking_id in record.cancelled:
            wanted = "cancelled"
        elif booking_id in record.unconfirmed:
            wanted = row["status"] if row else "booked or cancelled"
        else:
            wanted = "booked"
        if row is None or (row["person_id"], row["meeting_id"]) != (person, meeting):
            failures.append(f"lost: booking {booking_id} (person {person}) is not in the database")
        elif row["status"] != wanted:
            failures.append(f"lost: booking {booking_id} is {row['status']}, not {wanted}")
    for booking_id in sorted(set(stored) - set(record.booked)):
        failures.append(f"booking {booking_id} was made, but no page ever confirmed it")
    open_rows = [row for row in facts["bookings"] if row["status"] == "booked"]
    for key, label in [("group_id", "group"), ("meeting_id", "meeting")]:
        counts = Counter((row["person_id"], row[key]) for row in open_rows)
        for (person, place), count in sorted(counts.items()):
            if count > 1:
                failures.append(f"doubled: person {person} holds {count} seats in {label} {place}")
    taken = Counter(row["meeting_id"] for row in open_rows)
    for meeting, count in sorted(taken.items()):
        if count > facts["seats"][str(meeting)]:
            seats = facts["seats"][str(meeting)]
            failures.append(f"overbooked: meeting {meeting} has {count} tasters for {seats} seats")
    return failures


def register_and_export_failures(record: Record, facts: dict) -> list[str]:
    failures = []
    for meeting, saves in sorted(record.register_saves.items()):
        # The last save written was answered after every other save was sent (or it would
        # not have been the last); the database must hold one of those, whole.
        last_sent = max(save.sent for save in saves)
        could_be_last = [save.marks for save in saves if save.answered >= last_sent]
        stored = facts["registers"].get(str(meeting), {})
        if stored not in could_be_last:
            marks = could_be_last[-1]
            people = sorted(p for p in set(stored) | set(marks) if stored.get(p) != marks.get(p))
            failures.append(f"meeting {meeting}'s register is not as last saved for {people}")
    if sorted(record.export_rows) != facts["exports"]:
        failures.append(
            f"the export log's row counts {facts['exports']} differ from the files "
            f"downloaded {sorted(record.export_rows)}"
        )
    if facts["exports_unfinished"]:
        failures.append(f"{facts['exports_unfinished']} exports were logged as never finished")
    return failures


def email_failures(record: Record, facts: dict, emails: int) -> list[str]:
    failures = []
    outbox = facts["outbox"]
    if outbox["pending"] or outbox["failed"]:
        failures.append(
            f"{outbox['pending']} emails still waiting and {outbox['failed']} failed after "
            f"{DRAIN_SECONDS} s"
        )
    sent = set(facts["sent_keys"])
    unsent = [b for b in record.booked if f"taster-invite:{b}" not in sent]
    unsent += [b for b in record.cancelled if f"taster-cancel:{b}" not in sent]
    if unsent:
        failures.append(f"bookings whose invite or cancellation was not sent: {sorted(unsent)}")
    if emails != outbox["sent"]:
        failures.append(f"the SMTP server got {emails} emails; the outbox sent {outbox['sent']}")
    return failures


def summary(record: Record, facts: dict, *, elapsed: float, emails: int) -> str:
    hits = record.hits
    statuses = Counter(hit.status for hit in hits)
    lines = [
        f"Load test: {USERS} users for {SECONDS:.0f} s ({elapsed:.0f} s with the last journeys), "
        f"gunicorn {GUNICORN_WORKERS}×4 threads, PostgreSQL, Redis, a Celery worker",
        f"  {len(hits)} requests, {len(hits) / elapsed:.1f}/s (the simulated users took "
        f"{record.client_cpu:.0f} CPU seconds); answers "
        + ", ".join(f"{status or 'none'}: {count}" for status, count in sorted(statuses.items())),
        f"  {'journey':<10}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}",
    ]
    for journey in ["browse", "book", "cancel", "register", "export"]:
        seconds = [hit.seconds * 1000 for hit in hits if hit.journey == journey]
        lines.append(
            f"  {journey:<10}{len(seconds):>9}{percentile(seconds, 0.5):>9.0f}"
            f"{percentile(seconds, 0.99):>9.0f}{max(seconds, default=0):>9.0f}"
        )
    open_rows = sum(row["status"] == "booked" for row in facts["bookings"])
    overlapping = sum(
        any(o is not s and o.sent < s.answered and s.sent < o.answered for o in saves)
        for saves in record.register_saves.values()
        for s in saves
    )
    lines += [
        "  " + ", ".join(f"{name}: {count}" for name, count in sorted(record.outcomes.items())),
        f"  register saves sent while another of the same register was under way: {overlapping}",
        f"  database: {open_rows} open taster bookings for {sum(facts['seats'].values())} seats; "
        f"{facts['outbox']['sent']} emails sent, {emails} received by the SMTP server",
        f"  mix: {', '.join(f'{name} {weight}' for name, weight in WEIGHTS.items())}",
    ]
    return "\n".join(lines)
