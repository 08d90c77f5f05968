"""The roster as CSV: streamed row by row, opening cleanly in Excel and LibreOffice."""

import csv
import datetime
from collections.abc import Iterable, Iterator

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from groups.models import BalintGroup, MembershipStatus

# A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ["Name", "Email", "Status", "Asked to join", "Joined", "Left", "Last changed by"]


def neutralise(value: object) -> str:
    """Make a cell safe to open in a spreadsheet: text that could start a formula gets a
    leading apostrophe, which spreadsheets show as plain text (OWASP's advice)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


class _Echo:
    """csv.writer wants a file; this one hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def stream_csv(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    # The byte order mark tells Excel the file is UTF-8 (names with accents stay intact).
    yield "\ufeff"
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def _day(moment: datetime.datetime | None, zone) -> str:
    return timezone.localtime(moment, zone).date().isoformat() if moment else ""


def roster_rows(group: BalintGroup, zone) -> Iterator[list[object]]:
    """Everyone who has been on the group's roster, current members first."""
    yield HEADER
    order = [
        MembershipStatus.ACTIVE,
        MembershipStatus.OFFERED,
        MembershipStatus.WAITLISTED,
        MembershipStatus.REQUESTED,
    ]
    rank = Case(
        *(When(status=status, then=Value(i)) for i, status in enumerate(order)),
        default=Value(len(order)),
        output_field=IntegerField(),
    )
    memberships = (
        group.memberships.select_related("person", "updated_by")
        .order_by(rank, "person__display_name", "requested_at")
        .iterator(chunk_size=500)
    )
    for m in memberships:
        yield [
            m.person.display_name,
            m.person.email,
            m.get_status_display(),
            _day(m.requested_at, zone),
            _day(m.joined_at, zone),
            m.ended_on.isoformat() if m.ended_on else "",
            m.updated_by.display_name if m.updated_by else "",
        ]
