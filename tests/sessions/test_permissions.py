"""Every meetings view, for every persona: allowed roles get 200/302, the others 404 where they may
not know the object exists and 403 where they may see it but not change it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupStatus
from tests.conftest import PERSONAS
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

LOGIN = "login"  # anonymous: redirected to sign in

# The group's managers' pages: outsiders may not know the management area exists.
MANAGED_GROUP = {
    "anonymous": LOGIN,
    "stranger": 404,
    "member": 403,
    "other_member": 404,
    "other_leader": 404,
    "leader": 200,
    "programme_admin": 403,
    "staff": 200,
}
# A meeting of an open group is public (its date is on the group page): 403 for changes.
MANAGED_MEETING = {**MANAGED_GROUP, "stranger": 403, "other_member": 403, "other_leader": 403}
APOLOGIES = {
    **{persona: 403 for persona in PERSONAS},
    "anonymous": LOGIN,
    "member": 302,
    "leader": 302,
}
REGISTER_READ = {**MANAGED_MEETING, "programme_admin": 200}
SIGNED_IN = {persona: 200 for persona in PERSONAS} | {"anonymous": LOGIN}


def success(expected, code: int):
    """The status an allowed persona gets for a page answering `code` on success."""
    return code if expected == 200 else expected


def move_data(meeting) -> dict:
    day = (meeting.local_starts_at + timedelta(days=1)).date()
    return {"day": day.isoformat(), "start": "18:00", "duration_minutes": "60"}


SCHEDULE_DATA = {
    "frequency": "monthly",
    "weekday": "1",
    "week_of_month": "2",
    "start_time": "19:30",
    "duration_minutes": "90",
    "start_date": "2026-01-01",
}


@pytest.fixture
def started_meeting(group, leader, member):
    group.memberships.update(joined_at=timezone.now() - timedelta(days=30))
    return MeetingFactory(group=group, starts_at=timezone.now() - timedelta(minutes=30))


def check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected, response.content[:500]


def all_personas(request):
    for persona in PERSONAS:
        if persona != "anonymous":
            request.getfixturevalue(persona)


CASES = [
    # (name, method, url, data, expected by persona, success code for allowed personas)
    ("group meetings", "get", "group_meetings", None, MANAGED_GROUP, 200),
    ("schedule form", "get", "schedule", None, MANAGED_GROUP, 200),
    ("schedule preview", "post", "schedule", {**SCHEDULE_DATA, "preview": "1"}, MANAGED_GROUP, 200),
    ("schedule save", "post", "schedule", {**SCHEDULE_DATA, "save": "1"}, MANAGED_GROUP, 302),
    ("add extra form", "get", "add_extra", None, MANAGED_GROUP, 200),
    ("meeting page", "get", "detail", None, {p: 200 for p in PERSONAS}, 200),
    ("cancel form", "get", "cancel", None, MANAGED_MEETING, 200),
    ("cancel", "post", "cancel", {"reason": "Snow."}, MANAGED_MEETING, 302),
    ("move form", "get", "move", None, MANAGED_MEETING, 200),
    ("move", "post", "move", "move", MANAGED_MEETING, 302),
    ("send apologies", "post", "send_apologies", {}, APOLOGIES, 302),
    ("withdraw apologies", "post", "withdraw_apologies", {}, APOLOGIES, 302),
    ("my meetings", "get", "mine", None, SIGNED_IN, 200),
    ("my record", "get", "record", None, SIGNED_IN, 200),
    ("my record CSV", "get", "record_csv", None, SIGNED_IN, 200),
]


def url_for(name: str, group, meeting) -> str:
    if name in ("group_meetings", "schedule", "add_extra"):
        return reverse(f"meetings:{name}", kwargs={"slug": group.slug})
    if name in ("mine", "record", "record_csv"):
        return reverse(f"meetings:{name}")
    return reverse(f"meetings:{name}", kwargs={"pk": meeting.pk})


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "method", "url_name", "data", "expected", "code"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_permission_matrix(
    client_for, request, group, meeting, persona, name, method, url_name, data, expected, code
):
    all_personas(request)
    client = client_for(persona)
    url = url_for(url_name, group, meeting)
    if data == "move":
        data = move_data(meeting)

    response = getattr(client, method)(url, data) if method == "post" else client.get(url)

    check(response, success(expected[persona], code))


@pytest.mark.parametrize("persona", PERSONAS)
def test_add_extra_meeting_permissions(client_for, request, group, persona):
    all_personas(request)
    day = (timezone.localdate() + timedelta(days=20)).isoformat()

    response = client_for(persona).post(
        reverse("meetings:add_extra", kwargs={"slug": group.slug}),
        {"day": day, "start": "12:30", "duration_minutes": "60"},
    )

    check(response, success(MANAGED_GROUP[persona], 302))


@pytest.mark.parametrize("persona", PERSONAS)
def test_register_permissions(client_for, request, started_meeting, persona, leader, member):
    all_personas(request)
    client = client_for(persona)
    url = reverse("meetings:register", kwargs={"pk": started_meeting.pk})

    check(client.get(url), REGISTER_READ[persona])
    data = {f"status_{leader.pk}": "present", f"status_{member.pk}": "late"}
    write = {**REGISTER_READ, "programme_admin": 403}
    check(client.post(url, data), success(write[persona], 302))


@pytest.mark.parametrize("persona", PERSONAS)
def test_meetings_of_a_closed_group_are_hidden_from_outsiders(
    client_for, request, group, meeting, persona
):
    all_personas(request)
    group.status = GroupStatus.CLOSED
    group.save()

    response = client_for(persona).get(meeting.get_absolute_url())

    insiders = {"member", "leader", "programme_admin", "staff"}
    assert response.status_code == (200 if persona in insiders else 404)


def test_unknown_meetings_and_groups_are_404(client_for, leader):
    client = client_for("leader")

    assert client.get(reverse("meetings:detail", kwargs={"pk": 99999})).status_code == 404
    assert client.get(reverse("meetings:cancel", kwargs={"pk": 99999})).status_code == 404
    assert client.get(reverse("meetings:schedule", kwargs={"slug": "nope"})).status_code == 404


@pytest.mark.parametrize("url_name", ["send_apologies", "withdraw_apologies"])
def test_apologies_need_a_post(client_for, member, meeting, url_name):
    response = client_for("member").get(reverse(f"meetings:{url_name}", kwargs={"pk": meeting.pk}))

    assert response.status_code == 405


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_room_and_link_are_only_for_members_and_leaders(
    client_for, request, group, meeting, persona
):
    all_personas(request)
    group.format = "hybrid"
    group.save()

    html = client_for(persona).get(meeting.get_absolute_url()).content.decode()

    insiders = persona in {"member", "leader"}
    assert ("meet.example.org/secret-room" in html) is insiders
    assert ("Room 3, Cotham Health Centre" in html) is insiders
