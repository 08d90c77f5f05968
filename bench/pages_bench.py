r"""Throughput and latency of the pages people use every week, against a trivial view, in one run.

One command (PostgreSQL only; the database is the bench's own and may be dropped and re-made):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/balint_bench \
        .venv/bin/python bench/pages_bench.py

Options: --duration S (measured seconds per page, default 10), --warm-up S (default 3),
--connections N (default 16), --workers N (default 3, the Dockerfile's WEB_CONCURRENCY),
--only TEXT (only the pages whose name contains it), --fresh (drop the database and generate the
data again), --no-results (print only).

What it does, in one run:
1. Installs wrk with apt-get if it is missing (sudo when not root), makes the data with
   bench/generate.py unless it is there, adds its personas (a programme admin with an
   authenticator, a cohort of 30 trainees) and collects the static files as the Dockerfile does.
2. Chooses each page and its persona from the data: the finder and a group's page as a visitor
   (warm, and with the cache emptied just before), the biggest roster (50 people), the register
   with the most lines (50) and that group's meetings as its leader; My meetings, the signed-in
   home, My record, My groups and a meeting's page as a member of two groups; the programme
   dashboard and the cohort of 30 as the programme's admin. Each is fetched once first and must
   answer 200 and show what it should.
3. Starts gunicorn as in production (BALINT_ENV=production, DEBUG off, WhiteNoise, the cache in
   Redis, database connections kept for 60 s as the default DATABASE_CONN_MAX_AGE) with the
   Dockerfile's GUNICORN_CMD_ARGS: 3 workers of 4 threads. One flag differs: --max-requests=0,
   because at these rates the Dockerfile's recycling (every ~1,000 requests) would restart each
   worker every second or two and the bench would measure Python's start-up. A second gunicorn,
   started the same way, serves the trivial view: bench/trivial_site.py, a view returning "OK"
   behind Django's default middleware.
4. For each page runs wrk (2 threads, 16 connections; a warm-up, then the measured run) on the
   trivial view, then on the page, then on the trivial view again (the faster of its two runs
   is the one compared), with the same Host and X-Forwarded-Proto headers and what a
   returning browser sends: its cookies (its CSRF cookie, and a persona's session) and
   "Accept-Encoding: gzip, deflate, br", as every browser does. One row, for comparison (no
   target), asks for no compression: the dashboard, the biggest page, to a client that
   doesn't. A Lua script counts every answer that is not 200 and reads p50 and p99 from wrk's
   latency histogram. wrk counts the requests it could not send while the server stalled
   (waiting on a render, say) at the run's longest latency, as people arriving meanwhile
   would wait: one stall of 300 ms in a run makes its p99 about 300 ms.
5. Measures each page alone too (one connection, nothing queued: what one request costs), as
   people ask for it again and at addresses no request has used (an unused query parameter), so
   that nothing kept can be served: what rendering it costs.
6. Prints a table (req/s, ratio to the trivial view, p50, p99, the trivial view's p50 and p99,
   both times alone, the page's size and the bytes sent, target met or MISSED) and appends it
   to bench/RESULTS.md with the machine and its load.
Targets (issue 19): at 16 connections each page serves at least 25% of the trivial view's
requests per second (the signed-in home 50%), with p99 under 100 ms; alone, at most 8 ms.
"""

import argparse
import gzip
import http.client
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import redis
from common import (
    ENVIRONMENT,
    REQUEST_HEADERS,
    append_results,
    collect_static,
    load_average,
    machine,
    say,
    session_cookie,
    start_gunicorn,
    stop,
)
from generate import SLUG, Volume, prepare

PORT, TRIVIAL_PORT = 8301, 8302
TRIVIAL = "/trivial"  # bench/trivial_site.py, on its own gunicorn
RATIO_TARGET, HOME_RATIO_TARGET, P99_TARGET_MS, ALONE_TARGET_MS = 0.25, 0.50, 100, 8
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/13")

