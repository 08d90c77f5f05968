r"""Reminder fan-out: 10,000 meeting reminders due at once, sent by a real Celery worker through
the outbox, against a plain loop that sends the same messages over one SMTP connection.

One command (PostgreSQL, and Redis on 127.0.0.1:6379; the database is the bench's own):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/balint_bench_h2 \
        .venv/bin/python bench/reminders_bench.py

Options: --reminders N (default 10,000), --concurrency N (the worker's processes; default the
machine's CPUs, as production's `celery -A balint worker` has), --one-per-task (also time
delivery as one task and one SMTP connection per message, as the outbox sent before batches),
--fresh (drop and re-create the database first), --no-results (print only). The broker is
BENCH_REDIS_URL (default redis://127.0.0.1:6379/12, emptied at start: the bench's own database
number) with a queue of its own.

What it does, in one run:
1. Creates and migrates the database and (unless it holds the same volume) generates, in SQL,
   one group per ten reminders, each with ten members who want reminders (24 h, 2 h or both,
   in four time zones) and one who wants none, and a meeting an hour from now. On a repeat run
   the meetings are moved to an hour from now again and the reminders' outbox rows deleted.
2. Starts a counting SMTP server (aiosmtpd, bench/smtp_sink.py) in another process, which
   records each message's outbox key, and `celery -A balint worker` (prefork, production
   settings) on the bench's queue, sending to it.
3. End to end: runs the reminder scan (`queue_due_reminders`, as beat's task does), which
   renders and inserts the outbox rows in batches and queues their sending at each commit, and
   times until every row is marked sent.
4. Delivery only: sets the same rows back to pending, queues them as a commit does, and times
   until every row is sent again (to a fresh SMTP server).
5. The plain loop: the same rows (read before the clock starts), each built into its email as
   the worker builds it and sent with smtplib over one connection to a fresh SMTP server of the
   same kind; the time spent building is reported apart, so SMTP alone is known too.
6. Checks each run: every reminder's key arrived exactly once and nothing else arrived; every
   row is 'sent'. Prints the times, messages per second and ratios, appends them to
   bench/RESULTS.md, and exits non-zero if a message was lost or doubled.
"""

import argparse
import os
import smtplib
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.policy import SMTP
from pathlib import Path

from common import (
    ENVIRONMENT,
    ROOT,
    append_results,
    database_url,
    ensure_database,
    machine,
    migrate,
    say,
    setup_django,
    stop,
)
from smtp_sink import SmtpSink

PREFIX = "h2-rem"  # the bench's groups' slugs start with it
PER_GROUP = 10
# A fresh SMTP server for each timed run, so that each is counted alone.
SMTP_PORTS = {"celery": 8411, "delivery": 8412, "one-per-task": 8413, "plain": 8414}
QUEUE = "bench_h2_reminders"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
OUT = ROOT / "bench" / "out"

