"""Cells that are safe to open in a spreadsheet, and CSV streamed in batches: what every
download on the site (roster, attendance record, programme exports, personal data) shares.

CSV streams: rows are written as they are read, a batch at a time, so memory stays flat and the
first bytes leave at once (no worker timeout on a long export).
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from itertools import batched

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BATCH_ROWS = 1000  # CSV rows per chunk sent to the client: few writes, small buffers


def spreadsheet_cell(value: object) -> str:
    """A cell safe to open in a spreadsheet: without the control characters XLSX cannot hold,
    and text that could start a formula behind a leading apostrophe, which spreadsheets show as
    plain text (OWASP's advice).

    The characters go first and the apostrophe last: stripping after neutralising would turn
    "\\x01=HYPERLINK(...)" into a live formula, because the check saw \\x01 where the
    spreadsheet then sees "="."""
    text = "" if value is None else ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def needs_neutralising(text: str) -> bool:
    """Whether `spreadsheet_cell` might change `text`; cheap enough for a loop over a million
    rows, which hands only these to it (a control character is not printable)."""
    return text.startswith(FORMULA_TRIGGERS) or not text.isprintable()


def stream_csv(
    rows: Iterable[Iterable[object]],
    *,
    header: list[str] | None = None,
    on_complete: Callable[[int], None] | None = None,
    neutralised: bool = False,
) -> Iterator[str]:
    """The CSV text in chunks: a byte order mark (so Excel reads UTF-8 and accents stay intact),
    the header if given, the rows. Every cell goes through `spreadsheet_cell` unless the rows
    say they did already (`neutralised=True`). `on_complete(count)` is called once every row
    has been written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    if header is not None:
        writer.writerow(header)
    count = 0
    for batch in batched(rows, BATCH_ROWS):
        if not neutralised:
            batch = [[spreadsheet_cell(cell) for cell in row] for row in batch]
        writer.writerows(batch)
        count += len(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
    if on_complete is not None:
        on_complete(count)
