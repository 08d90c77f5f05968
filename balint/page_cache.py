"""Rendered pages kept in the cache, and served again only while they are exact.

One way of making a page fast, for every page that uses it: a view marked `@kept_page` has its
page kept per session (or, for a browser without one, for every such visitor) and per address,
with the version of every table its request read (balint/changes.py). The next time the same
session asks for the same address, the kept page is served if no table it read has changed
since, the session holds what it held then and the clock is still in the same minute;
otherwise the request goes through the site as any other. Nothing is ever served that the
site would not have answered itself:

- A change to any row of any table the request read (its view, its templates, the middleware's
  reading of the person and their roles) moves that table's version, whoever made the change.
- What the clock decides (upcoming or past, a register's lock, "today") is decided again every
  minute: a page is kept for the minute it was begun in. The site's times are whole minutes.
  A view that knows every way the clock enters its page may say until when it stays as it is
  (`kept_until`): the dashboard changes with the clock only when a meeting starts, the finder
  and a group's page when a meeting they show starts (or, on the group page, ends) or a day
  ends in a zone they count days in.
- A page is kept for the session it was rendered for, under a hash of the session's key, and
  with a digest of what the session held: nobody is served another session's page, and a
  session that has changed since (signed out, signed in as somebody else, a new password) is
  answered afresh. A visitor's page (no session) is one for all visitors.
- What belongs to one request is never kept: the CSRF token is rendered as a placeholder and
  filled in for each request (the cookie is set when the browser had none, and renewed when
  the page is rendered); a page that used a CSP nonce or set a cookie (a new session, a
  changed one, a real CSRF token), or that answered anything but 200, is not kept; a request
  with messages waiting is answered afresh (rendering it shows them once).
- A browser that accepts gzip is sent the page compressed, compressed once with that browser's
  own token in it and kept under its CSRF cookie too (see _compressed_for).

PageCacheMiddleware, first in MIDDLEWARE, does all of it, only for the addresses of kept pages
(one URL resolution), so other requests pay nothing. A kept page is served before any other
middleware runs, with the headers they gave it when it was rendered, after one round trip to
the cache: the session, the page and the version of ANY together. While it renders a page, it
records what the request reads and the versions it sees (changes.Versions: read before the
request's first query).
"""

import gzip
import hashlib
import json
import math
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import import_module

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import DEFAULT_CACHE_ALIAS, cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CsrfViewMiddleware,
    get_token,
)
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from balint import changes

ENTRY_KEY = "page:v2:{}"
# An entry is only served in the minute it was rendered in; keeping it a little longer lets the
# cache's own expiry tidy it away. One kept until a time of its view's choosing is kept for at
# most an hour.
ENTRY_SECONDS = 90
UNTIL_SECONDS = 3600
CSRF_PLACEHOLDER = "balint-page-cache-csrf-token"
# Rendering a page: how long its lock lasts at most, and how long others wait for it.
RENDER_SECONDS = 30
WAIT_SECONDS = 10
WAIT_STEP_SECONDS = 0.01
VISITOR = "-"


@dataclass(frozen=True)
class Entry:
    minute: int
    versions: dict[str, str]
    # A digest of what the session held when the page was rendered (None: no session).
    session: str | None
    content: bytes
    headers: list[tuple[str, str]]
    # Compressed, with one browser's CSRF token in it (see _compressed_for), rather than a
    # placeholder; and whether it holds one.
    compressed: bool = False
    uses_token: bool = False
    # Served until this time (a timestamp; inf: whatever the time) rather than in its minute.
    until: float | None = None


def kept_page(view):
    """Mark the view's GET page as one to keep while it is exact (see above)."""
    view.keeps_page = True
    return view


