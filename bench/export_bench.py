r"""The attendance CSV export against PostgreSQL's own COPY, on 1,000,000 register lines.

One command (PostgreSQL only; the database is the bench's own and may be dropped and re-made):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/balint_bench \
        .venv/bin/python bench/export_bench.py

Options: --rows N (about N register lines, N / 10,000 past meetings per group; default
1,000,000), --fresh (drop and re-create the database first),
--runs N (timed runs of each of the three, default 2; the best of each is compared).

What it does, in one run:
1. Creates the database if needed, migrates it, and (unless it already holds the same volume)
   generates the benches' shared data with bench/generate.py: 1 programme, 1,000 groups,
   10,000 people, 10 cohorts placed in the groups, weekly, fortnightly or monthly meetings
   (100 past and 6 upcoming per group) and 10 register lines per past meeting, a few more in
   the big groups. Some names start with "=" so the neutralising path is exercised.
2. Times two COPYs, each read to /dev/null:
   a. the export's own SQL, exactly as the view runs it on PostgreSQL
      (`COPY (<sessions/reports/export_copy.py's query>) TO STDOUT (FORMAT binary)`, one row
      per meeting holding its lines of the file, read row by row as the view reads them);
   b. a plain join of the tables the export reads, `COPY (<join>) TO STDOUT WITH CSV`: the
      programme's register lines with their meetings, groups, people and recorders, the same
      rows and the columns the file is made from, as they are stored (no formatting, no
      neutralising, no order, no cohort: the cohort tables are not joined, as the plain join
      would then give a person in two cohorts two rows). The ORM writes it.
3. Starts gunicorn as in production (BALINT_ENV=production, DEBUG off, the Dockerfile's
   GUNICORN_CMD_ARGS: gthread workers with 4 threads and a 30 s timeout, which a long stream
   survives because the worker's main thread keeps beating), signs in a programme admin by a
   session cookie, and times GET /programmes/bench/export/attendance.csv streamed to /dev/null.
4. Checks the file has exactly as many rows as the export query's COUNT(*), as each COPY gave
   and as the export log recorded, and reads the worker's peak resident memory (VmHWM).
5. Prints both ratios (the export against each COPY), the times, the peak memory and the load
   average, and appends them to bench/RESULTS.md.
Targets (an export of every register line must not tie up a worker or exhaust its memory):
export time at most 2x the plain join's COPY, peak memory under 150 MB.
"""

import argparse
import http.client
import os
import sys
import time
from datetime import UTC, datetime

from common import (
    REQUEST_HEADERS,
    append_results,
    cpu_seconds,
    load_average,
    machine,
    memory_mb,
    say,
    session_cookie,
    start_gunicorn,
    stop,
    worker_pids,
)
from generate import SLUG, Volume, prepare

PORT = 8197
# Every group's people have a register line at each of its past meetings.
PEOPLE = Volume().groups * Volume().people_per_group


def export_queries():
    """The export's query as the ORM counts it, its own SQL (what the view COPYs on
    PostgreSQL) and the plain join of the tables it reads."""
    from members.models import Programme
    from sessions.meetings.models import AttendanceRecord
    from sessions.reports.export_copy import attendance_sql
    from sessions.reports.export_rows import attendance_queryset
    from sessions.reports.summary import ReportFilter

    programme = Programme.objects.get(slug=SLUG)
    queryset = attendance_queryset(programme=programme, filters=ReportFilter())
    own = attendance_sql(programme=programme, filters=ReportFilter())
    plain = (
        AttendanceRecord.objects.filter(meeting__group__programme=programme)
        .order_by()  # the model's default ordering would sort it
        .values_list(
            "meeting__group__name",
            "meeting_id",
            "meeting__starts_at",
            "meeting__group__time_zone",
            "person__display_name",
            "person__email",
            "role",
            "status",
            "presented_case",
            "recorded_by__display_name",
            "recorded_at",
        )
    )
    return queryset, own, plain.query.sql_with_params()


def _copy_statement(sql: str, params, options: str) -> str:
    import psycopg
    from django.db import connection

    connection.ensure_connection()
    literal = psycopg.ClientCursor(connection.connection).mogrify(sql, params)
    return f"COPY ({literal}) TO STDOUT {options}"


def time_own_copy(sql: str, params: dict) -> tuple[float, int]:
    """COPY (the export's SQL) TO STDOUT (FORMAT binary), as the view runs it (JIT off), read
    to /dev/null: seconds and the lines of the file its rows hold."""
    from django.db import connection

    statement = _copy_statement(sql, params, "(FORMAT binary)")
    raw = connection.connection
    lines = 0
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink, raw.transaction(), raw.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        with cursor.copy(statement) as copy:
            copy.set_types(["bytea", "int8"])
            for block, count in copy.rows():
                sink.write(block)
                lines += count
    return time.perf_counter() - started, lines


