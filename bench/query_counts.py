r"""How many SQL queries each page makes with 10 rows and with 1,000: the counts must be equal.

One command (PostgreSQL only):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/balint_bench \
        .venv/bin/python bench/query_counts.py

It works in a small database of its own beside the one named (`balint_bench_queries` here),
made afresh each run, so the benches' big data does not crowd the fixtures. For each size it
builds the same world inside a transaction that is rolled back afterwards: a main group with
N members holding a place (and N/10 each asking to join, waiting and gone), a past meeting
whose register has a line for each of them, and N other groups, each led by someone else, with
a schedule, an audience, a meeting to come (with a taster seat booked by someone else) and a
past one; the member M belongs to all of them, sent apologies for each meeting to come and has a
register line at each past one. Each page is then fetched with Django's test client, through
the whole middleware stack with production settings, its queries counted with
CaptureQueriesContext. The cache is cleared before each request, so a cached page cannot hide
its queries; the rows marked "cached" or "kept" count a second request by the same person,
served from the kept page (balint/page_cache.py).

Prints both counts and EQUAL or DIFFERENT for each page, appends the table to bench/RESULTS.md
(unless --no-results) and exits non-zero if any page's count depends on the number of rows.
"""

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit, urlunsplit

from common import (
    append_results,
    collect_static,
    database_url,
    ensure_database,
    machine,
    migrate,
    say,
    setup_django,
)

SIZES = (10, 1000)


@dataclass
class World:
    """What the pages are asked about, for one size."""

    size: int
    leader: object
    member: object
    main: object  # the main group (its roster, its page)
    register_meeting: object


@dataclass(frozen=True)
class Page:
    name: str
    persona: str  # "visitor", "leader" or "member"
    path: object  # World -> str
    rows: object  # size -> rows the page shows (pagination and limits cap them)
    warm: bool = False  # asked twice, the second counted: what the page costs when kept