# Counts the answers that are not 200 (wrk itself counts only those outside 2xx and 3xx, and a
# redirect to the sign-in page is a 302) and prints the numbers the table needs on one line.
LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0; first_status = 0 end
function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
    if first_status == 0 then first_status = status end
  end
end
function done(summary, latency, requests)
  local bad, status = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
    if thread:get("first_status") ~= 0 then status = thread:get("first_status") end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d not_ok=%d status=%d socket_errors=%d p50_us=%d p99_us=%d\\n",
    summary.requests, summary.duration, bad, status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    persona: str  # who asks, in words
    cookie: str = ""
    expect: str = ""  # text the page must contain
    cold: bool = False  # the cache emptied just before the measured run, with no warm-up
    ratio_target: float | None = RATIO_TARGET  # None: a row for comparison only
    # What the browser accepts: gzip, as every browser says; "" for a client that doesn't.
    accept_encoding: str = "gzip, deflate, br"


@dataclass(frozen=True)
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int


def ensure_wrk() -> str:
    """wrk's path, installing Debian's package first if it is missing."""
    if found := shutil.which("wrk"):
        return found
    say("Installing wrk with apt-get ...")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    install = [*sudo, "apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, check=False).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update", "-q"], check=True)
        subprocess.run(install, check=True)
    return shutil.which("wrk") or sys.exit("wrk could not be installed.")


SMALL_COHORT = "Bench cohort of 30"


def bench_people():
    """The personas, made once in the generated data: a programme admin (with an authenticator,
    as production requires of one) and a cohort of 30 trainees placed in their five groups."""
    from allauth.mfa.models import Authenticator
    from django.utils import timezone

    from groups.models import BalintGroup
    from members.models import Programme, User
    from sessions.programmes.models import Cohort, CohortPlacement, Enrolment

    programme = Programme.objects.get(slug=SLUG)
    admin, _ = User.objects.get_or_create(
        email="bench.admin@example.org", defaults={"display_name": "Bench Admin"}
    )
    programme.admins.add(admin)
    Authenticator.objects.get_or_create(
        user=admin, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "bench"}}
    )
    cohort = Cohort.objects.filter(programme=programme, name=SMALL_COHORT).first()
    if cohort is None:
        today = timezone.localdate()
        cohort = Cohort.objects.create(
            programme=programme,
            name=SMALL_COHORT,
            starts_on=today.replace(year=today.year - 2),
            ends_on=today.replace(year=today.year + 1),
            required_percent=75,
        )
    groups = BalintGroup.objects.filter(slug__in=[f"bench-group-{n}" for n in range(1, 6)])
    people = list(User.objects.filter(memberships__group__in=groups).distinct().order_by("pk")[:30])
    if set(cohort.enrolments.values_list("person_id", flat=True)) != {p.pk for p in people}:
        cohort.enrolments.all().delete()
        Enrolment.objects.bulk_create(
            Enrolment(cohort=cohort, person=person, enrolled_on=cohort.starts_on)
            for person in people
        )
    for group in groups:
        CohortPlacement.objects.get_or_create(cohort=cohort, group=group)
    return admin, cohort


