r"""The attendance CSV export against PostgreSQL's own COPY, on 1,000,000 register lines.

One command (PostgreSQL only; the database is the bench's own and may be dropped and re-made):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/balint_bench \
        .venv/bin/python bench/export_bench.py

Options: --rows N (default 1,000,000), --fresh (drop and re-create the database first),
--runs N (timed runs of each side, default 2; the best of each is compared).

What it does, in one run:
1. Creates the database if needed, migrates it, and (unless it already holds the same volume)
   generates the data with INSERT ... SELECT over generate_series: 1 programme, 1,000 groups,
   10,000 people, 10 cohorts placed in the groups, 100 weekly meetings per group and 10 register
   lines per meeting. Some names start with "=" so the neutralising path is exercised.
2. Times `COPY (<the export's own SQL>) TO STDOUT WITH CSV`, the SQL taken from the very queryset
   the view streams, read to /dev/null.
3. Starts gunicorn as in production (BALINT_ENV=production, DEBUG off, the Dockerfile's
   GUNICORN_CMD_ARGS: gthread workers with 4 threads and a 30 s timeout, which a long stream
   survives because the worker's main thread keeps beating), signs in a programme admin by a
   session cookie, and times GET /programmes/bench/export/attendance.csv streamed to /dev/null.
4. Checks the file has exactly as many rows as the query's COUNT(*) (and as COPY wrote), that
   the export log recorded that number, and reads the worker's peak resident memory (VmHWM).
5. Prints the ratio, both times and the peak memory, and appends them to bench/RESULTS.md.
Targets (issue 7): export time at most 2x COPY's, peak memory under 150 MB.
"""

import argparse
import http.client
import os
import platform
import re
import secrets
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
GROUPS, PEOPLE_PER_GROUP, COHORTS = 1000, 10, 10
SLUG = "bench"
PORT = 8197

# The bench runs with production settings (DEBUG off, manifest static files not needed by CSV).
ENVIRONMENT = {
    "BALINT_ENV": "production",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
    # Sessions fall back to the database; the bench does not need Redis for the request.
    "CACHE_URL": "locmem://",
    "ALLOWED_HOSTS": "localhost,127.0.0.1",
    "SITE_URL": "https://localhost",
    "SMTP_HOST": "localhost",
    "DATABASE_CONN_MAX_AGE": "0",
    "LOG_LEVEL": "WARNING",
}


def say(message: str) -> None:
    print(message, flush=True)


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database of the bench's own, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/balint_bench"
        )
    return url


def ensure_database(url: str, *, fresh: bool) -> None:
    """Create the database (dropping it first with --fresh) through the server's `postgres` db."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    os.environ.update(ENVIRONMENT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balint.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


GENERATE = (Path(__file__).parent / "export_data.sql").read_text()


def generated_rows() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM meetings_attendancerecord r JOIN meetings_meeting m "
            "ON m.id = r.meeting_id JOIN groups_balintgroup g ON g.id = m.group_id "
            "JOIN members_programme p ON p.id = g.programme_id WHERE p.slug = %s",
            [SLUG],
        )
        return cursor.fetchone()[0]


def generate(rows: int) -> None:
    """Generate the bench's data in one transaction, in the database (no row goes through
    Python), then ANALYZE so the planner knows the volume."""
    from django.db import connection, transaction

    meetings = rows // (GROUPS * PEOPLE_PER_GROUP)
    sql = GENERATE.format(
        slug=SLUG,
        people=GROUPS * PEOPLE_PER_GROUP,
        groups=GROUPS,
        meetings=meetings,
        per_group=PEOPLE_PER_GROUP,
        cohorts=COHORTS,
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in filter(str.strip, sql.split(";\n")):
            cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say(f"Generated {rows:,} register lines in {time.perf_counter() - started:.1f} s.")


def export_queryset():
    from members.models import Programme
    from sessions.reports.export_rows import attendance_queryset, attendance_values
    from sessions.reports.summary import ReportFilter

    programme = Programme.objects.get(slug=SLUG)
    queryset = attendance_queryset(programme=programme, filters=ReportFilter())
    return queryset, attendance_values(queryset)


def time_copy(values) -> tuple[float, int]:
    """COPY (the export's SQL) TO STDOUT WITH CSV, read to /dev/null: seconds and lines."""
    import psycopg
    from django.db import connection

    sql, params = values.query.sql_with_params()
    connection.ensure_connection()
    raw = connection.connection
    literal = psycopg.ClientCursor(raw).mogrify(sql, params)
    lines = 0
    started = time.perf_counter()
    statement = f"COPY ({literal}) TO STDOUT WITH CSV"
    with open(os.devnull, "wb") as sink, raw.cursor() as cursor, cursor.copy(statement) as copy:
        for block in copy:
            sink.write(block)
            lines += bytes(block).count(b"\n")
    elapsed = time.perf_counter() - started
    raw.commit()
    return elapsed, lines


def session_cookie() -> str:
    """A signed-in session for the bench's programme admin (made directly: no login form)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    from members.models import Programme, User

    admin, _ = User.objects.get_or_create(
        email="bench.admin@example.org", defaults={"display_name": "Bench Admin"}
    )
    Programme.objects.get(slug=SLUG).admins.add(admin)
    session = SessionStore()
    session[SESSION_KEY] = str(admin.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def gunicorn_args() -> str:
    """The production image's GUNICORN_CMD_ARGS, read from the Dockerfile (one worker here)."""
    text = (ROOT / "Dockerfile").read_text()
    args = re.search(r'GUNICORN_CMD_ARGS="([^"]*)"', text).group(1)
    return args.replace("--access-logfile=-", "")


def start_gunicorn() -> subprocess.Popen:
    env = {
        **os.environ,
        **ENVIRONMENT,
        "WEB_CONCURRENCY": "1",
        "PORT": str(PORT),
        "GUNICORN_CMD_ARGS": f"{gunicorn_args()} --bind=127.0.0.1:{PORT}",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "balint.wsgi:application"], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def worker_pid(master: int) -> int:
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master}$", text, re.M):
            return int(status.parent.name)
    raise RuntimeError("no gunicorn worker found")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int, field: str) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1)) / 1024


