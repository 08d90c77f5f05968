"""Every page of the app, as every persona sees it (a page, a redirect, a 403 or a 404), carries
the security headers and a strict Content-Security-Policy, and no page needs anything that
policy forbids: no inline script, style or event handler."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.fuzz.world import build_world, endpoints, url_kwargs

pytestmark = pytest.mark.django_db

# Beyond the app's own pages: allauth's (sign-in, sign-up, two-factor) and the admin's.
EXTRA_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/email/",
    "/accounts/2fa/",
    "/admin/",
    "/admin/audit/auditevent/",
    "/healthz",
    "/about/",
    "/",
    "/no-such-page/",
]
STRICT_CSP = {
    "default-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(rb"<style\b|\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(rb"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(rb"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def page_urls(world) -> list[str]:
    urls = []
    for endpoint in endpoints():
        if endpoint.name.startswith("account_"):
            continue  # in EXTRA_PAGES
        own = world["own"]
        urls.append(reverse(endpoint.name, kwargs=url_kwargs(endpoint, own, own)))
    return urls + EXTRA_PAGES


def policy(header: str) -> dict[str, str]:
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def check_headers(url: str, response) -> list[str]:
    problems = []
    headers = response.headers
    csp = policy(headers.get("Content-Security-Policy", ""))
    for directive, value in STRICT_CSP.items():
        if csp.get(directive) != value:
            problems.append(f"{url}: CSP {directive} is {csp.get(directive)!r}, not {value!r}")
    script = csp.get("script-src", "")
    # Django adds a nonce only to pages that use one; none of ours needs inline script.
    if not re.fullmatch(r"'self'( 'nonce-[A-Za-z0-9+/_=-]+')?", script):
        problems.append(f"{url}: CSP script-src is {script!r}")
    if "unsafe" in headers.get("Content-Security-Policy", ""):
        problems.append(f"{url}: CSP allows something unsafe")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for name, value in expected.items():
        if headers.get(name) != value:
            problems.append(f"{url}: {name} is {headers.get(name)!r}")
    if "camera=()" not in headers.get("Permissions-Policy", ""):
        problems.append(f"{url}: no Permissions-Policy")
    return problems


def check_body(url: str, response) -> list[str]:
    if "text/html" not in response.get("Content-Type", "") or response.streaming:
        return []
    body = response.content
    found = [
        name
        for name, pattern in [
            ("an inline <script>", INLINE_SCRIPT),
            ("inline style", INLINE_STYLE),
            ("an event handler attribute", EVENT_HANDLER),
            ("a javascript: URL", JS_URL),
        ]
        if pattern.search(body)
    ]
    return [f"{url}: the page has {what}, which the policy blocks" for what in found]


def test_every_page_as_every_persona_is_served_under_a_strict_policy(request, programme_admin):
    world = build_world(request)
    users = {persona: request.getfixturevalue(persona) for persona in PERSONAS[1:]}
    urls = page_urls(world)
    assert len(urls) > 60  # the walk really covers the app
    problems, statuses = [], set()
    for persona in PERSONAS:
        client = Client()
        if persona != "anonymous":
            client.force_login(users[persona])
        for url in urls:
            response = client.get(url)
            statuses.add(response.status_code)
            problems += check_headers(url, response) + check_body(url, response)
            if response.streaming:
                b"".join(response.streaming_content)
    assert problems == []
    assert {200, 302, 404} <= statuses