def choose_pages() -> list[Page]:
    """Each page and its persona, taken from the generated data."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from groups.models import (
        CURRENT_STATUSES,
        BalintGroup,
        Leadership,
        Membership,
        MembershipStatus,
    )
    from members.models import User
    from sessions.meetings.models import Meeting

    now = timezone.now()
    shown = (
        BalintGroup.objects.filter(status="active", taster_seats__gt=0, audiences__isnull=False)
        .annotate(upcoming=Count("meetings", filter=Q(meetings__starts_at__gt=now)))
        .filter(upcoming__gt=0)
        .order_by("slug")
        .first()
    )
    big = (
        BalintGroup.objects.annotate(
            current=Count("memberships", filter=Q(memberships__status__in=CURRENT_STATUSES))
        )
        .order_by("-current", "slug")
        .first()
    )
    leader = Leadership.objects.get(group=big, role="leader").person
    meeting = (
        Meeting.objects.filter(group=big, ends_at__lt=now)
        .annotate(lines=Count("attendance"))
        .order_by("-lines", "-starts_at")
        .first()
    )
    member = (
        User.objects.annotate(
            groups_in=Count("memberships", filter=Q(memberships__status=MembershipStatus.ACTIVE))
        )
        .filter(groups_in__gte=1, leaderships__isnull=True)
        .order_by("-groups_in", "pk")
        .first()
    )
    in_groups = Membership.objects.filter(person=member, status=MembershipStatus.ACTIVE)
    next_meeting = (
        Meeting.objects.filter(group__in=in_groups.values("group"), starts_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    admin, cohort = bench_people()
    leader_cookie, member_cookie, admin_cookie = map(session_cookie, (leader, member, admin))
    groups_in = in_groups.count()
    visitor = [
        Page("Group finder", "/groups/", "visitor", expect="Find a Balint group"),
        Page(f"Group page ({shown.slug})", f"/groups/{shown.slug}/", "visitor", expect=shown.name),
    ]
    return [
        *visitor,
        *(replace(page, name=f"{page.name}, cache cold", cold=True) for page in visitor),
        Page(
            f"Roster, {big.current} people",
            f"/groups/{big.slug}/roster/",
            "its leader",
            leader_cookie,
            expect="Waitlist",
        ),
        Page(
            f"Register, {meeting.lines} lines",
            f"/meetings/{meeting.pk}/register/",
            "the group's leader",
            leader_cookie,
            expect="never what was said",
        ),
        Page(
            "Group's meetings",
            f"/meetings/groups/{big.slug}/",
            "its leader",
            leader_cookie,
            expect="Meetings",
        ),
        Page(
            f"My meetings ({groups_in} groups)",
            "/meetings/mine/",
            "a member",
            member_cookie,
            expect="My meetings",
        ),
        Page(
            "Home, signed in",
            "/",
            "a member",
            member_cookie,
            expect="My meetings",
            ratio_target=HOME_RATIO_TARGET,
        ),
        Page("My record", "/meetings/record/", "a member", member_cookie, expect="record"),
        Page("My groups", "/groups/mine/", "a member", member_cookie, expect="My groups"),
        Page(
            "Meeting page",
            f"/meetings/{next_meeting.pk}/",
            "a member",
            member_cookie,
            expect=next_meeting.group.name,
        ),
        Page(
            "Programme dashboard",
            f"/programmes/{SLUG}/",
            "its admin",
            admin_cookie,
            expect="Bench programme",
        ),
        Page(
            "Programme dashboard, to a client that asks for no compression",
            f"/programmes/{SLUG}/",
            "its admin",
            admin_cookie,
            expect="Bench programme",
            accept_encoding="identity",
            ratio_target=None,
        ),
        Page(
            f"Cohort page, {cohort.enrolments.count()} trainees",
            f"/programmes/{SLUG}/cohorts/{cohort.pk}/",
            "its admin",
            admin_cookie,
            expect=SMALL_COHORT,
        ),
    ]


# A browser that has been here before sends the CSRF cookie it was given (32 letters).
CSRF_COOKIE = "csrftoken=" + "benchCsrfSecret0123456789abcdefg"[:32]


def headers(page: Page | None) -> dict[str, str]:
    if page is None:  # the trivial view's "OK" is the same either way
        return {**REQUEST_HEADERS, "Accept-Encoding": Page.accept_encoding}
    cookie = "; ".join(filter(None, [CSRF_COOKIE, page.cookie]))
    return {**REQUEST_HEADERS, "Cookie": cookie, "Accept-Encoding": page.accept_encoding}


def check(page: Page) -> tuple[int, int]:
    """Fetch the page once: it must answer 200 and show what it should. Returns its size, and
    the bytes sent (fewer when compressed)."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    connection.request("GET", page.path, headers=headers(page))
    response = connection.getresponse()
    sent = response.read()
    connection.close()
    compressed = response.getheader("Content-Encoding") == "gzip"
    body = (gzip.decompress(sent) if compressed else sent).decode()
    if response.status != 200 or page.expect not in body:
        sys.exit(f"{page.path} as {page.persona} answered {response.status}: {body[:300]!r}")
    return len(body), len(sent)


