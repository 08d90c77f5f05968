"""XLSX files from rows, and the export log (CSV streams through balint.exports.stream_csv).

XLSX is built with openpyxl's write-only mode into a temporary file on disk, then sent from
there. Its cells go through the same `spreadsheet_cell` as every CSV download's.
"""

import tempfile
from collections.abc import Iterable
from typing import IO

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from balint.audit import services as audit
from balint.exports import spreadsheet_cell
from members.models import Programme, User
from sessions.reports.models import ExportLog
from sessions.reports.summary import ReportFilter


def xlsx_file(
    rows: Iterable[Iterable[object]], *, header: list[str], title: str
) -> tuple[IO[bytes], int]:
    """An XLSX workbook in a temporary file (rewound), and how many rows it holds."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(header)
    count = 0
    for row in rows:
        # openpyxl would store "=..." as a formula, and refuses control characters.
        sheet.append([spreadsheet_cell(cell) for cell in row])
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
