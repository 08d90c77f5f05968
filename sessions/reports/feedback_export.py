"""The aggregated feedback results as rows for CSV and XLSX: the same figures as the results
page (never a row-level answer), numbers written as numbers."""

import tempfile
from typing import IO

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from balint.audit import services as audit
from balint.exports import spreadsheet_cell
from members.models import Programme, User
from sessions.reports.feedback_results import Results
from sessions.reports.models import ExportKind, ExportLog

HEADER = ["Slice", "Question", "Answered", "Agreed or positive", "Share (%)", "Invited", "Note"]
HIDDEN = "Fewer than 5 answers: no figures shown (they count in the totals)"


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def result_rows(results: Results, *, label: str) -> list[list[object]]:
    """Rows: the response rate, each statement's total, then each round's (cohort's) slice."""
    rate = results.rate
    rows: list[list[object]] = [
        [label, "Response rate", rate.responded, None, _pct(rate.responded, rate.invited),
         rate.invited, ""],
    ]  # fmt: skip
    if not results.shown:
        rows.append([label, "", results.answers, None, None, None, HIDDEN])
    for figure in results.figures:
        share = _pct(figure.agreed, figure.answered)
        rows.append([label, figure.text, figure.answered, figure.agreed, share, None, ""])
    for piece in results.slices:
        name = str(piece.round.cohort or piece.round.group)
        if not piece.shown:
            rows.append([name, "", piece.answers, None, None, piece.rate.invited, HIDDEN])
            continue
        for figure in piece.figures:
            share = _pct(figure.agreed, figure.answered)
            rows.append([name, figure.text, figure.answered, figure.agreed, share, None, ""])
    return rows


def results_xlsx(rows: list[list[object]], *, title: str) -> IO[bytes]:
    """An XLSX workbook (rewound temporary file): text made spreadsheet-safe, numbers typed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(HEADER)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, int | float):
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, float):
                    cell.number_format = "0.0"
                cells.append(cell)
            else:
                cells.append(spreadsheet_cell(value))
        sheet.append(cells)
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    workbook.save(output)
    output.seek(0)
    return output


@transaction.atomic
def log_feedback_export(
    *, by: User, programme: Programme, file_format: str, filters: dict, rows: int
) -> ExportLog:
    """Record a download of the aggregated results: who, which period, when."""
    period = ", ".join(f"{k} {v}" for k, v in filters.items() if v)
    audit.record(
        actor=by,
        area=audit.Area.EXPORTS,
        action="export.feedback",
        summary=f"Downloaded the feedback results ({file_format.upper()}), {period}",
        where=programme,
    )
    return ExportLog.objects.create(
        by=by,
        programme=programme,
        kind=ExportKind.FEEDBACK,
        file_format=file_format,
        filters=filters,
        rows=rows,
        completed_at=timezone.now(),
    )