def wrk(binary: str, script: Path, page: Page | None, seconds: int, connections: int) -> Run:
    """One wrk run on the page (the trivial view for None); its numbers, or exit if any answer
    was not 200."""
    threads = min(2, connections)
    command = [binary, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(script)]
    for name, value in headers(page).items():
        command += ["-H", f"{name}: {value}"]
    url = (
        f"http://127.0.0.1:{TRIVIAL_PORT}{TRIVIAL}"
        if page is None
        else (f"http://127.0.0.1:{PORT}{page.path}")
    )
    command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"^BENCH (.*)$", output, re.M)
    if not found:
        sys.exit(f"wrk printed no result for {url}:\n{output}")
    numbers = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", found.group(1))}
    if numbers["not_ok"] or numbers["socket_errors"]:
        sys.exit(
            f"{url}: {numbers['not_ok']} answers were not 200 (e.g. {numbers['status']}) and "
            f"{numbers['socket_errors']} requests failed or timed out:\n{output}"
        )
    return Run(
        requests_per_second=numbers["requests"] / (numbers["duration_us"] / 1e6),
        p50_ms=numbers["p50_us"] / 1000,
        p99_ms=numbers["p99_us"] / 1000,
        requests=numbers["requests"],
    )


def measure(binary: str, script: Path, page: Page | None, options) -> Run:
    """A warm-up run, then the measured one; for a cold page, the cache emptied instead (the
    sessions are read from the database again too)."""
    if page is not None and page.cold:
        redis.Redis.from_url(CACHE_URL).flushdb()
    else:
        wrk(binary, script, page, options.warm_up, options.connections)
    return wrk(binary, script, page, options.duration, options.connections)


def alone(binary: str, script: Path, page: Page, options) -> tuple[float, float]:
    """The page's median time with one connection, nothing queued (what one request costs):
    as people ask for it again, and with nothing kept (a new address each time)."""
    again = wrk(binary, script, page, options.warm_up, 1)
    # A run that finished no request (the kept page had expired and rendering it took longer
    # than the run) has no median.
    return (again.p50_ms if again.requests else math.nan), rendered_alone(page)


