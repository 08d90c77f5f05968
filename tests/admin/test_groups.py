"""A group's settings saved in the admin have the site's effects; leaders, memberships and
invitations are read-only there; groups are neither added nor deleted there."""

import pytest

from balint.audit.models import AuditEvent
from balint.outbox.models import Message
from groups.models import BalintGroup, Leadership, MembershipStatus, PendingMembershipInvite
from tests.admin.conftest import assert_refused, change_form_data
from tests.factories import MembershipFactory, ProgrammeFactory
from tests.groups.conftest import fill
from tests.groups.test_manage import SETTINGS
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def change_url(group) -> str:
    return f"/admin/groups/balintgroup/{group.pk}/change/"


def save_in_admin(client, group, **changes):
    page = client.get(change_url(group))
    return client.post(change_url(group), change_form_data(page, **changes))


def save_on_site(client, group, **changes):
    return client.post(f"/groups/{group.slug}/settings/", {**SETTINGS, **changes})


SAVE = {"admin": save_in_admin, "site": save_on_site}


@pytest.fixture
def waiting(group, leader):
    """The group is full (10 of 10) and one person waits for a place."""
    group.capacity = 10
    group.save()
    fill(group, 10)
    return MembershipFactory(group=group, status=MembershipStatus.WAITLISTED, joined_at=None)


@pytest.mark.parametrize("where", ["admin", "site"])
def test_raising_the_capacity_offers_a_place_in_the_admin_as_on_the_site(
    admin_client, group, waiting, where
):
    response = SAVE[where](admin_client, group, capacity=11, room="")

    assert response.status_code == 302
    group.refresh_from_db()
    waiting.refresh_from_db()
    assert group.capacity == 11
    assert waiting.status == MembershipStatus.OFFERED
    assert Message.objects.filter(key=f"place-offered:{waiting.pk}").exists()
    assert AuditEvent.objects.filter(action="group.settings", object_id=group.pk).count() == 1


@pytest.mark.parametrize("where", ["admin", "site"])
def test_a_new_room_reaches_the_calendars_from_the_admin_as_from_the_site(
    admin_client, group, leader, member, where
):
    meeting = MeetingFactory(group=group)
    revision = meeting.revision
    before = Message.objects.exclude(ical="").count()

    response = SAVE[where](admin_client, group, capacity=group.capacity, room="Room 9")

    assert response.status_code == 302
    meeting.refresh_from_db()
    group.refresh_from_db()
    assert group.room == "Room 9"
    assert meeting.revision == revision + 1
    assert Message.objects.exclude(ical="").count() > before


def test_the_admin_refuses_a_capacity_below_the_places_taken_without_saving(
    admin_client, group, leader
):
    fill(group, 8)

    response = save_in_admin(admin_client, group, capacity=5)

    assert response.status_code == 200
    group.refresh_from_db()
    assert group.capacity == 10
    assert not AuditEvent.objects.filter(action="group.settings").exists()


def test_the_admin_changes_the_programme_and_audits_it(admin_client, group, leader):
    programme = ProgrammeFactory(name="Avon scheme")

    response = save_in_admin(admin_client, group, programme=programme.pk)

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.programme == programme
    summaries = AuditEvent.objects.filter(action="group.settings").values_list("summary", flat=True)
    assert "Changed the group's programme in the admin" in summaries


def test_leaders_are_read_only_in_the_admin_with_the_way_to_the_site(admin_client, group, leader):
    page = admin_client.get(change_url(group))

    assert page.status_code == 200
    assert "Leaderships" in page.text
    assert "leaderships-0-person" not in page.text
    assert 'href="/groups/cotham/settings/"' in page.text


def test_leaders_posted_in_the_admin_are_neither_added_nor_removed(
    admin_client, group, leader, stranger
):
    page = admin_client.get(change_url(group))
    data = change_form_data(page)
    ship = Leadership.objects.get(group=group)
    data.update(
        {
            "leaderships-TOTAL_FORMS": "2",
            "leaderships-INITIAL_FORMS": "1",
            "leaderships-0-id": str(ship.pk),
            "leaderships-0-group": str(group.pk),
            "leaderships-0-DELETE": "on",
            "leaderships-1-person": str(stranger.pk),
            "leaderships-1-role": "co_leader",
            "leaderships-1-group": str(group.pk),
        }
    )

    admin_client.post(change_url(group), data)

    assert list(Leadership.objects.filter(group=group).values_list("person", flat=True)) == [
        leader.pk
    ]
    assert not Message.objects.filter(key__startswith="leader-appointed").exists()


def test_groups_are_neither_added_nor_deleted_in_the_admin(admin_client, group, leader):
    assert admin_client.get("/admin/groups/balintgroup/add/").status_code == 403
    delete = f"/admin/groups/balintgroup/{group.pk}/delete/"
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert BalintGroup.objects.filter(pk=group.pk).exists()


def test_memberships_are_read_only_in_the_admin(admin_client, group, member):
    membership = group.memberships.get()

    assert_refused(
        admin_client,
        f"/admin/groups/membership/{membership.pk}/change/",
        {"status": MembershipStatus.LEFT},
    )
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE


def test_pending_membership_invites_are_read_only_in_the_admin(admin_client, group, leader):
    invite = PendingMembershipInvite.objects.create(
        group=group, email="new@example.org", invited_by=leader
    )

    assert_refused(
        admin_client,
        f"/admin/groups/pendingmembershipinvite/{invite.pk}/change/",
        {"email": "other@example.org"},
    )
    invite.refresh_from_db()
    assert invite.email == "new@example.org"
