"""Roster cells cannot carry formulas into Excel or LibreOffice (CSV injection)."""

import pytest

from balint.exports import spreadsheet_cell, stream_csv


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+44 117 000", "'+44 117 000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Dr Sam Patel", "Dr Sam Patel"),
        ("sam+balint@example.org", "sam+balint@example.org"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_cells_that_could_start_a_formula_are_neutralised(value, safe):
    assert spreadsheet_cell(value) == safe


def test_the_stream_starts_with_a_byte_order_mark_and_quotes_properly():
    text = "".join(stream_csv([["Name", "Note"], ['Dr "Sam", GP', "=cmd|' /C calc'!A0"]]))

    lines = text.splitlines(keepends=True)
    assert lines[0] == "\ufeffName,Note\r\n"
    assert lines[1] == '"Dr ""Sam"", GP",\'=cmd|\' /C calc\'!A0\r\n'
    assert len(lines) == 2
