"""Leaders change their group's settings and co-leaders; staff create groups; the admin."""

import pytest
from django.contrib.messages import get_messages

from groups.models import BalintGroup, LeaderRole, Leadership
from tests.factories import LeadershipFactory, UserFactory, with_totp
from tests.groups.conftest import fill

pytestmark = pytest.mark.django_db

SETTINGS = {
    "name": "Cotham GP Balint Group",
    "description": "Monthly.",
    "audiences": [],
    "format": "hybrid",
    "town": "Cotham",
    "region": "south_west",
    "time_zone": "Europe/London",
    "capacity": "12",
    "taster_seats": "1",
    "accepting_members": "on",
    "status": "active",
    "room": "Room 4",
    "meeting_link": "https://meet.example.org/new",
}


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_leader_saves_the_settings(client_for, group, leader):
    response = client_for("leader").post("/groups/cotham/settings/", SETTINGS)

    assert response.status_code == 302
    assert messages_of(response) == [
        "The group's settings are saved. Members' calendars are being updated with the new place."
    ]
    group.refresh_from_db()
    assert (group.format, group.capacity, group.room) == ("hybrid", 12, "Room 4")
    assert not group.audiences.exists()


def test_saving_without_a_new_place_says_nothing_of_calendars(client_for, group, leader):
    unchanged = {**SETTINGS, "room": group.room, "meeting_link": group.meeting_link}

    response = client_for("leader").post("/groups/cotham/settings/", unchanged)

    assert messages_of(response) == ["The group's settings are saved."]


@pytest.mark.parametrize("capacity", ["2", "17", "0", "-5", "ten", ""])
def test_a_capacity_outside_3_to_16_is_refused_clearly(client_for, group, leader, capacity):
    response = client_for("leader").post(
        "/groups/cotham/settings/", {**SETTINGS, "capacity": capacity}
    )

    assert response.status_code == 400
    assert "There is a problem" in response.text
    group.refresh_from_db()
    assert group.capacity == 10


def test_the_capacity_message_names_the_range(client_for, group, leader):
    response = client_for("leader").post("/groups/cotham/settings/", {**SETTINGS, "capacity": "17"})

    assert "A group has between 3 and 16 places." in response.text


def test_a_capacity_below_the_places_taken_is_refused(client_for, group, leader):
    fill(group, 9)

    response = client_for("leader").post("/groups/cotham/settings/", {**SETTINGS, "capacity": "6"})

    assert response.status_code == 400
    assert "9 places are taken, so the capacity cannot be lower than 9." in response.text


def test_a_meeting_link_must_be_a_web_address(client_for, group, leader):
    response = client_for("leader").post(
        "/groups/cotham/settings/", {**SETTINGS, "meeting_link": "javascript:alert(1)"}
    )

    assert response.status_code == 400
    group.refresh_from_db()
    assert group.meeting_link == "https://meet.example.org/secret-room"


def test_a_leader_appoints_a_co_leader(client_for, group, leader, stranger):
    response = client_for("leader").post(
        "/groups/cotham/leaders/add/", {"email": "SID@example.org", "role": "co_leader"}
    )

    assert messages_of(response) == [
        "Dr Sid Stranger is now co-leader of the group. They have been told by email."
    ]
    assert group.leaderships.get(person=stranger).role == LeaderRole.CO_LEADER


def test_appointing_an_address_without_an_account_invites_it_to_lead(client_for, group, leader):
    response = client_for("leader").post(
        "/groups/cotham/leaders/add/", {"email": "nobody@example.org", "role": "leader"}
    )

    assert messages_of(response) == [
        "nobody@example.org has no account yet, so we have invited them by email to sign up. "
        "They become leader when they do."
    ]
    invite = group.leader_invites.get()
    assert (invite.email, invite.role, invite.accepted_at) == ("nobody@example.org", "leader", None)


def test_an_invalid_appointment_shows_form_errors(client_for, group, leader):
    response = client_for("leader").post(
        "/groups/cotham/leaders/add/", {"email": "nope", "role": "king"}
    )

    assert response.status_code == 400
    assert "Enter a valid email address." in response.text


def test_the_last_leader_cannot_step_down(client_for, group, leader):
    ship = leader.leaderships.get()

    response = client_for("leader").post(f"/groups/cotham/leaders/{ship.pk}/remove/")

    assert messages_of(response) == [
        "A group needs at least one leader: appoint another leader first."
    ]


def test_a_leader_steps_down_and_loses_the_roster(client_for, group, leader):
    LeadershipFactory(group=group, role=LeaderRole.CO_LEADER)
    client = client_for("leader")

    response = client.post(f"/groups/cotham/leaders/{leader.leaderships.get().pk}/remove/")

    assert response["Location"] == "/groups/cotham/"
    assert messages_of(response) == ["You no longer lead Cotham GP Balint Group."]
    assert client.get("/groups/cotham/roster/").status_code == 404


CREATE = {
    **SETTINGS,
    "name": "Leeds Psychiatry Trainees",
    "slug": "",
    "programme": "",
    "leader_emails": "lena@example.org\nsid@example.org",
}


def test_staff_create_a_group_with_its_leaders(client_for, staff, leader, stranger):
    response = client_for("staff").post("/groups/new/", CREATE)

    assert response.status_code == 302
    assert response["Location"] == "/groups/leeds-psychiatry-trainees/roster/"
    group = BalintGroup.objects.get(slug="leeds-psychiatry-trainees")
    assert list(Leadership.objects.filter(group=group).values_list("person", "role")) == [
        (leader.pk, "leader"),
        (stranger.pk, "co_leader"),
    ]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"slug": "cotham"}, "Another group already uses this web address."),
        ({"slug": "mine"}, "is reserved"),
        ({"slug": "no spaces!"}, "Enter a valid"),
        ({"leader_emails": "not-an-address"}, "is not an email address"),
        ({"leader_emails": ""}, "This field is required."),
        ({"capacity": "20"}, "A group has between 3 and 16 places."),
    ],
)
def test_creating_a_group_with_bad_input_shows_clear_errors(
    client_for, group, staff, leader, changes, error
):
    response = client_for("staff").post("/groups/new/", {**CREATE, **changes})

    assert response.status_code == 400
    assert error in response.text
    assert BalintGroup.objects.count() == 1


def test_the_admin_lists_searches_and_edits_groups(client, group, leader):
    admin = with_totp(UserFactory(is_staff=True, is_superuser=True))
    client.force_login(admin)

    assert client.get("/admin/groups/balintgroup/").status_code == 200
    assert client.get("/admin/groups/balintgroup/?q=Lena&status__exact=active").status_code == 200
    assert "Leaderships" in client.get(f"/admin/groups/balintgroup/{group.pk}/change/").text
    assert client.get("/admin/groups/membership/").status_code == 200
    assert client.get("/admin/groups/pendingmembershipinvite/").status_code == 200
    assert client.get("/admin/groups/membership/add/").status_code == 403


def test_the_admin_refuses_a_capacity_below_the_places_taken(client, group, leader):
    fill(group, 8)
    admin = with_totp(UserFactory(is_staff=True, is_superuser=True))
    client.force_login(admin)
    page = client.get(f"/admin/groups/balintgroup/{group.pk}/change/")
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and key != "audiences"
    }
    data.update(
        {
            "capacity": "5",
            "leaderships-TOTAL_FORMS": "0",
            "leaderships-INITIAL_FORMS": "0",
        }
    )

    response = client.post(f"/admin/groups/balintgroup/{group.pk}/change/", data)

    assert response.status_code == 200
    assert "8 places are taken; the capacity cannot be lower." in response.text