def rendered_alone(page: Page, times: int = 5) -> float:
    """The median time of `times` requests one after another, each at an address no request
    has used: what rendering the page costs (seconds for a heavy page, so timed per request
    rather than in a wrk run that might finish none)."""
    took = []
    for _ in range(times):
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        separator = "&" if "?" in page.path else "?"
        started = time.perf_counter()
        connection.request("GET", f"{page.path}{separator}new={uuid4().hex}", headers=headers(page))
        response = connection.getresponse()
        response.read()
        took.append((time.perf_counter() - started) * 1000)
        connection.close()
        if response.status != 200:
            sys.exit(f"{page.path} at a new address answered {response.status}")
    return sorted(took)[len(took) // 2]


@dataclass(frozen=True)
class Row:
    page: Page
    run: Run
    trivial: Run
    alone: float
    alone_cold: float
    size: int
    sent: int

    @property
    def ratio(self) -> float:
        return self.run.requests_per_second / self.trivial.requests_per_second

    @property
    def met(self) -> bool:
        return (
            self.ratio >= self.page.ratio_target
            and self.run.p99_ms < P99_TARGET_MS
            and (self.page.cold or self.alone <= ALONE_TARGET_MS)
        )


def milliseconds(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1f} ms"


def table(rows: list[Row]) -> str:
    lines = [
        "| page | as | req/s | trivial req/s | ratio | p50 | p99 | trivial p50 / p99 "
        "| alone | alone, nothing kept | size (sent) | target |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        page, run, trivial = row.page, row.run, row.trivial
        if page.ratio_target is None:
            target = "none: for comparison"
        else:
            target = f"≥ {page.ratio_target:.0%}: " + ("met" if row.met else "MISSED")
        lines.append(
            f"| {page.name} `{page.path}` | {page.persona} | {run.requests_per_second:,.0f} "
            f"| {trivial.requests_per_second:,.0f} | {row.ratio:.0%} | {run.p50_ms:.1f} ms "
            f"| {run.p99_ms:.1f} ms | {trivial.p50_ms:.1f} / {trivial.p99_ms:.1f} ms "
            f"| {milliseconds(row.alone)} | {row.alone_cold:.1f} ms "
            f"| {row.size / 1024:.0f} KB ({row.sent / 1024:.0f} KB) "
            f"| {target} |"
        )
    return "\n".join(lines)


def report(rows, options, loads: tuple[str, str]) -> str:
    lines = [
        f"\n## Pages at {options.connections} connections: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- Machine: {machine()}; load average before {loads[0]}, after {loads[1]} "
        "(other work on the machine shares its CPUs).",
        f"- gunicorn as in the Dockerfile ({options.workers} workers × 4 gthread threads, "
        "--max-requests=0), production settings, cache in Redis, DATABASE_CONN_MAX_AGE=60; "
        f"wrk -t2 -c{options.connections}, {options.warm_up} s warm-up then {options.duration} s "
        f"per page; the trivial view (bench/trivial_site.py: Django's default middleware, "
        "on a gunicorn of its own started the same way) measured just before and just after "
        "each page, the faster of the two compared.",
        f"- Data: {Volume().marker}.",
        "",
        table(rows),
        "",
        f"Target: the ratio shown (≥ {RATIO_TARGET:.0%} of the trivial view's req/s, the "
        f"signed-in home ≥ {HOME_RATIO_TARGET:.0%}), p99 < {P99_TARGET_MS} ms and, alone, at "
        f"most {ALONE_TARGET_MS} ms. *Alone*: the page's median with a single connection "
        "(nothing queued), i.e. what one request costs as people ask for it again; *nothing "
        "kept*: the same with every request at a new address (an unused query parameter), so "
        "that nothing kept can be served: what rendering the page costs. *Cache cold* rows: "
        "the visitors' pages measured straight after the cache was emptied (its kept pages, "
        "versions and sessions), with no warm-up.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warm-up", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--only", help="measure only the pages whose name contains this")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--no-results", action="store_true")
    options = parser.parse_args()
    binary = ensure_wrk()
    # This process's own writes (the personas) move the versions gunicorn's pages are kept by.
    ENVIRONMENT["CACHE_URL"] = CACHE_URL
    prepare(Volume(), fresh=options.fresh)
    collect_static()
    pages = [p for p in choose_pages() if not options.only or options.only in p.name]
    env = {"CACHE_URL": CACHE_URL, "DATABASE_CONN_MAX_AGE": "60"}
    arguments = {"workers": options.workers, "extra_args": "--max-requests=0"}
    server = start_gunicorn(PORT, env=env, **arguments)
    trivial_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.trivial_site"}
    trivial_server = start_gunicorn(TRIVIAL_PORT, env=trivial_env, **arguments)
    rows, load_before = [], load_average()
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(LUA)
            script.flush()
            lua = Path(script.name)
            for page in pages:
                size, sent = check(page)
                before = measure(binary, lua, None, options)
                run = measure(binary, lua, page, options)
                after = measure(binary, lua, None, options)
                # The faster of the trivial view's two runs: a hiccup in one cannot flatter the
                # page's ratio.
                trivial = max(before, after, key=lambda r: r.requests_per_second)
                rows.append(Row(page, run, trivial, *alone(binary, lua, page, options), size, sent))
                say(table(rows[-1:]).splitlines()[-1])
                time.sleep(1)
    finally:
        stop(server)
        stop(trivial_server)
    text = report(rows, options, (load_before, load_average()))
    say(text)
    if not options.no_results:
        append_results(text)


if __name__ == "__main__":
    main()
