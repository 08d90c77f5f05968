"""A short-lived cache of the public pages (the finder, a group's page) as visitors see them.

These are the pages the public reads most, and what a visitor sees there is the same for every
visitor. Only a visitor's page is ever cached, never a signed-in person's (theirs shows their
roles and, to members, the room and the link), and only when rendering it used no CSRF token and
no CSP nonce and set no cookie; a visitor with messages waiting is always served afresh.

An entry is fresh for PUBLIC_PAGE_SECONDS. For STALE_SECONDS after that, the first visitor to
ask renders the page again while everyone else is still served the old one: an entry expiring
under load does not make every waiting request render the same page at once. (A change to the
data is different: see below.) Every save or delete of a model of the groups app (a group, its
leaders and members) ends all entries at once; the layers above whose data these pages show
(meetings, schedules, taster seats and bookings) call `new_generation` from their own receivers
(sessions/attendance/group_pages.py). That ends them by moving the generation on: straight away,
so that the change's own transaction sees fresh pages, and again on commit, so that a page
rendered from the old rows in between does not outlive the change. Changes that bypass the ORM's
signals (a QuerySet.update(), another process without this module loaded, such as a Celery
worker) show within PUBLIC_PAGE_SECONDS.
"""

import secrets
import time
from collections.abc import Callable
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse

PUBLIC_PAGE_SECONDS = 30
STALE_SECONDS = 30
# How long one request may take to render a stale page before another may try.
REFRESH_LOCK_SECONDS = 10
GENERATION_KEY = "public-pages:generation"

KeyFor = Callable[..., str | None]


def new_generation(**kwargs) -> None:
    """End every cached public page (now and when the current transaction commits)."""
    cache.set(GENERATION_KEY, secrets.token_hex(8), None)
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, secrets.token_hex(8), None))


def _on_change(sender, **kwargs) -> None:
    if sender._meta.app_label == "groups":
        new_generation()


post_save.connect(_on_change, dispatch_uid="groups.public_pages.saved")
post_delete.connect(_on_change, dispatch_uid="groups.public_pages.deleted")
m2m_changed.connect(_on_change, dispatch_uid="groups.public_pages.m2m")


def _for_visitor(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and len(get_messages(request)) == 0
    )


def _shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether the response holds nothing particular to this request."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        # A LazyNonce is false until a template uses it.
        and not getattr(request, "_csp_nonce", None)
    )


def cached_for_visitors(key_for: KeyFor):
    """Serve the view's page to visitors from the cache under `key_for(request, *args,
    **kwargs)`; a key of None (e.g. a free-text search) means this request is not cached."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            key = key_for(request, *args, **kwargs) if _for_visitor(request) else None
            if key is None:
                return view(request, *args, **kwargs)
            key = f"public-pages:{key}"
            found = cache.get_many([GENERATION_KEY, key])
            generation = found.get(GENERATION_KEY)
            entry = found.get(key)
            if entry is not None and entry[0] == generation:
                _, fresh_until, content, content_type = entry
                refresh = time.time() >= fresh_until and cache.add(
                    f"{key}:refreshing", True, REFRESH_LOCK_SECONDS
                )
                if not refresh:
                    return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if _shareable(request, response):
                fresh_until = time.time() + PUBLIC_PAGE_SECONDS
                value = (generation, fresh_until, response.content, response["Content-Type"])
                cache.set(key, value, PUBLIC_PAGE_SECONDS + STALE_SECONDS)
                cache.delete(f"{key}:refreshing")
            return response

        return wrapper

    return decorator