GENERATE = """
SET LOCAL synchronous_commit = off;
INSERT INTO groups_balintgroup (name, slug, description, format, town, region, time_zone,
    capacity, taster_seats, accepting_members, status, room, meeting_link, created_at,
    updated_at)
SELECT 'Reminder bench group ' || g, '{prefix}-' || g, '', 'hybrid', 'Bristol', 'south_west',
       'Europe/London', 12, 2, true, 'active', 'Room ' || g || ', Canynge Hall',
       'https://meet.example.org/' || md5(g::text), now(), now()
FROM generate_series(0, {groups} - 1) AS g;
CREATE TEMP TABLE bench_groups ON COMMIT DROP AS
SELECT id, (substring(slug from '{prefix}-(\\d+)'))::int AS g FROM groups_balintgroup
WHERE slug LIKE '{prefix}-%';
-- Ten people per group who want reminders (all but 'none' are due an hour before) and one
-- who wants none.
INSERT INTO members_user (password, is_superuser, email, display_name, time_zone, accreditation,
                          is_staff, is_active, date_joined, reminders)
SELECT '!', false, '{prefix}-' || n || '@example.org', 'Dr Reminded ' || n,
       (ARRAY['Europe/London', 'Europe/Dublin', 'America/New_York', 'Asia/Kolkata'])[1 + n % 4],
       'none', false, true, now(),
       CASE WHEN n % ({per_group} + 1) = {per_group} THEN 'none'
            ELSE (ARRAY['24h', '2h', 'both'])[1 + n % 3] END
FROM generate_series(0, {groups} * ({per_group} + 1) - 1) AS n;
INSERT INTO groups_membership (status, note, requested_at, joined_at, updated_at, group_id,
                               person_id)
SELECT 'active', '', now(), now(), now(), bg.id, u.id
FROM members_user u
JOIN bench_groups bg
  ON bg.g = (substring(u.email from '{prefix}-(\\d+)@'))::int / ({per_group} + 1)
WHERE u.email LIKE '{prefix}-%@example.org';
INSERT INTO meetings_meeting (starts_at, ends_at, place, link, status, cancel_reason, revision,
    edited_by_hand, created_from_schedule, created_at, updated_at, group_id)
SELECT now() + interval '1 hour', now() + interval '150 minutes', '', '', 'scheduled', '', 0,
       false, false, now(), now(), bg.id
FROM bench_groups bg;
"""


def bench_groups() -> int:
    from groups.models import BalintGroup

    return BalintGroup.objects.filter(slug__startswith=f"{PREFIX}-").count()


def generate(groups: int) -> None:
    """Generate the bench's people, groups and meetings in one transaction, in SQL."""
    from django.db import connection, transaction

    sql = GENERATE.format(prefix=PREFIX, groups=groups, per_group=PER_GROUP)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in filter(str.strip, sql.split(";\n")):
            cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say(
        f"Generated {groups:,} groups and {groups * PER_GROUP:,} reminded people in "
        f"{time.perf_counter() - started:.1f} s."
    )


def reset() -> None:
    """Make the bench's reminders due again: meetings an hour away, no reminder rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE meetings_meeting SET starts_at = now() + interval '1 hour', "
            "ends_at = now() + interval '150 minutes', status = 'scheduled' "
            "WHERE group_id IN (SELECT id FROM groups_balintgroup WHERE slug LIKE %s)",
            [f"{PREFIX}-%"],
        )
        cursor.execute("DELETE FROM outbox_message WHERE key LIKE 'reminder:%%'")


def empty_broker() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def start_worker(concurrency: int, smtp_port: int) -> subprocess.Popen:
    """`celery -A balint worker` as production's compose file runs it, on the bench's queue."""
    log = OUT / "reminders-worker.log"
    log.write_text("")
    environment = {
        **os.environ,
        **ENVIRONMENT,
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": QUEUE,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_USE_TLS": "false",
        # Production's default (the bench harness's 0 is for gunicorn): a worker keeps its
        # database connection between tasks.
        "DATABASE_CONN_MAX_AGE": "60",
    }
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A", "balint", "worker", "-l", "info",
        f"--concurrency={concurrency}", f"--queues={QUEUE}", f"--hostname={QUEUE}@%h",
    ]  # fmt: skip
    worker = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=log.open("a"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text(errors="replace"):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            sys.exit(f"The Celery worker did not start; see {log}")
        time.sleep(0.1)
    return worker


@contextmanager
def worker_and_sink(options, name: str) -> Iterator[SmtpSink]:
    """A fresh counting SMTP server and a worker sending to it, for one timed run."""
    port = SMTP_PORTS[name]
    with SmtpSink(port, OUT / f"reminders-{name}.txt") as sink:
        worker = start_worker(options.concurrency, port)
        try:
            yield sink
        finally:
            stop(worker)


def wait_until_sent(expected: int, *, timeout: float) -> float:
    """Poll until `expected` reminder rows are sent (or failed); the moment it happened."""
    from balint.outbox.models import Message, MessageStatus

    done = Message.objects.filter(key__startswith="reminder:").exclude(status=MessageStatus.PENDING)
    deadline = time.perf_counter() + timeout
    while (count := done.count()) < expected:
        if time.perf_counter() > deadline:
            say(f"Timed out: {count:,} of {expected:,} rows sent after {timeout:.0f} s.")
            break
        time.sleep(0.1)
    return time.perf_counter()


def expected_keys() -> list[str]:
    from balint.outbox.models import Message

    return list(Message.objects.filter(key__startswith="reminder:").values_list("key", flat=True))


def check(name: str, sink: SmtpSink, keys: list[str]) -> dict:
    """Lost, doubled and stray messages of one run, and the rows' statuses."""
    from balint.outbox.models import Message

    time.sleep(1)  # a moment more for strays, if any
    arrived = sink.keys()
    statuses = Counter(
        Message.objects.filter(key__startswith="reminder:").values_list("status", flat=True)
    )
    wanted = set(keys)
    result = {
        "name": name,
        "arrived": sum(arrived.values()),
        "lost": sum(1 for key in wanted if arrived[key] == 0),
        "doubled": sum(1 for key in wanted if arrived[key] > 1),
        "strays": sum(n for key, n in arrived.items() if key not in wanted),
        "statuses": dict(statuses),
    }
    result["ok"] = result["lost"] == result["doubled"] == result["strays"] == 0
    return result


