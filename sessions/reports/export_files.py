"""XLSX files from rows, and the export log (CSV streams through balint.exports.stream_csv).

XLSX is built with openpyxl's write-only mode into a temporary file on disk, then sent from
there. Its text cells go through the same `spreadsheet_cell` as every CSV download's; numbers,
dates, times and rates are stored as such (each column says its `Cell` kind).
"""

import tempfile
from collections.abc import Iterable
from datetime import date, datetime, time
from enum import StrEnum
from itertools import chain, islice
from typing import IO

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from balint.audit import services as audit
from balint.exports import spreadsheet_cell
from members.models import Programme, User
from sessions.reports.models import ExportLog
from sessions.reports.summary import ReportFilter


class Cell(StrEnum):
    """What a column holds, so that the XLSX file stores it as that type (sums, sorting and
    filters work); the CSV writes the same rows as text."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    PERCENT = "percent"


FORMATS = {
    Cell.DATE: "yyyy-mm-dd",
    Cell.TIME: "hh:mm",
    Cell.DATETIME: "yyyy-mm-dd hh:mm",
    Cell.PERCENT: "0.0%",
}
WIDTHS = {Cell.NUMBER: 10, Cell.DATE: 12, Cell.TIME: 8, Cell.DATETIME: 17, Cell.PERCENT: 10}
TEXT_WIDTH = (12, 40)  # the narrowest and widest a text column is made, in characters
SAMPLE_ROWS = 200  # rows measured for a text column's width


def typed(value: object, kind: Cell) -> object:
    """The value as the spreadsheet should hold it: the rows carry dates, times and rates as the
    CSV's text ("2026-03-05", "18:30", "85.0%"), numbers as numbers; blank stays blank."""
    if value is None or value == "":
        return None
    match kind:
        case Cell.NUMBER:
            return value if isinstance(value, int | float) else float(value)
        case Cell.DATE:
            return value if isinstance(value, date) else date.fromisoformat(value)
        case Cell.TIME:
            return value if isinstance(value, time) else time.fromisoformat(value)
        case Cell.DATETIME:
            return value if isinstance(value, datetime) else datetime.fromisoformat(value)
        case Cell.PERCENT:
            return float(str(value).rstrip("%")) / 100 if isinstance(value, str) else value
    return spreadsheet_cell(value)


def xlsx_file(
    rows: Iterable[Iterable[object]], *, header: list[str], title: str, kinds: list[Cell]
) -> tuple[IO[bytes], int]:
    """An XLSX workbook in a temporary file (rewound), and how many rows it holds: each column
    stored as its kind, with widths that fit and the header row frozen."""
    rows = iter(rows)
    sample = list(islice(rows, SAMPLE_ROWS))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, (name, kind) in enumerate(zip(header, kinds, strict=True), start=1):
        width = WIDTHS.get(kind)
        if width is None:
            longest = max((len(str(row[index - 1] or "")) for row in sample), default=0)
            width = min(max(longest, TEXT_WIDTH[0]), TEXT_WIDTH[1])
        sheet.column_dimensions[get_column_letter(index)].width = max(width, len(name) + 2)
    bold = Font(bold=True)
    sheet.append([_cell(sheet, name, font=bold) for name in header])
    formats = [FORMATS.get(kind) for kind in kinds]
    count = 0
    for row in chain(sample, rows):
        # openpyxl would store "=..." as a formula, and refuses control characters: text goes
        # through spreadsheet_cell (in typed()).
        values = [typed(value, kind) for value, kind in zip(row, kinds, strict=True)]
        sheet.append(
            [
                _cell(sheet, value, number_format=fmt) if fmt and value is not None else value
                for value, fmt in zip(values, formats, strict=True)
            ]
        )
        count += 1
    # Deleted when closed (FileResponse closes it once sent).
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    workbook.save(output)
    output.seek(0)
    return output, count


def _cell(sheet, value: object, *, number_format: str | None = None, font=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    return cell


@transaction.atomic
def log_export(
    *,
    by: User,
    programme: Programme,
    kind: str,
    file_format: str,
    filters: ReportFilter,
    rows: int | None = None,
) -> ExportLog:
    """Record an export: who, what, with which filter, when (and its rows, if known yet)."""
    audit.record(
        actor=by,
        area=audit.Area.EXPORTS,
        action=f"export.{kind}",
        summary=f"Downloaded the {kind} export ({file_format.upper()}){_in_words(filters)}",
        where=programme,
    )
    return ExportLog.objects.create(
        by=by,
        programme=programme,
        kind=kind,
        file_format=file_format,
        filters=filters.describe(),
        rows=rows,
        completed_at=timezone.now() if rows is not None else None,
    )


def complete_export(*, log_id: int, rows: int) -> None:
    """Record that a streamed export sent all its rows."""
    ExportLog.objects.filter(pk=log_id).update(rows=rows, completed_at=timezone.now())


def export_filename(programme: Programme, kind: str, extension: str) -> str:
    stamp = timezone.localdate().isoformat()
    return f"{programme.slug}-{kind}-{stamp}.{extension}"


def _in_words(filters: ReportFilter) -> str:
    """ ", cohort 2026, from 2026-01-01" for the audit log ("" when unfiltered)."""
    described = filters.describe()
    parts = [
        f"{label} {described[key]}"
        for key, label in (("cohort", "cohort"), ("group", "group"), ("from", "from"), ("to", "to"))
        if described[key]
    ]
    return ", " + ", ".join(parts) if parts else ""
