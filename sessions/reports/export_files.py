"""CSV and XLSX files from rows, and the export log.

CSV streams: rows are written as they are read, a batch at a time, so memory stays flat and the
first bytes leave at once (no worker timeout on a long export). XLSX is built with openpyxl's
write-only mode into a temporary file on disk, then sent from there.

Both neutralise cells that a spreadsheet would run as a formula, with the one function the roster
export uses (groups.csv_export.neutralise).
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import batched
from typing import IO

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from balint.audit import services as audit
from groups.csv_export import neutralise
from members.models import Programme, User
from sessions.reports.models import ExportLog
from sessions.reports.summary import ReportFilter

BATCH_ROWS = 1000  # CSV rows per chunk sent to the client: few writes, small buffers


def csv_chunks(
    rows: Iterable[Iterable[object]],
    *,
    header: list[str],
    on_complete: Callable[[int], None] | None = None,
    neutralised: bool = False,
) -> Iterator[str]:
    """The CSV text in chunks: a byte order mark (so Excel reads UTF-8), the header, the rows.
    Every cell is neutralised unless the rows say they are (`neutralised=True`).
    `on_complete(count)` is called once every row has been written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    count = 0
    for batch in batched(rows, BATCH_ROWS):
        writer.writerows(batch if neutralised else ([neutralise(c) for c in r] for r in batch))
        count += len(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
    if on_complete is not None:
        on_complete(count)


def xlsx_cell(value: object) -> str:
    """A cell for openpyxl: neutralised (it would store "=..." as a formula) and without the
    control characters the XLSX format cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))


def xlsx_file(
    rows: Iterable[Iterable[object]], *, header: list[str], title: str
) -> tuple[IO[bytes], int]:
    """An XLSX workbook in a temporary file (rewound), and how many rows it holds."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([xlsx_cell(cell) for cell in row])
        count += 1
    # Deleted when closed (FileResponse closes it once sent).
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    workbook.save(output)
    output.seek(0)
    return output, count


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