def end_to_end(timeout: float) -> tuple[float, float, int]:
    """The scan, then the worker's sending: (scan seconds, total seconds, reminders)."""
    from sessions.calendar.reminders import queue_due_reminders

    started = time.perf_counter()
    queued = queue_due_reminders()
    scanned = time.perf_counter()
    finished = wait_until_sent(queued, timeout=timeout)
    return scanned - started, finished - started, queued


def delivery_only(timeout: float, *, one_per_task: bool = False) -> float:
    """The same rows set back to pending and queued as a commit queues them (or, with
    `one_per_task`, a task each, as the outbox queued them before batches): seconds."""
    from balint.outbox.models import Message, MessageStatus
    from balint.outbox.services import queue_batches
    from balint.outbox.tasks import send_message

    rows = Message.objects.filter(key__startswith="reminder:")
    rows.update(status=MessageStatus.PENDING, attempts=0, sent_at=None)
    ids = list(rows.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    if one_per_task:
        with send_message.app.producer_or_acquire() as producer:
            for message_id in ids:
                send_message.apply_async((message_id,), producer=producer)
    else:
        queue_batches(ids)
    return wait_until_sent(len(ids), timeout=timeout) - started


def plain_loop(port: int) -> tuple[float, float]:
    """The same messages, built from their rows as the worker builds them (Django's email
    classes) and sent one after another over one smtplib connection: (seconds, of which
    building). The rows are read before the clock starts."""
    from django.conf import settings

    from balint.outbox.delivery import build_email
    from balint.outbox.models import Message

    rows = list(Message.objects.filter(key__startswith="reminder:").order_by("pk"))
    building = 0.0
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, local_hostname="localhost") as smtp:
        for message in rows:
            before = time.perf_counter()
            data = build_email(message).message(policy=SMTP).as_bytes()
            building += time.perf_counter() - before
            smtp.sendmail(settings.DEFAULT_FROM_EMAIL, message.to, data)
    return time.perf_counter() - started, building


