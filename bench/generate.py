r"""The benches' data: groups, people, meetings and registers at real volume, on PostgreSQL.

One command (the database is the bench's own and may be dropped and re-made):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/balint_bench \
        .venv/bin/python bench/generate.py [--fresh]

By default: 1 programme, 1,000 groups, 10,000 people, 106,000 meetings (100 past and 6 upcoming
per group, weekly, fortnightly or monthly by each group's schedule) and about 1,000,000 register
lines, with leaders and co-leaders, memberships and their history, join requests, a waitlist,
audiences, regions, formats, taster seats, taster bookings, apologies and cohorts. Every
hundredth group (50, 150, ...) is big: 50 people on its roster and 50 lines in its last four
registers. bench/bench_data.sql says exactly what is made; everything is made in the database with
INSERT ... SELECT over generate_series, in one transaction (no row goes through Python).

It is safe to run again: if the database already holds data of this volume it says so and does
nothing; if it holds anything else it stops and asks for --fresh, which drops the database and
makes it again. Options: --groups N, --people-per-group N, --past N, --upcoming N, --fresh.
"""

import argparse
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import database_url, ensure_database, migrate, say, setup_django

SQL = (Path(__file__).parent / "bench_data.sql").read_text()
SLUG = "bench"


@dataclass(frozen=True)
class Volume:
    groups: int = 1000
    people_per_group: int = 10
    past: int = 100
    upcoming: int = 6
    cohorts: int = 10

    @property
    def marker(self) -> str:
        """What the programme's description says, so that a second run knows the volume."""
        return "bench/generate.py: " + " ".join(f"{k}={v}" for k, v in asdict(self).items())


def existing_marker() -> str | None:
    """The volume marker of the data already in the database, '' for data of unknown origin,
    None for a database holding no people."""
    from members.models import Programme, User

    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is not None:
        return programme.description
    return "" if User.objects.exists() else None


def model_defaults() -> list[tuple[str, str, str]]:
    """(table, column, SQL literal) for each NOT NULL column whose default lives only in its
    model: bench_data.sql's INSERTs name the columns the data is about, and the columns a later
    feature adds take their model's default while the data is made."""
    from django.apps import apps
    from django.db import connection
    from django.db.models import NOT_PROVIDED

    found = []
    with connection.schema_editor(collect_sql=True) as editor:
        for model in apps.get_models():
            for field in model._meta.local_fields:
                if field.null or field.primary_key or field.db_default is not NOT_PROVIDED:
                    continue
                # A text field's default is "" even when its model names none.
                default = field.get_default()
                if default is None:
                    continue
                value = field.get_db_prep_save(default, connection)
                found.append((model._meta.db_table, field.column, editor.quote_value(value)))
    return found


def generate(volume: Volume) -> None:
    """Make the data in one transaction, then VACUUM ANALYZE so the planner knows the volume
    and index-only scans work."""
    from django.db import connection, transaction

    if volume.people_per_group < 10:
        sys.exit("Each group needs at least 10 people (a leader, a co-leader and members).")
    sql = SQL.format(
        slug=SLUG,
        marker=volume.marker,
        groups=volume.groups,
        people=volume.groups * volume.people_per_group,
        per_group=volume.people_per_group,
        past=volume.past,
        upcoming=volume.upcoming,
        cohorts=volume.cohorts,
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        defaults = model_defaults()
        for table, column, value in defaults:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET DEFAULT {value}')
        for statement in filter(str.strip, sql.split(";\n")):
            cursor.execute(statement)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
        for table, column, _ in defaults:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" DROP DEFAULT')
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    say(f"Generated the bench data in {time.perf_counter() - started:.1f} s.")


def ensure_generated(volume: Volume) -> None:
    """Generate the data unless this volume is already there; stop if other data is."""
    marker = existing_marker()
    if marker == volume.marker:
        say(f"The database already holds the bench data ({volume.marker}).")
        return
    if marker is not None:
        sys.exit(
            "The database holds other data"
            + (f" ({marker})" if marker else "")
            + ": run again with --fresh to drop it and generate anew."
        )
    generate(volume)


def counts() -> str:
    """How many of each thing the database holds, in words."""
    from django.db import connection

    tables = {
        "groups": "groups_balintgroup",
        "people": "members_user",
        "memberships": "groups_membership",
        "meetings": "meetings_meeting",
        "register lines": "meetings_attendancerecord",
        "taster bookings": "tasters_tasterbooking",
    }
    with connection.cursor() as cursor:
        found = []
        for name, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed table names)
            found.append(f"{cursor.fetchone()[0]:,} {name}")
        cursor.execute("SELECT count(*) FROM meetings_meeting WHERE starts_at > now()")
        found.append(f"({cursor.fetchone()[0]:,} meetings upcoming)")
    return ", ".join(found)


def prepare(volume: Volume, *, fresh: bool) -> None:
    """Everything a bench needs before it starts: the database, Django, the schema, the data."""
    ensure_database(database_url(), fresh=fresh)
    setup_django()
    migrate()
    ensure_generated(volume)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    defaults = Volume()
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument("--groups", type=int, default=defaults.groups)
    parser.add_argument("--people-per-group", type=int, default=defaults.people_per_group)
    parser.add_argument("--past", type=int, default=defaults.past, help="past meetings a group")
    parser.add_argument("--upcoming", type=int, default=defaults.upcoming)
    options = parser.parse_args()
    volume = Volume(
        groups=options.groups,
        people_per_group=options.people_per_group,
        past=options.past,
        upcoming=options.upcoming,
    )
    prepare(volume, fresh=options.fresh)
    say(f"The database holds {counts()}.")


if __name__ == "__main__":
    main()
