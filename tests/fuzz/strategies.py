"""Hostile form data for hypothesis: huge, binary-ish, out of range, wrongly typed, or someone
else's id."""

import html
import re
from datetime import date, timedelta

from hypothesis import strategies as st

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n\t\x0b\x0c\x1b[31m",
    "x" * 100_000,
    "é" * 20_000,
    "\U0001f600" * 1_000,
    "\u202egnp.exe",
    '=HYPERLINK("http://evil.example")',
    "=cmd|' /C calc'!A0",
    "'; DROP TABLE groups_balintgroup; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "{{ 7*7 }}{% debug %}",
    "../../../etc/passwd",
    "-1",
    "0",
    "1.5",
    "99999999999999999999999999",
    "-9223372036854775809",
    "1e309",
    "NaN",
    "Infinity",
    "true",
    "on",
    "null",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "25:61",
    "2026-13-01T25:00",
    "not-an-email",
    "a@b",
    "@example.org",
    "Europe/Nowhere",
]


def _plausible() -> list[str]:
    """Values a valid form might hold, so that some examples get past validation."""
    today = date.today()
    return [
        (today + timedelta(days=10)).isoformat(),
        (today - timedelta(days=10)).isoformat(),
        (today + timedelta(days=40)).isoformat(),
        "19:30",
        "90",
        "1",
        "2",
        "75",
        "someone@example.org",
        "mo@example.org",
        "Europe/London",
        "present",
        "absent",
        "apologies",
        "monthly",
        "weekly",
        "in_person",
        "online",
    ]


def values(ids: list[int]) -> st.SearchStrategy:
    """One posted value: a hostile constant, random text, a huge number, someone's id, or
    something a valid form would hold."""
    single = st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from(_plausible()),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(ids).map(str),
    )
    return st.one_of(single, st.lists(single, min_size=2, max_size=3))


def form_data(
    field_names: list[str], ids: list[int], baseline: dict[str, str]
) -> st.SearchStrategy:
    """A POST body: the page's own filled-in form with some fields dropped and some replaced,
    so that hostile values also reach the code behind a form that is otherwise valid."""
    keys = st.one_of(st.sampled_from(field_names), st.text(min_size=1, max_size=12))
    changes = st.dictionaries(keys, values(ids), max_size=len(field_names) + 2)
    dropped = st.sets(st.sampled_from(sorted(baseline))) if baseline else st.just(set())

    def merge(parts):
        keep, change, drop = parts
        base = {key: value for key, value in baseline.items() if keep and key not in drop}
        return {**base, **change}

    return st.tuples(st.booleans(), changes, dropped).map(merge)


NAME = re.compile(rb'name="([^"]+)"')


def field_names_in(page: bytes) -> set[str]:
    return {name.decode() for name in NAME.findall(page)} - {"csrfmiddlewaretoken"}


INPUT = re.compile(rb"<input\b[^>]*>")
SELECT = re.compile(rb'<select\b[^>]*name="([^"]+)"[^>]*>.*?<option[^>]*value="([^"]+)"', re.S)
TEXTAREA = re.compile(rb'<textarea\b[^>]*name="([^"]+)"')
ATTRIBUTE = re.compile(rb'(name|value|type)="([^"]*)"')


def filled_in(page: bytes) -> dict[str, str]:
    """The values a form on the page would send as it stands (first option of each select)."""
    data = {}
    for tag in INPUT.findall(page):
        attributes = {
            key.decode(): html.unescape(value.decode()) for key, value in ATTRIBUTE.findall(tag)
        }
        kind = attributes.get("type", "text")
        if "name" in attributes and kind not in {"submit", "checkbox", "radio"}:
            data[attributes["name"]] = attributes.get("value", "text")
    for name, value in SELECT.findall(page):
        data.setdefault(name.decode(), html.unescape(value.decode()))
    for name in TEXTAREA.findall(page):
        data.setdefault(name.decode(), "Some words.")
    data.pop("csrfmiddlewaretoken", None)
    return data