def kept_until(request: HttpRequest, when: datetime | None) -> None:
    """Say that what the clock decides on this page stays as it is until `when` (None: for as
    long as the tables it read don't change), so that it is kept past the minute it was
    rendered in. Only for a view that knows every way the clock enters its page: its own
    code, its templates, the navigation's and the middleware's (none of which reads it)."""
    request.page_cache_until = when.timestamp() if when is not None else math.inf


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        store = import_module(settings.SESSION_ENGINE).SessionStore
        if not hasattr(store, "cache_key") or settings.SESSION_CACHE_ALIAS != DEFAULT_CACHE_ALIAS:
            raise ImproperlyConfigured(
                "Kept pages read the session ahead from the default cache: SESSION_ENGINE must "
                "keep sessions in it (cache or cached_db, SESSION_CACHE_ALIAS 'default')."
            )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "GET" or not _keeps_page(request.path_info):
            return self.get_response(request)
        with changes.reading() as reading:
            return _page(request, reading, self.get_response)


def _keeps_page(path: str) -> bool:
    return _keeps_page_in(get_urlconf() or settings.ROOT_URLCONF, path)


@lru_cache(maxsize=4096)
def _keeps_page_in(urlconf: str, path: str) -> bool:
    """Whether the address is a kept page's (remembered: resolving one costs ~25 µs, a fifth
    of serving a kept page, and the site's addresses don't change while it runs)."""
    try:
        return getattr(resolve(path, urlconf).func, "keeps_page", False)
    except Resolver404:
        return False


