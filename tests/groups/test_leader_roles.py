"""Two facilitators of equal standing: a role changes in one step, and an address without an
account is invited to lead (by staff creating a group or by a leader) and leads on sign-up."""

import pytest
from allauth.account.signals import user_signed_up
from django.contrib.messages import get_messages

from balint.audit.models import AuditEvent
from balint.outbox.models import Message
from groups import services
from groups.models import BalintGroup, LeaderInvite, LeaderRole, Leadership, MembershipStatus
from groups.services.rules import GroupError
from members.models import User
from tests.factories import LeadershipFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def co_leader(group):
    person = UserFactory(display_name="Dr Cora Leader", email="cora@example.org")
    return LeadershipFactory(group=group, person=person, role=LeaderRole.CO_LEADER)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_co_leader_becomes_a_leader_of_equal_standing_in_one_step(
    client_for, group, leader, co_leader
):
    response = client_for("leader").post(
        f"/groups/cotham/leaders/{co_leader.pk}/role/", {"role": "leader"}
    )

    assert messages_of(response) == ["Dr Cora Leader is now leader."]
    roles = set(group.leaderships.values_list("role", flat=True))
    assert roles == {LeaderRole.LEADER}
    assert group.leaderships.count() == 2
    event = AuditEvent.objects.get(action="leader.role")
    assert (event.actor, event.summary) == (leader, "Made Dr Cora Leader leader")
    # Both show as leaders on the public page, neither marked co-leader.
    assert "(co-leader)" not in client_for("anonymous").get("/groups/cotham/").text


def test_the_last_leader_cannot_become_a_co_leader(group, leader):
    ship = group.leaderships.get()

    with pytest.raises(GroupError, match="at least one leader"):
        services.change_leader_role(
            group=group, leadership_id=ship.pk, role=LeaderRole.CO_LEADER, by=leader
        )


def test_a_role_already_held_is_refused(group, leader, co_leader):
    with pytest.raises(GroupError, match="co-leader already"):
        services.change_leader_role(
            group=group, leadership_id=co_leader.pk, role=LeaderRole.CO_LEADER, by=leader
        )


@pytest.mark.parametrize("role", ["", "boss", "LEADER"])
def test_a_bad_role_is_refused_with_a_message(client_for, group, leader, co_leader, role):
    response = client_for("leader").post(
        f"/groups/cotham/leaders/{co_leader.pk}/role/", {"role": role}
    )

    assert messages_of(response) == ["Choose leader or co-leader."]
    co_leader.refresh_from_db()
    assert co_leader.role == LeaderRole.CO_LEADER


def test_another_groups_leadership_is_not_found(client_for, group, leader, other_leader):
    theirs = Leadership.objects.get(person=other_leader)

    response = client_for("leader").post(
        f"/groups/cotham/leaders/{theirs.pk}/role/", {"role": "co_leader"}
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("stranger", 404),
        ("other_leader", 404),
        ("member", 403),
        ("programme_admin", 403),
        ("leader", 302),
        ("staff", 302),
    ],
)
def test_only_leaders_and_staff_change_roles(
    client_for, group, everyone, co_leader, persona, status
):
    response = client_for(persona).post(
        f"/groups/cotham/leaders/{co_leader.pk}/role/", {"role": "leader"}
    )

    assert response.status_code == status
    co_leader.refresh_from_db()
    changed = persona in {"leader", "staff"}
    assert co_leader.role == (LeaderRole.LEADER if changed else LeaderRole.CO_LEADER)


def test_the_settings_page_offers_the_change_of_role(client_for, group, leader, co_leader):
    page = client_for("leader").get("/groups/cotham/settings/").text

    assert f'action="/groups/cotham/leaders/{co_leader.pk}/role/"' in page
    assert "Make leader" in page and "Make co-leader" in page


def test_staff_name_a_leader_without_an_account_who_leads_on_sign_up(client_for, staff):
    response = client_for("staff").post(
        "/groups/new/",
        {
            "name": "Leeds Psychiatry Trainees",
            "slug": "",
            "programme": "",
            "format": "in_person",
            "time_zone": "Europe/London",
            "capacity": "8",
            "taster_seats": "0",
            "status": "active",
            "leader_emails": "new.leader@example.org",
        },
    )

    assert response.status_code == 302
    group = BalintGroup.objects.get(slug="leeds-psychiatry-trainees")
    assert not group.leaderships.exists()
    invite = group.leader_invites.get()
    assert Message.objects.get(key=f"leader-invite:{invite.pk}").to == ["new.leader@example.org"]

    person = UserFactory(email="new.leader@example.org")  # The factory proves the address.
    user_signed_up.send(sender=User, request=None, user=person)

    assert group.leaderships.get().person == person
    assert group.leaderships.get().role == LeaderRole.LEADER
    invite.refresh_from_db()
    assert invite.accepted_at is not None


def test_an_invited_leader_who_was_a_member_gives_up_the_place(group, leader):
    person = UserFactory(email="mo.member@example.org")
    MembershipFactory(group=group, person=person)
    services.appoint_leader(
        group=group, email="other.address@example.org", role=LeaderRole.LEADER, by=leader
    )
    LeaderInvite.objects.update(email=person.email)

    services.accept_leader_invites(user=person, email=person.email)
    services.accept_leader_invites(user=person, email=person.email)  # Twice: once.

    assert group.leaderships.filter(person=person).count() == 1
    assert group.memberships.get(person=person).status == MembershipStatus.LEFT


def test_an_address_is_invited_to_lead_once(group, leader):
    services.appoint_leader(group=group, email="new@example.org", role="leader", by=leader)

    with pytest.raises(GroupError, match="already been invited to lead"):
        services.appoint_leader(group=group, email="NEW@example.org", role="leader", by=leader)


def test_the_settings_page_lists_who_is_invited_to_lead(client_for, group, leader):
    services.appoint_leader(group=group, email="new@example.org", role="co_leader", by=leader)

    page = client_for("leader").get("/groups/cotham/settings/").text

    assert "Invited, not signed up yet" in page
    assert "new@example.org · co-leader" in page
