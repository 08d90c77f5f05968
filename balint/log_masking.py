"""Secret tokens in URLs never reach a log: calendar feeds, taster invitations, feedback
questionnaires, cohort self-enrolment links, address confirmations, password-reset and
email-confirmation keys. Each opens something without signing in, so a log line with one is a
key left lying around.

The one list of routes below is used by gunicorn's access and error logs
(balint/gunicorn_logging.py) and by Django's logging (`MaskSecretPaths`, on every handler in
settings.LOGGING), so "Not Found: /calendar/<token>.ics" and the access log's request line,
query string and Referer all show `/calendar/***.ics` instead.
"""

import logging
import re

MASK = "***"

# (the path before the secret segment, segments under it that are ordinary pages)
SECRET_ROUTES: list[tuple[str, tuple[str, ...]]] = [
    ("/calendar/", ("new-link", "turn-off")),
    ("/tasters/invite/", ()),
    ("/programmes/feedback/", ("thanks",)),
    ("/programmes/enrol/", ()),
    ("/me/confirm/", ()),
    ("/groups/contact/", ()),
    ("/accounts/password/reset/key/", ("done",)),
    ("/accounts/confirm-email/", ()),
]

# A slash, also percent-encoded (a `?next=` or a Referer may carry the path encoded).
_SLASH = r"(?:/|%2[Ff])"
# Where a secret segment ends: the next slash, the query or fragment, the end of a quoted value,
# whitespace, or the feed's ".ics".
_END = r"(?=\.ics\b|[/?#&\s\"'<>]|%2[Ff]|$)"


def _route_pattern(prefix: str, pages: tuple[str, ...]) -> str:
    path = _SLASH.join(re.escape(part) for part in prefix.split("/"))
    not_a_page = f"(?!(?:{'|'.join(map(re.escape, pages))}){_END})" if pages else ""
    return f"({path}){not_a_page}(?:(?!%2[Ff])[^/?#&\\s\"'<>])+?{_END}"


SECRET_PATH = re.compile("|".join(f"(?:{_route_pattern(*route)})" for route in SECRET_ROUTES))


def mask_secrets(text: str) -> str:
    """`text` with the secret segment of every token route replaced by ***."""
    return SECRET_PATH.sub(lambda found: _kept(found) + MASK, text)


def _kept(found: re.Match) -> str:
    # One group per route (names cannot repeat across alternatives): the one that matched.
    return next(value for value in found.groups() if value is not None)


def mask_value(value):
    return mask_secrets(value) if isinstance(value, str) else value


class MaskSecretPaths(logging.Filter):
    """Masks token routes in a record's message, its arguments and its traceback text (Django's
    "Not Found: %s" from django.request, runserver's request line from django.server)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_value(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_value(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: mask_value(arg) for key, arg in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        return True
