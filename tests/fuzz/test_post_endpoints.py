"""Every POST endpoint, fed random and hostile input by every persona: never a server error (the
test client raises the view's exception), and no change from anyone who may not make it."""

import importlib
import inspect
import os

import pytest
from django import forms
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import PERSONAS
from tests.fuzz.strategies import field_names_in, filled_in, form_data
from tests.fuzz.world import build_world, changed_tables, endpoints, snapshot, url_kwargs

FUZZ = settings(
    # FUZZ_EXAMPLES=200 for a long hunt; the default keeps the suite near a minute on 2 cores.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "8")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

ENDPOINTS = endpoints()
# Endpoints where a signed-in person changes their own things (joins, books, sends apologies):
# anyone signed in may cause a change; nobody anonymous may.
SELF_SERVICE = {
    "groups:create",
    "groups:propose",
    "groups:join",
    "groups:accept_offer",
    "groups:leave",
    "meetings:send_apologies",
    "meetings:withdraw_apologies",
    "tasters:book",
    "tasters:cancel",
    "tasters:join",
    "tasters:landing",
    "calendar:create_link",
    "calendar:turn_off",
    "members:profile",
    "reports:feedback",
    # Joining a cohort by link, answering one's own invitation.
    "reports:enrol",
    "reports:invitation_accept",
    "reports:invitation_decline",
}
# A group's history (meetings recorded afterwards): its leaders and its programme's admins.
GROUP_HISTORY = {"reports:past_meeting"}
# allauth's pages: anyone may sign up or sign in; checked for server errors only.
ANYONE = {"account_login", "account_signup", "account_reset_password", "account_email"}
FORM_MODULES = [
    "groups.forms",
    "sessions.meetings.forms",
    "sessions.tasters.forms",
    "sessions.reports.forms",
    "sessions.reports.feedback_forms",
    "sessions.reports.programme_forms",
    "sessions.reports.block_forms",
    "members.forms",
]


def _all_form_fields() -> list[str]:
    names = set()
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__ == module_name:
                names.update(value.base_fields)
    return sorted(names)


FORM_FIELDS = _all_form_fields()


def _variants(endpoint) -> list[str]:
    """own: everything of the personas' group; other: everything of the other group; mixed:
    the personas' group with an id belonging to the other group."""
    if not endpoint.kwargs or endpoint.kwargs == ("token",):
        return ["own"]
    ids = [kwarg for kwarg in endpoint.kwargs if kwarg not in {"slug", "group_slug", "token"}]
    has_slug = "slug" in endpoint.kwargs
    return ["own", "other", "mixed"] if has_slug and ids else ["own", "other"]


def _may_change(endpoint, variant: str) -> set[str]:
    """The personas allowed to change something through this endpoint in this variant."""
    if endpoint.name in ANYONE:
        return set(PERSONAS)
    if endpoint.name in SELF_SERVICE:
        return set(PERSONAS) - {"anonymous"}
    if variant == "mixed":
        return set()
    if endpoint.name in GROUP_HISTORY:  # a group's leaders and its programme's admins
        return (
            {"leader", "programme_admin", "staff"}
            if variant == "own"
            else {"other_leader", "staff"}
        )
    if endpoint.namespace == "reports":
        return {"programme_admin", "staff"} if variant == "own" else {"staff"}
    if variant == "other":
        return {"other_leader", "staff"}
    if endpoint.namespace == "tasters":  # a programme's admins invite tasters too
        return {"leader", "programme_admin", "staff"}
    return {"leader", "staff"}


def _client(users: dict, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(users[persona])
    return client


def _url(endpoint, world, variant: str) -> str:
    outer = world["other"] if variant == "other" else world["own"]
    inner = world["own"] if variant == "own" else world["other"]
    return reverse(endpoint.name, kwargs=url_kwargs(endpoint, outer, inner))


def _ids(world) -> list[int]:
    ids = set()
    for side in world.values():
        for value in vars(side).values():
            if hasattr(value, "pk"):
                ids.add(value.pk)
        ids.update(side.group.memberships.values_list("person_id", flat=True))
    return sorted(ids)


def _form(endpoint, world, users) -> tuple[list[str], dict[str, str]]:
    """The form's fields and values as its page shows them to a manager; every form field we
    have when there is no page."""
    names, baseline = set(), {}
    if endpoint.name not in ANYONE:
        for persona in ("staff", "leader"):
            response = _client(users, persona).get(_url(endpoint, world, "own"))
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                names |= field_names_in(response.content)
                baseline.update(filled_in(response.content))
    return sorted(names) or FORM_FIELDS, baseline


@pytest.fixture
def world(request, programme_admin):
    world = build_world(request)
    users = {persona: request.getfixturevalue(persona) for persona in PERSONAS[1:]}
    return world, users


def _accepts_post(endpoint, world, users) -> bool:
    response = _client(users, "staff").post(_url(endpoint, world, "own"), {})
    assert response.status_code < 500
    return response.status_code != 405


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_hostile_posts_never_fail_and_change_only_what_they_may(endpoint, world):
    world, users = world
    if not _accepts_post(endpoint, world, users):
        return
    ids = _ids(world)
    names, baseline = _form(endpoint, world, users)
    personas = ["anonymous", "stranger"] if endpoint.name in ANYONE else PERSONAS

    @FUZZ
    @given(
        persona=st.sampled_from(personas),
        variant=st.sampled_from(_variants(endpoint)),
        data=form_data(names, ids, baseline),
    )
    def post(persona, variant, data):
        cache.clear()  # rate limits would otherwise turn later examples into 429s
        client = _client(users, persona)
        before = snapshot()
        response = client.post(_url(endpoint, world, variant), data)
        assert response.status_code < 500
        if persona not in _may_change(endpoint, variant):
            assert changed_tables(before, snapshot()) == [], (persona, variant, response)

    post()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_other_methods_never_fail(endpoint, world):
    """GET to a POST-only endpoint is a 405 or a page; PUT and DELETE change nothing either."""
    world, users = world
    before = snapshot()
    for persona in ("anonymous", "stranger", "leader"):
        client = _client(users, persona)
        for variant in _variants(endpoint):
            url = _url(endpoint, world, variant)
            assert client.get(url).status_code < 500, (persona, variant)
            assert client.delete(url).status_code < 500, (persona, variant)
    assert client.put(url).status_code < 500
    # Following a taster link records that it was opened; that is the one change a GET makes.
    expected = ["tasters.TasterInvitation"] if endpoint.name == "tasters:landing" else []
    assert changed_tables(before, snapshot()) == expected
