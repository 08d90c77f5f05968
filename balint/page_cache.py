"""Rendered pages kept in the cache, and served again only while they are exact.

One way of making a page fast, for every page that uses it: a view decorated with `@kept_page`
has its page kept per person (or for every visitor) and per address, with the version of every
table its request read (balint/changes.py). The next time the same person asks for the same
address, the kept page is served if no table it read has changed since and the clock is still
in the same minute; otherwise the view runs again. Nothing is ever served that the view would
not have rendered itself:

- A change to any row of any table the request read (its view, its templates, the middleware's
  reading of the person and their roles) moves that table's version, whoever made the change.
- What the clock decides (upcoming or past, a register's lock, "today") is decided again every
  minute: a page is kept for the minute it was begun in. The site's times are whole minutes.
- A page is kept for the person it was rendered for, under their id: nobody is served another
  person's page. A visitor's page is one for all visitors.
- What belongs to one request is never kept: the CSRF token is rendered as a placeholder and
  filled in for each request; a page that used a CSP nonce, set a cookie or changed the session,
  or that answered anything but 200, is not kept; a request with messages waiting is served
  afresh (rendering it shows them once).

PageCacheMiddleware, first in MIDDLEWARE, records what the request reads and the versions it
sees (changes.Versions: read before the request's first query, or only those of what is
served from the cache when nothing is queried); it does so only for the addresses of kept
pages (one URL resolution), so other requests pay nothing.
"""

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils import timezone

from balint import changes

ENTRY_KEY = "page:v1:{}"
# An entry is only served in the minute it was rendered in; keeping it a little longer lets the
# cache's own expiry tidy it away.
ENTRY_SECONDS = 90
CSRF_PLACEHOLDER = "balint-page-cache-csrf-token"
# Rendering a page: how long its lock lasts at most, and how long others wait for it.
RENDER_SECONDS = 30
WAIT_SECONDS = 10
WAIT_STEP_SECONDS = 0.01


@dataclass(frozen=True)
class Entry:
    minute: int
    versions: dict[str, str]
    content: bytes
    headers: list[tuple[str, str]]


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "GET" or not _keeps_page(request.path_info):
            return self.get_response(request)
        with changes.reading():
            return self.get_response(request)


def _keeps_page(path: str) -> bool:
    try:
        return getattr(resolve(path).func, "keeps_page", False)
    except Resolver404:
        return False


def _minute() -> int:
    return int(timezone.now().timestamp() // 60)


def _key(request: HttpRequest) -> str:
    return _key_for(request, request.user.pk if request.user.is_authenticated else "-")


def _key_for(request: HttpRequest, person) -> str:
    return ENTRY_KEY.format(f"{person}:{_address(request)}")


def _address(request: HttpRequest) -> str:
    """The request's address, hashed once a request (its page is expected, then looked up)."""
    if not hasattr(request, "page_cache_address"):
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        request.page_cache_address = hashlib.sha256(address.encode()).hexdigest()
    return request.page_cache_address


# What else a kept page's request looks up once its person is known (groups: their roles).
_looked_up_with_person: list[Callable[[str], str]] = []


def also_looked_up(key: Callable[[str], str]) -> None:
    """Register the cache key (a function of the signed-in person's id) of something that kept
    pages' requests look up with changes.kept(), to be read in the same round trip as the
    person and the page."""
    _looked_up_with_person.append(key)


def expect_lookups(request: HttpRequest, person: str) -> None:
    """While the person the session names (by id) is looked up, expect the lookups that follow
    it: their page and what else was registered. A guess: if they turn out not to be signed
    in after all, nothing fetched under their id is used."""
    if (reading := changes.current()) is not None:
        keys = [_key_for(request, person), *(key(person) for key in _looked_up_with_person)]
        reading.versions.expect(*keys)


def placeholders(request: HttpRequest) -> dict:
    """Context processor: while a kept page renders, `{% csrf_token %}` renders a placeholder
    that each request fills in with its own token."""
    if getattr(request, "page_cache_rendering", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def _with_token(request: HttpRequest, content: bytes) -> bytes:
    if CSRF_PLACEHOLDER.encode() in content:
        return content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    return content


def _served(request: HttpRequest, entry: Entry) -> HttpResponse:
    response = HttpResponse(_with_token(request, entry.content))
    for name, value in entry.headers:
        response[name] = value
    return response


def _keepable(request: HttpRequest, response: HttpResponse, *, csrf_before, session_before):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # Something asked for the real token, or the session, while the page rendered.
        and request.META.get("CSRF_COOKIE_NEEDS_UPDATE") == csrf_before
        and getattr(request.session, "modified", False) == session_before
        # A LazyNonce is false until something uses it.
        and not getattr(request, "_csp_nonce", None)
    )


def kept_page(view):
    """Keep the view's GET page per person and address while it is exact (see above)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        reading = changes.current()
        if reading is None or len(get_messages(request)) > 0:
            return view(request, *args, **kwargs)
        key, minute = _key(request), _minute()
        if entry := _valid(reading.versions.lookup(key), reading, minute):
            return _served(request, entry)
        # One request renders a page at a time; the others asking for it meanwhile wait for
        # what it keeps (a new minute, or a change, otherwise has them all render it at once).
        rendering = cache.add(f"{key}:rendering", True, RENDER_SECONDS)
        if not rendering and (entry := _kept_meanwhile(key, reading, minute)):
            return _served(request, entry)
        try:
            return _rendered(view, request, args, kwargs, key=key, minute=minute)
        finally:
            if rendering:
                cache.delete(f"{key}:rendering")

    wrapper.keeps_page = True
    return wrapper


def _valid(entry: Entry | None, reading: changes.Reading, minute: int) -> Entry | None:
    if entry is not None and entry.minute == minute and reading.versions.match(entry.versions):
        return entry
    return None


def _kept_meanwhile(key: str, reading: changes.Reading, minute: int) -> Entry | None:
    """The page another request is rendering, once it is kept (None after WAIT_SECONDS)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP_SECONDS)
        if entry := _valid(cache.get(key), reading, minute):
            return entry
        if not cache.get(f"{key}:rendering"):  # it ended without keeping one
            return None
    return None


def _rendered(view, request: HttpRequest, args, kwargs, *, key: str, minute: int):
    """The view's response, kept if it may be."""
    reading = changes.current()
    csrf_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    session_before = getattr(request.session, "modified", False)
    request.page_cache_rendering = True
    try:
        response = view(request, *args, **kwargs)
        if not getattr(response, "is_rendered", True):
            response.render()
    finally:
        request.page_cache_rendering = False
    if _keepable(request, response, csrf_before=csrf_before, session_before=session_before):
        if response.get("Content-Type", "").startswith("text/html"):
            response.content = compact(response.content)
        headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
        versions = reading.versions.of(reading.tables)
        cache.set(key, Entry(minute, versions, response.content, headers), ENTRY_SECONDS)
    if not response.streaming:
        response.content = _with_token(request, response.content)
    return response


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
