"""Roster cells cannot carry formulas into Excel or LibreOffice (CSV injection)."""

import pytest

from groups.csv_export import neutralise, stream_csv


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
    assert neutralise(value) == safe


def test_the_stream_starts_with_a_byte_order_mark_and_quotes_properly():
    lines = list(stream_csv([["Name", "Note"], ['Dr "Sam", GP', "=cmd|' /C calc'!A0"]]))

    assert lines[0] == "\ufeff"
    assert lines[1] == "Name,Note\r\n"
    assert lines[2] == '"Dr ""Sam"", GP",\'=cmd|\' /C calc\'!A0\r\n'
