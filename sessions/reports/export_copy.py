"""The attendance CSV written by PostgreSQL: the same file as attendance_rows() and stream_csv()
make, byte for byte, at a fraction of the cost on a million register lines.

PostgreSQL builds each line of the file (cells neutralised, quoted as Python's csv module quotes
them, dates and times in the group's own zone, CRLF line ends) and joins a meeting's lines into
one value, so the query returns one row per meeting, in file order, with its number of lines.
`COPY ... TO STDOUT (FORMAT binary)` streams those rows, and Python only passes the bytes on.

What makes it cheap, each measured on the bench's million lines (bench/export_bench.py):
- every name, address, group and cohort is neutralised and quoted once (per person, group or
  cohort, not per line): the people's cells are worked out in a LATERAL subquery that PostgreSQL
  memoizes by person;
- the cohort of a line comes from the person's one enrolment (nearly everyone has one) compared
  with the meeting's day and the cohorts placed in its group, instead of a subquery per line;
  people with several enrolments in the programme take the general subquery;
- file order comes from the meetings, sorted first (100,000 rows, not a million), then read with
  their register lines in that order; only a meeting's own lines are sorted, by name;
- one value per meeting instead of one per line: a tenth as many rows cross to Python;
- JIT compilation is off: it took longer to compile this query than it saved.

Only PostgreSQL: elsewhere (SQLite, the dev default) the view writes the file in Python.
"""

import csv
import io
from collections.abc import Callable, Iterator

from django.db import connection, transaction
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from balint.exports import FORMULA_TRIGGERS, spreadsheet_cell
from members.models import Programme
from sessions.reports.export_rows import ATTENDANCE_HEADER, ROLES, STATUSES, YES_NO
from sessions.reports.summary import ReportFilter

CHUNK_BYTES = 1 << 16  # bytes sent to the client at a time (a meeting's lines are never split)

# The control characters spreadsheet_cell() strips (NUL aside, which PostgreSQL's text cannot
# hold), as the characters themselves: a parameter of translate().
STRIPPED = "".join(chr(code) for code in range(1, 32) if ILLEGAL_CHARACTERS_RE.match(chr(code)))
# What makes Python's csv module quote a cell (QUOTE_MINIMAL, the excel dialect), as a bracket
# expression of literal characters.
NEEDS_QUOTES = '[",\r\n]'


def supported() -> bool:
    return connection.vendor == "postgresql"


def attendance_csv(
    *, programme: Programme, filters: ReportFilter, on_complete: Callable[[int], None]
) -> Iterator[bytes]:
    """The attendance CSV in chunks of bytes: a byte order mark, the header, the lines.
    `on_complete(count)` is called once every line has been sent."""
    yield _line(ATTENDANCE_HEADER, bom=True)
    sql, params = attendance_sql(programme=programme, filters=filters)
    count = 0
    # Inside a transaction, so that the settings below are this query's only.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT binary)", params) as copy:
            copy.set_types(["bytea", "int8"])
            parts, size = [], 0
            for lines, rows in copy.rows():
                parts.append(lines)
                size += len(lines)
                count += rows
                if size >= CHUNK_BYTES:
                    yield b"".join(parts)
                    parts, size = [], 0
            if parts:
                yield b"".join(parts)
    on_complete(count)


