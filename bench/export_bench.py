r"""The attendance CSV export against PostgreSQL's own COPY, on 1,000,000 register lines.

One command (PostgreSQL only; the database is the bench's own and may be dropped and re-made):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/balint_bench \
        .venv/bin/python bench/export_bench.py

Options: --rows N (about N register lines, N / 10,000 past meetings per group; default
1,000,000), --fresh (drop and re-create the database first),
--runs N (timed runs of each side, default 2; the best of each is compared).

What it does, in one run:
1. Creates the database if needed, migrates it, and (unless it already holds the same volume)
   generates the benches' shared data with bench/generate.py: 1 programme, 1,000 groups,
   10,000 people, 10 cohorts placed in the groups, weekly, fortnightly or monthly meetings
   (100 past and 6 upcoming per group) and 10 register lines per past meeting, a few more in
   the big groups. Some names start with "=" so the neutralising path is exercised.
2. Times `COPY (<the export's own SQL>) TO STDOUT WITH CSV`, the SQL taken from the very queryset
   the view streams, read to /dev/null.
3. Starts gunicorn as in production (BALINT_ENV=production, DEBUG off, the Dockerfile's
   GUNICORN_CMD_ARGS: gthread workers with 4 threads and a 30 s timeout, which a long stream
   survives because the worker's main thread keeps beating), signs in a programme admin by a
   session cookie, and times GET /programmes/bench/export/attendance.csv streamed to /dev/null.
4. Checks the file has exactly as many rows as the query's COUNT(*) (and as COPY wrote), that
   the export log recorded that number, and reads the worker's peak resident memory (VmHWM).
5. Prints the ratio, both times and the peak memory, and appends them to bench/RESULTS.md.
Targets (an export of every register line must not tie up a worker or exhaust its memory):
export time at most 2x COPY's, peak memory under 150 MB.
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


def report(copies: list, exports: list, cpu: float, peak: float, base: float, counts: dict) -> str:
    copy_best, export_best = min(copies), min(exports)
    ratio = export_best / copy_best
    ok = counts["file"] == counts["query"] == counts["copy"] == counts["log"]
    lines = [
        f"\n## Attendance CSV export vs COPY, {counts['query']:,} rows: "
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
    prepare(Volume(past=options.rows // PEOPLE), fresh=options.fresh)
    queryset, values = export_queryset()
    query_count = queryset.count()
    say(f"The export's query counts {query_count:,} rows.")
    cookie = bench_admin_cookie()
    server = start_gunicorn(PORT)
    try:
        (worker,) = worker_pids(server.pid)
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
        stop(server)
    counts = {
        "file": file_lines - 1,  # the header
        "query": query_count,
        "copy": copy_lines,
        "log": last_logged_rows() or 0,
    }
    text = report(copies, exports, min(cpu), peak, base, counts)
    say(text)
    append_results(text)
    if len(set(counts.values())) != 1:
        sys.exit("The export is not complete: see the row counts above.")


if __name__ == "__main__":
    main()