PAGES = [
    Page("Group finder", "visitor", lambda w: "/groups/", lambda n: min(n + 1, 12)),
    Page("Group finder", "member", lambda w: "/groups/", lambda n: min(n + 1, 12)),
    Page("Group finder, cached", "visitor", lambda w: "/groups/", lambda n: min(n + 1, 12), True),
    Page("Group page", "visitor", lambda w: f"/groups/{w.main.slug}/", lambda n: 0),
    Page("Group page, cached", "visitor", lambda w: f"/groups/{w.main.slug}/", lambda n: 0, True),
    Page("Group page (roster shown)", "member", lambda w: f"/groups/{w.main.slug}/", lambda n: n),
    Page(
        "Roster",
        "leader",
        lambda w: f"/groups/{w.main.slug}/roster/",
        lambda n: n + 2 * (n // 10) + min(n // 10, 50),
    ),
    Page(
        "Register", "leader", lambda w: f"/meetings/{w.register_meeting.pk}/register/", lambda n: n
    ),
    Page(
        "Roster, kept",
        "leader",
        lambda w: f"/groups/{w.main.slug}/roster/",
        lambda n: n + 2 * (n // 10) + min(n // 10, 50),
        True,
    ),
    Page(
        "Register, kept",
        "leader",
        lambda w: f"/meetings/{w.register_meeting.pk}/register/",
        lambda n: n,
        True,
    ),
    Page(
        "My meetings",
        "member",
        lambda w: "/meetings/mine/",
        lambda n: min(n + 1, 20) + min(n + 1, 15),
    ),
    Page("My groups", "member", lambda w: "/groups/mine/", lambda n: n + 1),
    Page("My record", "member", lambda w: "/meetings/record/", lambda n: min(n + 1, 50)),
    Page(
        "Group's meetings",
        "leader",
        lambda w: f"/meetings/groups/{w.main.slug}/",
        lambda n: 2,
    ),
    Page(
        "Meeting page (apologies shown)",
        "leader",
        lambda w: f"/meetings/{w.register_meeting.pk}/",
        lambda n: n,
    ),
]


def people(prefix: str, count: int) -> list:
    from members.models import User

    return User.objects.bulk_create(
        User(email=f"{prefix}{i}@example.org", display_name=f"Dr {prefix.title()} {i:04}")
        for i in range(count)
    )


def build(size: int) -> World:
    """The world for `size` rows (see the module's docstring), in the current transaction."""
    from django.utils import timezone

    from groups.models import Audience, BalintGroup, Leadership, Membership
    from members.models import User
    from sessions.meetings.models import Apology, AttendanceRecord, Meeting, Schedule
    from sessions.tasters.models import TasterBooking

    now = timezone.now().replace(microsecond=0)
    leader = User.objects.create(email="leader@example.org", display_name="Dr Lead")
    member = User.objects.create(email="member@example.org", display_name="Dr Member")
    others = people("member", size)
    leaders = people("leader", size)
    tasters = people("taster", size)
    main = BalintGroup.objects.create(name="Main group", slug="main", capacity=16)
    groups = [
        main,
        *BalintGroup.objects.bulk_create(
            BalintGroup(
                name=f"Group {i:04}", slug=f"group-{i}", town="Bristol", region="south_west"
            )
            for i in range(size)
        ),
    ]
    audience = Audience.objects.first()
    BalintGroup.audiences.through.objects.bulk_create(
        BalintGroup.audiences.through(balintgroup=group, audience=audience) for group in groups
    )
    Leadership.objects.bulk_create(
        [Leadership(group=main, person=leader, role="leader")]
        + [
            Leadership(group=g, person=p, role="leader")
            for g, p in zip(groups[1:], leaders, strict=True)
        ]
    )
    Schedule.objects.bulk_create(
        Schedule(
            group=group,
            frequency="weekly",
            weekday=1,
            rrule="FREQ=WEEKLY;BYDAY=TU",
            start_date=date(2024, 1, 2),
            start_time=time(19, 30),
            duration_minutes=90,
        )
        for group in groups
    )
    long_ago = now - timedelta(days=400)
    tenth = size // 10
    memberships = [
        Membership(group=main, person=p, status="active", joined_at=long_ago)
        for p in [member, *others[: size - 1]]
    ]
    memberships += [Membership(group=main, person=p, status="requested") for p in tasters[:tenth]]
    memberships += [
        Membership(group=main, person=p, status="waitlisted", waitlisted_at=now)
        for p in tasters[tenth : 2 * tenth]
    ]
    memberships += [
        Membership(group=main, person=p, status="left", joined_at=long_ago, ended_at=now)
        for p in tasters[2 * tenth : 3 * tenth]
    ]
    memberships += [
        Membership(group=g, person=member, status="active", joined_at=long_ago) for g in groups[1:]
    ]
    Membership.objects.bulk_create(memberships)
    past_start, next_start = now - timedelta(days=2), now + timedelta(days=5)
    meetings = Meeting.objects.bulk_create(
        Meeting(group=g, starts_at=start, ends_at=start + timedelta(minutes=90))
        for g in groups
        for start in (past_start, next_start)
    )
    register_meeting, upcoming = meetings[0], meetings[1]
    past = meetings[2::2]
    records = [
        AttendanceRecord(
            meeting=register_meeting,
            person=m.person,
            role="member",
            status="present",
            recorded_at=now,
            recorded_by=leader,
        )
        for m in memberships[:size]
    ]
    records += [
        AttendanceRecord(
            meeting=meeting,
            person=member,
            role="member",
            status="present",
            recorded_at=now,
            recorded_by=leader,
        )
        for meeting in past
    ]
    AttendanceRecord.objects.bulk_create(records)
    Apology.objects.bulk_create(
        [Apology(meeting=upcoming, person=m.person) for m in memberships[1:size]]
        + [Apology(meeting=meeting, person=member) for meeting in meetings[3::2]]
    )
    TasterBooking.objects.bulk_create(
        TasterBooking(meeting=meeting, group=meeting.group, person=p, seat=1)
        for meeting, p in zip(meetings[3::2], tasters, strict=True)
    )
    return World(size, leader, member, main, register_meeting)


def count(world: World, page: Page) -> int:
    """The queries one request for `page` makes, the cache cleared first (for a `warm` page,
    before an uncounted first request)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    persona = {"leader": world.leader, "member": world.member}.get(page.persona)
    if persona is not None:
        client.force_login(persona)
    path = page.path(world)
    cache.clear()
    if page.warm:
        client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        sys.exit(f"{path} as the {page.persona} answered {response.status_code}.")
    return len(queries)


def counts_for(size: int) -> list[int]:
    """Every page's query count in a world of `size` rows, which is then rolled back."""
    from django.db import transaction

    with transaction.atomic():
        world = build(size)
        found = [count(world, page) for page in PAGES]
        transaction.set_rollback(True)
    return found


def table(results: dict[int, list[int]]) -> tuple[str, bool]:
    small, large = SIZES
    lines = [
        f"| page | as | rows shown at {small} | queries | rows shown at {large:,} | queries "
        "| same? |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    all_equal = True
    for index, page in enumerate(PAGES):
        a, b = results[small][index], results[large][index]
        all_equal &= a == b
        lines.append(
            f"| {page.name} | {page.persona} | {page.rows(small)} | {a} | {page.rows(large):,} "
            f"| {b} | {'EQUAL' if a == b else 'DIFFERENT'} |"
        )
    return "\n".join(lines), all_equal


def own_database(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_queries"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-results", action="store_true")
    options = parser.parse_args()
    url = own_database(database_url())
    ensure_database(url, fresh=True)
    os.environ["DATABASE_URL"] = url
    setup_django()
    migrate()
    collect_static()
    results = {size: counts_for(size) for size in SIZES}
    text, all_equal = table(results)
    section = (
        f"\n## Queries per page, {SIZES[0]} rows against {SIZES[1]:,}: "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n- {machine()}; bench/query_counts.py, the "
        "cache cleared before each request.\n\n" + text + "\n"
    )
    say(section)
    if not options.no_results:
        append_results(section)
    if not all_equal:
        sys.exit("Some pages make more queries with more rows: see DIFFERENT above.")


if __name__ == "__main__":
    main()