def report(options, timings: dict, checks: list[dict]) -> str:
    from balint.outbox.services import SEND_BATCH_SIZE

    n = timings["reminders"]
    plain, delivery, total = timings["plain"], timings["delivery"], timings["total"]
    smtp_only = plain - timings["building"]
    ok = all(result["ok"] for result in checks)
    lines = [
        f"\n## Reminder fan-out, {n:,} reminders: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- Machine: {machine()}; Celery worker `celery -A balint worker` (prefork, "
        f"concurrency {options.concurrency}) on Redis, production settings, {SEND_BATCH_SIZE} "
        "messages a task over one SMTP connection; the SMTP server is aiosmtpd in its own "
        "process.",
        f"- End to end (the scan renders and inserts the rows, the worker sends them): "
        f"{total:.2f} s, **{n / total:,.0f} messages/s**; the scan's own share "
        f"{timings['scan']:.2f} s",
        f"- Outbox delivery only (the same rows queued as a commit queues them): {delivery:.2f} s, "
        f"**{n / delivery:,.0f} messages/s**",
        f"- Plain loop (each row built into its email as the worker builds it, then smtplib over "
        f"one connection): {plain:.2f} s, **{n / plain:,.0f} messages/s**; of which building "
        f"the emails {timings['building']:.2f} s, SMTP alone {smtp_only:.2f} s "
        f"({n / smtp_only:,.0f} messages/s)",
        f"- **Ratio: delivery {delivery / plain:.2f}× the plain loop's time** "
        f"({delivery / smtp_only:.2f}× its SMTP alone); end to end {total / plain:.2f}×",
    ]
    if "one_per_task" in timings:
        single = timings["one_per_task"]
        lines.insert(
            5,
            f"- For comparison, delivery with one task and one SMTP connection per message (as "
            f"the outbox sent before batches): {single:.2f} s, {n / single:,.0f} messages/s, "
            f"{single / plain:.2f}× the plain loop's time",
        )
    for result in checks:
        lines.append(
            f"- {result['name']}: {result['arrived']:,} arrived, {result['lost']} lost, "
            f"{result['doubled']} doubled, {result['strays']} strays; rows "
            + ", ".join(f"{status} {count:,}" for status, count in result["statuses"].items())
        )
    lines += [f"- Every reminder exactly once: {'yes' if ok else 'NO'}", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=os.cpu_count())
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument(
        "--one-per-task",
        action="store_true",
        help="also time delivery as one task and one SMTP connection per message (as before)",
    )
    parser.add_argument("--no-results", action="store_true", help="do not append to RESULTS.md")
    options = parser.parse_args()
    groups = -(-options.reminders // PER_GROUP)
    url = database_url()
    ensure_database(url, fresh=options.fresh)
    ENVIRONMENT.update({"REDIS_URL": REDIS_URL})
    os.environ["CELERY_QUEUE"] = QUEUE
    OUT.mkdir(exist_ok=True)
    setup_django()
    migrate()
    if bench_groups() != groups:
        if bench_groups():
            sys.exit("The database holds another volume of bench data: run again with --fresh.")
        generate(groups)
    reset()
    empty_broker()
    timeout = max(300.0, options.reminders / 5)
    checks, timings = [], {}

    with worker_and_sink(options, "celery") as sink:
        timings["scan"], timings["total"], timings["reminders"] = end_to_end(timeout)
        say(f"End to end: {timings['reminders']:,} reminders in {timings['total']:.2f} s")
        keys = expected_keys()
        checks.append(check("End to end", sink, keys))
    with worker_and_sink(options, "delivery") as sink:
        timings["delivery"] = delivery_only(timeout)
        say(f"Delivery only: {timings['delivery']:.2f} s")
        checks.append(check("Delivery only", sink, keys))
    if options.one_per_task:
        with worker_and_sink(options, "one-per-task") as sink:
            timings["one_per_task"] = delivery_only(timeout, one_per_task=True)
            say(f"Delivery only, one message a task: {timings['one_per_task']:.2f} s")
            checks.append(check("One message a task", sink, keys))
    with SmtpSink(SMTP_PORTS["plain"], OUT / "reminders-plain.txt") as sink:
        timings["plain"], timings["building"] = plain_loop(SMTP_PORTS["plain"])
        say(f"Plain loop: {timings['plain']:.2f} s")
        checks.append(check("Plain loop", sink, keys))

    text = report(options, timings, checks)
    say(text)
    if not options.no_results:
        append_results(text)
    if timings["reminders"] != groups * PER_GROUP or not all(r["ok"] for r in checks):
        sys.exit("Reminders were lost, doubled or not all due: see above.")


if __name__ == "__main__":
    main()