def _line(cells: list[str], *, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue().encode()


def _cell_text(value: str) -> str:
    """A cell as the csv module writes it, followed by a comma (constants, worked out here)."""
    return _line([value, ""]).decode()[:-2]


def _cell(expression: str) -> str:
    """SQL for the CSV cell of a text `expression`, as spreadsheet_cell() and the csv module
    make it: control characters stripped, a formula trigger behind an apostrophe, quoted if
    need be. Only for what is worked out once per person, group or cohort."""
    clean = f"translate(COALESCE({expression}, ''), %(stripped)s, '')"
    safe = f"CASE WHEN left({clean}, 1) = ANY(%(triggers)s) THEN '''' || {clean} ELSE {clean} END"
    return _quoted(f"({safe})")


def _quoted(expression: str) -> str:
    return (
        f"CASE WHEN {expression} ~ %(needs_quotes)s "
        f"THEN '\"' || replace({expression}, '\"', '\"\"') || '\"' ELSE {expression} END"
    )


def _labels(column: str, labels: dict, params: dict, name: str) -> str:
    """CASE column WHEN value THEN 'Label,' ... (an unknown value goes out as it is)."""
    branches = []
    for index, (value, label) in enumerate(labels.items()):
        params[f"{name}_{index}"] = value
        params[f"{name}_label_{index}"] = _cell_text(str(label))
        branches.append(f"WHEN %({name}_{index})s THEN %({name}_label_{index})s")
    return f"CASE {column} {' '.join(branches)} ELSE {_cell(column)} || ',' END"


def attendance_sql(*, programme: Programme, filters: ReportFilter) -> tuple[str, dict]:
    """The query: one row per meeting with register lines, in file order, holding the
    meeting's lines of the file (bytea) and how many there are."""
    params = {
        "programme": programme.pk,
        "programme_cell": _cell_text(spreadsheet_cell(programme.name)),
        "no_cohort": _cell_text(spreadsheet_cell(programme.name)) + ",",
        "stripped": STRIPPED,
        "triggers": list(FORMULA_TRIGGERS),
        "needs_quotes": NEEDS_QUOTES,
        "yes": _cell_text(YES_NO[True]),
        "no": _cell_text(YES_NO[False]),
    }
    groups, meetings, lines = ["TRUE"], ["TRUE"], ["TRUE"]
    if filters.group is not None:
        params["group"] = filters.group.pk
        groups.append("g.id = %(group)s")
    if filters.start is not None:
        params["start"] = filters.start
        meetings.append("m.day >= %(start)s")
    if filters.end is not None:
        params["end"] = filters.end
        meetings.append("m.day <= %(end)s")
    if filters.cohort is not None:
        # As _in_cohort(): the cohort's groups, its dates, its trainees within their spell.
        params["cohort"] = filters.cohort.pk
        params["cohort_starts"] = filters.cohort.starts_on
        params["cohort_ends"] = filters.cohort.ends_on
        groups.append(
            "EXISTS (SELECT 1 FROM groups_cohortplacement cp"
            " WHERE cp.group_id = g.id AND cp.cohort_id = %(cohort)s)"
        )
        meetings.append("m.day BETWEEN %(cohort_starts)s AND %(cohort_ends)s")
        lines.append(
            "EXISTS (SELECT 1 FROM members_enrolment ce WHERE ce.cohort_id = %(cohort)s"
            " AND ce.person_id = a.person_id AND ce.enrolled_on <= m.day"
            " AND (ce.left_on IS NULL OR ce.left_on >= m.day))"
        )
    role = _labels("a.role", ROLES, params, "role")
    status = _labels("a.status", STATUSES, params, "status")
    # Only fixed fragments are formatted into the text; every value is a parameter.
    sql = f"""
WITH grp AS (
    SELECT g.id, g.name, g.time_zone,
        {_cell("g.name")} || ',' AS name_cell,
        ',' || {_quoted("g.time_zone")} || ',' AS zone_cell,
        ARRAY(SELECT pl.cohort_id FROM groups_cohortplacement pl WHERE pl.group_id = g.id)
            AS placed
    FROM groups_balintgroup g
    WHERE g.programme_id = %(programme)s AND {" AND ".join(groups)}
    OFFSET 0
), meeting AS (
    SELECT * FROM (
        SELECT m.id, m.starts_at, g.name AS group_name, g.time_zone, g.id AS group_id,
            (m.starts_at AT TIME ZONE g.time_zone)::date AS day,
            g.name_cell || to_char(m.starts_at AT TIME ZONE g.time_zone, 'YYYY-MM-DD,HH24:MI')
                || g.zone_cell AS cells,
            g.placed
        FROM meetings_meeting m JOIN grp g ON g.id = m.group_id
    ) m
    WHERE {" AND ".join(meetings)}
    ORDER BY m.starts_at, m.group_name, m.id
    OFFSET 0
)
SELECT convert_to(string_agg(
        CASE
            WHEN p.enrolments = 1 THEN
                CASE WHEN m.day BETWEEN p.spell_from AND p.spell_to
                    AND p.cohort_id = ANY(m.placed) THEN p.in_cohort ELSE %(no_cohort)s END
            WHEN p.enrolments > 1 THEN %(programme_cell)s || COALESCE((
                SELECT {_cell("c.name")}
                FROM members_enrolment e
                JOIN members_cohort c ON c.id = e.cohort_id
                WHERE e.person_id = a.person_id AND c.programme_id = %(programme)s
                    AND c.id = ANY(m.placed)
                    AND m.day BETWEEN c.starts_on AND c.ends_on
                    AND e.enrolled_on <= m.day AND (e.left_on IS NULL OR e.left_on >= m.day)
                ORDER BY c.starts_on DESC, c.id DESC
                LIMIT 1
            ), '') || ','
            ELSE %(no_cohort)s
        END
        || m.cells || p.cells || {role} || {status}
        || CASE WHEN a.presented_case THEN %(yes)s ELSE %(no)s END
        || COALESCE(r.cell, ',') || COALESCE(recorded.cell, E'\\r\\n'),
        '' ORDER BY p.sort_name, a.id
    ), 'UTF8'), count(*)
FROM meeting m
JOIN meetings_attendancerecord a ON a.meeting_id = m.id
JOIN LATERAL (
    SELECT u.display_name AS sort_name,
        {_cell("u.display_name")} || ',' || {_cell("u.email")} || ',' AS cells,
        s.enrolments, s.spell_from, s.spell_to, s.cohort_id, s.in_cohort
    FROM members_user u
    CROSS JOIN LATERAL (
        SELECT count(*) AS enrolments,
            min(greatest(c.starts_on, e.enrolled_on)) AS spell_from,
            min(least(c.ends_on, COALESCE(e.left_on, c.ends_on))) AS spell_to,
            min(c.id) AS cohort_id,
            %(programme_cell)s || min({_cell("c.name")}) || ',' AS in_cohort
        FROM members_enrolment e JOIN members_cohort c ON c.id = e.cohort_id
        WHERE e.person_id = u.id AND c.programme_id = %(programme)s
    ) s
    WHERE u.id = a.person_id
    OFFSET 0
) p ON TRUE
LEFT JOIN LATERAL (
    SELECT {_cell("u.display_name")} || ',' AS cell
    FROM members_user u WHERE u.id = a.recorded_by_id
    OFFSET 0
) r ON TRUE
LEFT JOIN LATERAL (
    -- Lines recorded together share the text, which PostgreSQL can then memoize.
    SELECT to_char(a.recorded_at AT TIME ZONE m.time_zone, 'YYYY-MM-DD HH24:MI') || E'\\r\\n'
        AS cell
    OFFSET 0
) recorded ON TRUE
WHERE {" AND ".join(lines)}
GROUP BY m.starts_at, m.group_name, m.id
ORDER BY m.starts_at, m.group_name, m.id
"""  # noqa: S608
    return sql, params
