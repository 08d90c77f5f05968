"""What a person's display name may hold: one line of text that reads as it looks.

A name travels into calendar files (iCal properties end at a line break), spreadsheets (a control
character before `=` once hid a formula from the export's neutraliser), emails and other people's
pages. So names refuse control characters (line breaks, tabs, NUL, escape, the C1 range), the
Unicode line and paragraph separators, and the bidirectional overrides that can make a name read
as another. Joiners (ZWJ, ZWNJ), which some scripts and emoji need, stay allowed."""

import unicodedata

from django.core.exceptions import ValidationError

# Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})

CONTROL_CHARACTER_MESSAGE = (
    "Your name cannot contain line breaks, tabs or other invisible control characters. "
    "Please type it on one line."
)


def has_control_characters(value: str) -> bool:
    """Whether `value` holds a character a display name must not."""
    return any(
        unicodedata.category(character) in REFUSED_CATEGORIES or character in BIDI_CONTROLS
        for character in value
    )


def validate_display_name(value: str) -> None:
    """Raise ValidationError if the name holds a control character."""
    if has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTER_MESSAGE, code="control_characters")


def one_line(value: str) -> str:
    """`value` with each control character, line break and bidi override as a space, and runs of
    spaces as one: for names saved before they were refused, where a line break would break the
    output (an iCalendar property, a header)."""
    cleaned = "".join(
        " "
        if unicodedata.category(character) in REFUSED_CATEGORIES or character in BIDI_CONTROLS
        else character
        for character in value
    )
    return " ".join(cleaned.split())