def time_plain_copy(sql: str, params) -> tuple[float, int]:
    """COPY (the plain join) TO STDOUT WITH CSV, read to /dev/null: seconds and lines."""
    from django.db import connection

    statement = _copy_statement(sql, params, "WITH CSV")
    raw = connection.connection
    lines = 0
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink, raw.cursor() as cursor, cursor.copy(statement) as copy:
        for block in copy:
            sink.write(block)
            lines += bytes(block).count(b"\n")
    return time.perf_counter() - started, lines


def bench_admin_cookie() -> str:
    """A signed-in session for the bench's programme admin."""
    from members.models import Programme, User

    admin, _ = User.objects.get_or_create(
        email="bench.admin@example.org", defaults={"display_name": "Bench Admin"}
    )
    Programme.objects.get(slug=SLUG).admins.add(admin)
    return session_cookie(admin)


def time_export(cookie: str, query: str = "") -> tuple[float, int, int]:
    """GET the CSV export from gunicorn, streamed to /dev/null: seconds, lines and bytes."""
    path = f"/programmes/{SLUG}/export/attendance.csv{query}"
    headers = {**REQUEST_HEADERS, "Cookie": cookie}
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


def _runs(times: list[float]) -> str:
    return f"best {min(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})"


def report(times: dict, cpu: float, peak: float, base: float, counts: dict, notes: dict) -> str:
    export = min(times["export"])
    plain, own = export / min(times["plain"]), export / min(times["own"])
    ok = len(set(counts.values())) == 1
    lines = [
        f"\n## Attendance CSV export vs COPY, {counts['query']:,} rows: "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- Machine: {machine()}; load average before {notes['load_before']}, after "
        f"{notes['load_after']}; gunicorn as in the Dockerfile (1 worker, gthread, 4 threads).",
        f"- COPY of a plain join of the tables the export reads (register lines, meetings, "
        f"groups, people; no order, no formatting) TO STDOUT WITH CSV: {_runs(times['plain'])}",
        f"- COPY of the export's own SQL (FORMAT binary, as the view runs it): "
        f"{_runs(times['own'])}",
        f"- The view, streamed over HTTP ({notes['size'] / 1e6:.0f} MB): {_runs(times['export'])}",
        f"- **Ratio: {plain:.2f}× the plain join's COPY** (target ≤ 2×): "
        f"{'met' if plain <= 2 else 'MISSED'}; {own:.2f}× its own SQL's COPY",
        f"- CPU time of the serving worker for one export: {cpu:.1f} s (Python's share; the "
        "database works in its own process meanwhile)",
        f"- **Peak memory of the serving worker (VmHWM): {peak:.0f} MB** (after start-up and a "
        f"warm-up request: {base:.0f} MB; target < 150 MB): {'met' if peak < 150 else 'MISSED'}",
        f"- Rows: file {counts['file']:,}, COUNT(*) {counts['query']:,}, own SQL's COPY "
        f"{counts['own']:,}, plain join's COPY {counts['plain']:,}, export log "
        f"{counts['log']:,}: {'complete' if ok else 'MISMATCH'}",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--fresh", action="store_true")
    options = parser.parse_args()
    prepare(Volume(past=options.rows // PEOPLE), fresh=options.fresh)
    queryset, own, plain = export_queries()
    query_count = queryset.count()
    say(f"The export's query counts {query_count:,} rows.")
    cookie = bench_admin_cookie()
    load_before = load_average()
    server = start_gunicorn(PORT)
    try:
        (worker,) = worker_pids(server.pid)
        time_export(cookie, "?start=2099-01-01")  # warm-up: imports, connection, templates
        base = memory_mb(worker, "VmHWM")
        times = {"own": [], "plain": [], "export": []}
        cpu = []
        for run in range(options.runs):
            seconds, own_lines = time_own_copy(*own)
            times["own"].append(seconds)
            say(f"Own SQL's COPY run {run + 1}: {seconds:.2f} s, {own_lines:,} lines")
            seconds, plain_lines = time_plain_copy(*plain)
            times["plain"].append(seconds)
            say(f"Plain join's COPY run {run + 1}: {seconds:.2f} s, {plain_lines:,} lines")
            before = cpu_seconds(worker)
            seconds, file_lines, size = time_export(cookie)
            times["export"].append(seconds)
            cpu.append(cpu_seconds(worker) - before)
            say(f"Export run {run + 1}: {seconds:.2f} s, {file_lines:,} lines, {size / 1e6:.0f} MB")
        peak = memory_mb(worker, "VmHWM")
    finally:
        stop(server)
    counts = {
        "file": file_lines - 1,  # the header
        "query": query_count,
        "own": own_lines,
        "plain": plain_lines,
        "log": last_logged_rows() or 0,
    }
    notes = {"size": size, "load_before": load_before, "load_after": load_average()}
    text = report(times, min(cpu), peak, base, counts, notes)
    say(text)
    append_results(text)
    if len(set(counts.values())) != 1:
        sys.exit("The export is not complete: see the row counts above.")


if __name__ == "__main__":
    main()