@dataclass(frozen=True)
class _Asked:
    """What a kept page's request brings: its entry's key, when it was asked, and its session
    as the cache holds it (None without one, or if the cache holds none)."""

    key: str
    now: float  # a timestamp
    session: dict | None
    visitor: bool = False
    compressed: bool = False

    @property
    def minute(self) -> int:
        return int(self.now // 60)

    def servable(self, entry: Entry | None, reading: changes.Reading) -> Entry | None:
        if (
            entry is not None
            and (self.minute == entry.minute if entry.until is None else self.now < entry.until)
            and entry.session == _digest(self.session)
            and reading.versions.match(entry.versions)
        ):
            return entry
        return None


def _page(request: HttpRequest, reading: changes.Reading, get_response) -> HttpResponse:
    asked, entry = _asked(request, reading)
    if _messages_waiting(request, asked.session):
        # Not rendering a kept page: its CSRF token is a real one.
        response = get_response(request)
        patch_vary_headers(response, ("Accept-Encoding",))
        return response
    if entry := asked.servable(entry, reading):
        return _served(request, entry)
    # One request renders a page at a time; the others asking for it meanwhile wait for what it
    # keeps (a new minute, or a change, otherwise has them all render it at once).
    rendering = cache.add(f"{asked.key}:rendering", True, RENDER_SECONDS)
    if not rendering and (entry := _kept_meanwhile(asked, reading)):
        return _served(request, entry)
    try:
        return _rendered(request, reading, get_response, asked)
    finally:
        if rendering:
            cache.delete(f"{asked.key}:rendering")


def _asked(request: HttpRequest, reading: changes.Reading) -> tuple[_Asked, Entry | None]:
    """Whose page is asked for, and what is kept for them: the session the cookie names is read
    in the same round trip as the page's entry (and the version of ANY)."""
    now, compressed = timezone.now().timestamp(), _compressed_for(request)
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if store.session_key is None:  # none, or malformed: Django treats it as none either
        key = _key(request, VISITOR, compressed)
        asked = _Asked(key, now, None, visitor=True, compressed=bool(compressed))
        return asked, reading.versions.lookup(key)
    key = _key(request, hashlib.sha256(session_key.encode()).hexdigest(), compressed)
    reading.versions.expect(store.cache_key)
    entry = reading.versions.lookup(key)
    session = reading.versions.lookup(store.cache_key)
    return _Asked(key, now, session, compressed=bool(compressed)), entry


_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _compressed_for(request: HttpRequest) -> str:
    """The CSRF secret of a browser whose page is kept compressed ("" if it isn't).

    A page is sent compressed to a browser that accepts it, with the browser's own token
    compressed into it once (each time the page is rendered), rather than compressed again for
    each request. Only when the address has no query: then nothing the request chose is
    reflected in the page, and compression can't be made to give away what else the page holds
    (BREACH). The token is then the same while the page is kept, as it is throughout one page
    under Django's own masking, and the entry is kept under the secret's hash: a browser with
    another CSRF cookie has its own."""
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if (
        request.META.get("QUERY_STRING")
        or not _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        or len(secret) != CSRF_SECRET_LENGTH
        or not set(secret) <= _ALLOWED
    ):
        return ""
    return secret


def _key(request: HttpRequest, whose: str, compressed_for: str = "") -> str:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    key = f"{whose}:{hashlib.sha256(address.encode()).hexdigest()}"
    if compressed_for:
        key += f":gzip:{hashlib.sha256(compressed_for.encode()).hexdigest()}"
    return ENTRY_KEY.format(key)


def _digest(session: dict | None) -> str | None:
    if session is None:
        return None
    data = json.dumps(session, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def _messages_waiting(request: HttpRequest, session: dict | None) -> bool:
    return bool(request.COOKIES.get(CookieStorage.cookie_name)) or bool(
        session and session.get(SessionStorage.session_key)
    )


def placeholders(request: HttpRequest) -> dict:
    """Context processor: while a kept page renders, `{% csrf_token %}` renders a placeholder
    that each request fills in with its own token."""
    if getattr(request, "page_cache_rendering", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


# Django's CSRF middleware, for its request and response steps around a kept page: the token
# comes from the request's cookie (or a new one), and the cookie is set as Django sets it.
_csrf = CsrfViewMiddleware(lambda request: None)


def _with_token(request: HttpRequest, response: HttpResponse, *, rendered: bool) -> HttpResponse:
    """The response with the request's own token in place of the placeholder, and the cookie
    sent when the page was rendered or the secret is new. Django sends the cookie again with
    every page that uses the token, to renew its year; a kept page renews it each time it is
    rendered (at least once in each minute it is asked for), not with every request."""
    if not response.streaming and CSRF_PLACEHOLDER.encode() in response.content:
        token = _token(request).encode()
        _set_content(response, response.content.replace(CSRF_PLACEHOLDER.encode(), token))
        if rendered or _new_secret(request):
            _csrf.process_response(request, response)
    return response


def _new_secret(request: HttpRequest) -> bool:
    """Whether the request's CSRF secret is not the one its cookie holds (none, or malformed)."""
    return request.COOKIES.get(settings.CSRF_COOKIE_NAME) != request.META.get("CSRF_COOKIE")


def _token(request: HttpRequest) -> str:
    """What get_token(request) returns: the request's CSRF secret, masked afresh (Django's
    defence against BREACH), and marked to be sent in the cookie.
    The same mask, drawn with one read of the system's random source rather than one a
    character: Django's draw took a seventh of serving a kept page. Django's CSRF check
    unmasks it as its own (tests/balint/test_page_cache.py posts with it)."""
    if "CSRF_COOKIE" not in request.META:
        return get_token(request)  # a new secret, made and marked by Django
    secret = request.META["CSRF_COOKIE"]
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    drawn: list[int] = []
    while len(drawn) < CSRF_SECRET_LENGTH:
        # Only the bytes below the largest multiple of the alphabet's size: every character
        # of the mask is then equally likely, as in Django's.
        drawn += [b % _CHARS for b in secrets.token_bytes(40) if b < _UNBIASED]
    mask = drawn[:CSRF_SECRET_LENGTH]
    cipher = (_INDEX[c] + m for c, m in zip(secret, mask, strict=True))
    return "".join(CSRF_ALLOWED_CHARS[m] for m in mask) + "".join(
        CSRF_ALLOWED_CHARS[c % _CHARS] for c in cipher
    )


_ALLOWED = frozenset(CSRF_ALLOWED_CHARS)
_CHARS = len(CSRF_ALLOWED_CHARS)
_UNBIASED = 256 - 256 % _CHARS
_INDEX = {character: i for i, character in enumerate(CSRF_ALLOWED_CHARS)}


def _set_content(response: HttpResponse, content: bytes) -> None:
    """Change the content of a response the site has already answered (its length was set by
    CommonMiddleware, after the view)."""
    response.content = content
    response["Content-Length"] = str(len(content))


def _served(request: HttpRequest, entry: Entry, *, rendered: bool = False) -> HttpResponse:
    response = HttpResponse()
    for name, value in entry.headers:
        response[name] = value
    _set_content(response, entry.content)
    if not entry.compressed:
        _csrf.process_request(request)
        return _with_token(request, response, rendered=rendered)
    # Its token is the cookie's own secret's (it is kept under it): the cookie is only renewed.
    if entry.uses_token and rendered:
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
        _csrf.process_response(request, response)
    return response


def _kept_meanwhile(asked: _Asked, reading: changes.Reading) -> Entry | None:
    """The page another request is rendering, once it is kept (None after WAIT_SECONDS)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP_SECONDS)
        if entry := asked.servable(cache.get(asked.key), reading):
            return entry
        if not cache.get(f"{asked.key}:rendering"):  # it ended without keeping one
            return None
    return None


def _rendered(request: HttpRequest, reading: changes.Reading, get_response, asked: _Asked):
    """The site's response, kept if it may be."""
    request.page_cache_rendering = True
    try:
        response = get_response(request)
    finally:
        request.page_cache_rendering = False
    patch_vary_headers(response, ("Accept-Encoding",))
    session = None if asked.visitor else _session_rendered_for(request, asked)
    if not (_keepable(request, response) and (asked.visitor or session is not None)):
        return _with_token(request, response, rendered=True)
    content = response.content
    if response.get("Content-Type", "").startswith("text/html"):
        content = compact(content)
    uses_token = False
    if asked.compressed:
        uses_token = CSRF_PLACEHOLDER.encode() in content
        if uses_token:
            content = content.replace(CSRF_PLACEHOLDER.encode(), _token(request).encode())
        response["Content-Encoding"] = "gzip"
        content = gzip.compress(content, compresslevel=6, mtime=0)
    until = getattr(request, "page_cache_until", None)
    entry = Entry(
        minute=asked.minute,
        versions=reading.versions.of(reading.tables),
        session=session,
        content=content,
        headers=_kept_headers(response),
        compressed=asked.compressed,
        uses_token=uses_token,
        until=until,
    )
    seconds = ENTRY_SECONDS if until is None else min(until - asked.now, UNTIL_SECONDS)
    cache.set(asked.key, entry, max(1, math.ceil(seconds)))
    return _served(request, entry, rendered=True)


def _kept_headers(response: HttpResponse) -> list[tuple[str, str]]:
    return [(k, v) for k, v in response.items() if k.lower() != "content-length"]


def _session_rendered_for(request: HttpRequest, asked: _Asked) -> str | None:
    """The digest of what the session held as the page rendered: as the request read it, or if
    it read none, as it was read ahead."""
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return _digest(dict(session.items()))
    return _digest(asked.session)


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        # A cookie set: the session was made or changed, or the page used the real CSRF token.
        and not response.cookies
        # A LazyNonce is false until something uses it.
        and not getattr(request, "_csp_nonce", None)
    )


# A line's indentation, and the blank lines after it; but not in a textarea or pre, whose
# text is shown as it is.
_INDENTATION = re.compile(rb"(<(textarea|pre)\b.*?</\2\s*>)|\n\s+", re.S | re.I)


def compact(html: bytes) -> bytes:
    """The page without the templates' indentation: a kept page is sent many times, and on the
    roster a fifth of it was indentation. Whitespace between words and tags stays whitespace,
    so the page reads and lays out the same."""
    return _INDENTATION.sub(lambda found: found.group(1) or b"\n", html)


def clear() -> None:
    """End every kept page (e.g. after changing the data outside Django)."""
    changes.clear()
