"""Every view of the groups app, from every persona's side.

Allowed roles get 200 or a redirect to where the change is confirmed; visitors are sent to sign
in; others get 404 where they may not know the object exists and 403 where they may see it but
not change it (groups/access.py)."""

import pytest

from groups.models import BalintGroup, GroupStatus, Membership, MembershipStatus
from tests.conftest import PERSONAS
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", 403, 404
# Let through, then the form is refused: 400 with the form and its errors (the data is invalid on
# purpose, so that nothing changes).
INVALID = "invalid"

EVERYONE = dict.fromkeys(PERSONAS, OK)
SIGNED_IN = {**EVERYONE, "anonymous": LOGIN}
MANAGERS = {
    "anonymous": LOGIN,
    "stranger": NOT_FOUND,
    "member": FORBIDDEN,
    "other_member": NOT_FOUND,
    "other_leader": NOT_FOUND,
    "leader": OK,
    "programme_admin": FORBIDDEN,
    "staff": OK,
}
STAFF_ONLY = {**dict.fromkeys(PERSONAS, FORBIDDEN), "anonymous": LOGIN, "staff": OK}
# A closed group is hidden from everyone without a part in it.
CLOSED_GROUP = {
    **dict.fromkeys(PERSONAS, NOT_FOUND),
    "member": OK,
    "leader": OK,
    "programme_admin": OK,
    "staff": OK,
}


@pytest.fixture
def targets(group, everyone, newcomer):
    """Objects the views act on: a request, a waitlist place, an invite and the leadership."""
    request = MembershipFactory(group=group, person=newcomer, status=MembershipStatus.REQUESTED)
    waiting = MembershipFactory(group=group, status=MembershipStatus.WAITLISTED)
    invite = group.invites.create(email="someone@example.org", invited_by=everyone["leader"])
    member_ship = Membership.objects.get(person=everyone["member"])
    return {
        "request": request.pk,
        "waiting": waiting.pk,
        "member": member_ship.pk,
        "invite": invite.pk,
        "leadership": everyone["leader"].leaderships.get().pk,
    }


# name: (method, path with {ids}, POST data, expectations)
VIEWS = {
    "finder": ("get", "/groups/", {}, EVERYONE),
    "finder filtered": ("get", "/groups/?format=online&q=group&page=2", {}, EVERYONE),
    "detail": ("get", "/groups/cotham/", {}, EVERYONE),
    "mine": ("get", "/groups/mine/", {}, SIGNED_IN),
    "create form": ("get", "/groups/new/", {}, STAFF_ONLY),
    "create": ("post", "/groups/new/", {"name": "X"}, {**STAFF_ONLY, "staff": INVALID}),
    "join": ("post", "/groups/cotham/join/", {"note": "Hello"}, SIGNED_IN),
    "accept offer": ("post", "/groups/cotham/accept-place/", {}, SIGNED_IN),
    "leave": ("post", "/groups/cotham/leave/", {}, SIGNED_IN),
    "roster": ("get", "/groups/cotham/roster/", {}, MANAGERS),
    "roster csv": ("get", "/groups/cotham/roster.csv", {}, MANAGERS),
    "add member": ("post", "/groups/cotham/roster/add/", {"email": "a@example.org"}, MANAGERS),
    "approve": ("post", "/groups/cotham/roster/{request}/approve/", {}, MANAGERS),
    "decline": ("post", "/groups/cotham/roster/{request}/decline/", {"message": ""}, MANAGERS),
    "promote": ("post", "/groups/cotham/roster/{waiting}/promote/", {}, MANAGERS),
    "remove": (
        "post",
        "/groups/cotham/roster/{member}/remove/",
        {"ended_on": "2020-01-01"},
        MANAGERS,
    ),
    "withdraw invite": ("post", "/groups/cotham/invites/{invite}/withdraw/", {}, MANAGERS),
    "settings": ("get", "/groups/cotham/settings/", {}, MANAGERS),
    "save settings": (
        "post",
        "/groups/cotham/settings/",
        {"name": ""},
        {**MANAGERS, "leader": INVALID, "staff": INVALID},
    ),
    "appoint leader": (
        "post",
        "/groups/cotham/leaders/add/",
        {"email": "sid@example.org", "role": "co_leader"},
        MANAGERS,
    ),
    "remove leader": ("post", "/groups/cotham/leaders/{leadership}/remove/", {}, MANAGERS),
}


def check(response, expected) -> None:
    if expected == INVALID:
        assert response.status_code == 400, response.status_code
        assert response.context["form"].errors, "a 400 without form errors"
    elif expected == OK:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert not response["Location"].startswith("/accounts/login/")
    elif expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("view", VIEWS)
def test_every_view_answers_each_persona_as_access_rules_say(client_for, targets, view, persona):
    method, path, data, expectations = VIEWS[view]
    client = client_for(persona)

    response = getattr(client, method)(path.format(**targets), data)

    check(response, expectations[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_closed_group_is_hidden_from_those_without_a_part_in_it(
    client_for, group, everyone, persona
):
    BalintGroup.objects.filter(pk=group.pk).update(status=GroupStatus.CLOSED)

    response = client_for(persona).get("/groups/cotham/")

    check(response, CLOSED_GROUP[persona])


def test_someone_waiting_on_a_group_that_closed_can_still_open_it(client, group, newcomer):
    MembershipFactory(group=group, person=newcomer, status=MembershipStatus.WAITLISTED)
    BalintGroup.objects.filter(pk=group.pk).update(status=GroupStatus.CLOSED)
    client.force_login(newcomer)

    response = client.get("/groups/cotham/")

    assert response.status_code == 200
    assert group.room not in response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/groups/online/roster/{request}/approve/"),
        ("get", "/groups/online/roster/"),
        ("get", "/groups/online/settings/"),
        ("post", "/groups/online/invites/{invite}/withdraw/"),
    ],
)
def test_a_leader_cannot_reach_another_group(client_for, targets, method, path):
    response = getattr(client_for("leader"), method)(path.format(**targets))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/groups/online/roster/{request}/approve/",
        "/groups/cotham/roster/999999/approve/",
        "/groups/cotham/leaders/999999/remove/",
    ],
)
def test_objects_of_another_group_are_not_found_through_this_one(
    client_for, targets, other_leader, path
):
    """The other group's leader must not act on this group's rows through their own group."""
    response = client_for("other_leader").post(path.format(**targets))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/groups/cotham/join/", "/groups/cotham/roster/{request}/approve/", "/groups/cotham/leave/"],
)
def test_changes_refuse_get(client_for, targets, path):
    response = client_for("leader").get(path.format(**targets))

    assert response.status_code == 405