def time_export(cookie: str, query: str = "") -> tuple[float, int, int]:
    """GET the CSV export from gunicorn, streamed to /dev/null: seconds, lines and bytes."""
    path = f"/programmes/{SLUG}/export/attendance.csv{query}"
    headers = {"Cookie": cookie, "Host": "localhost", "X-Forwarded-Proto": "https"}
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    if response.status != 200:
        sys.exit(f"The export answered {response.status}: {response.read()[:500]!r}")
    lines = size = 0
    with open(os.devnull, "wb") as sink:
        while block := response.read(1 << 16):
            sink.write(block)
            lines += block.count(b"\n")
            size += len(block)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed, lines, size


def last_logged_rows() -> int | None:
    from sessions.reports.models import ExportLog

    return ExportLog.objects.order_by("-pk").values_list("rows", flat=True).first()


def append_results(text: str) -> None:
    results = ROOT / "bench" / "RESULTS.md"
    if not results.exists():
        results.write_text("# Benchmark results\n\nEach run appends its numbers below.\n")
    with results.open("a") as file:
        file.write(text)


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"PostgreSQL {version}"
    )


def report(
    rows: int, copies: list, exports: list, cpu: float, peak: float, base: float, counts: dict
) -> str:
    copy_best, export_best = min(copies), min(exports)
    ratio = export_best / copy_best
    ok = counts["file"] == counts["query"] == counts["copy"] == counts["log"]
    lines = [
        f"\n## Attendance CSV export vs COPY, {rows:,} rows: "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- Machine: {machine()}; gunicorn as in the Dockerfile (1 worker, gthread, 4 threads).",
        f"- COPY (same query) TO STDOUT WITH CSV: best {copy_best:.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in copies)})",
        f"- The view, streamed over HTTP: best {export_best:.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in exports)})",
        f"- **Ratio: {ratio:.2f}× COPY** (target ≤ 2×): {'met' if ratio <= 2 else 'MISSED'}",
        f"- CPU time of the serving worker for one export: {cpu:.1f} s (Python's share; the "
        "database works in its own process meanwhile)",
        f"- **Peak memory of the serving worker (VmHWM): {peak:.0f} MB** (after start-up and a "
        f"warm-up request: {base:.0f} MB; target < 150 MB): {'met' if peak < 150 else 'MISSED'}",
        f"- Rows: file {counts['file']:,}, COUNT(*) {counts['query']:,}, COPY {counts['copy']:,}, "
        f"export log {counts['log']:,}: {'complete' if ok else 'MISMATCH'}",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--fresh", action="store_true")
    options = parser.parse_args()
    url = database_url()
    ensure_database(url, fresh=options.fresh)
    setup_django()
    migrate()
    if generated_rows() != options.rows:
        if generated_rows():
            sys.exit("The database holds another volume of bench data: run again with --fresh.")
        generate(options.rows)
    queryset, values = export_queryset()
    query_count = queryset.count()
    say(f"The export's query counts {query_count:,} rows.")
    cookie = session_cookie()
    server = start_gunicorn()
    try:
        worker = worker_pid(server.pid)
        time_export(cookie, "?start=2099-01-01")  # warm-up: imports, connection, templates
        base = memory_mb(worker, "VmHWM")
        copies, exports, cpu = [], [], []
        for run in range(options.runs):
            seconds, copy_lines = time_copy(values)
            copies.append(seconds)
            say(f"COPY run {run + 1}: {seconds:.2f} s, {copy_lines:,} lines")
            before = cpu_seconds(worker)
            seconds, file_lines, size = time_export(cookie)
            exports.append(seconds)
            cpu.append(cpu_seconds(worker) - before)
            say(f"Export run {run + 1}: {seconds:.2f} s, {file_lines:,} lines, {size / 1e6:.0f} MB")
        peak = memory_mb(worker, "VmHWM")
    finally:
        server.terminate()
        server.wait(timeout=30)
    counts = {
        "file": file_lines - 1,  # the header
        "query": query_count,
        "copy": copy_lines,
        "log": last_logged_rows() or 0,
    }
    text = report(options.rows, copies, exports, min(cpu), peak, base, counts)
    say(text)
    append_results(text)
    if len(set(counts.values())) != 1:
        sys.exit("The export is not complete: see the row counts above.")


if __name__ == "__main__":
    main()
