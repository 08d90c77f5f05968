"""The leaders' roster page and its actions, through HTTP as a leader would use them."""

import csv
import datetime
import io

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from groups.models import Membership, MembershipStatus, PendingMembershipInvite
from groups.services import today_in
from tests.factories import MembershipFactory, UserFactory
from tests.groups.conftest import fill

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def leader_client(client_for, leader):
    return client_for("leader")


def test_the_roster_shows_requests_members_waitlist_in_order_and_past(
    leader_client, group, member, join_request
):
    now = timezone.now()
    later = MembershipFactory(
        group=group,
        person=UserFactory(display_name="Dr Later"),
        status=MembershipStatus.WAITLISTED,
        waitlisted_at=now,
    )
    earlier = MembershipFactory(
        group=group,
        person=UserFactory(display_name="Dr Earlier"),
        status=MembershipStatus.WAITLISTED,
        waitlisted_at=now - datetime.timedelta(days=1),
    )
    MembershipFactory(
        group=group, person=UserFactory(display_name="Dr Gone"), status=MembershipStatus.LEFT
    )

    response = leader_client.get("/groups/cotham/roster/")

    assert response.status_code == 200
    context = response.context
    assert [m.person.display_name for m in context["requests"]] == ["Dr Nia Newcomer"]
    assert [m.person.display_name for m in context["members"]] == ["Dr Mo Member"]
    assert list(context["waitlist"]) == [earlier, later]
    assert [m.person.display_name for m in context["past"]] == ["Dr Gone"]
    assert "1 of 10 places taken" in response.text


def test_a_leader_approves_a_request(leader_client, group, join_request):
    response = leader_client.post(f"/groups/cotham/roster/{join_request.pk}/approve/")

    assert response.status_code == 302 and response["Location"] == "/groups/cotham/roster/"
    assert messages_of(response) == ["Dr Nia Newcomer is now a member of the group."]
    join_request.refresh_from_db()
    assert join_request.status == MembershipStatus.ACTIVE


def test_approving_into_a_full_group_says_the_person_is_waitlisted(
    leader_client, group, join_request
):
    fill(group, group.capacity)

    response = leader_client.post(f"/groups/cotham/roster/{join_request.pk}/approve/")

    assert "The group is full, so Dr Nia Newcomer is on the waitlist" in messages_of(response)[0]
    assert group.memberships.filter(status=MembershipStatus.ACTIVE).count() == group.capacity


def test_approving_twice_gives_a_clear_message(leader_client, group, join_request):
    leader_client.post(f"/groups/cotham/roster/{join_request.pk}/approve/")

    response = leader_client.post(f"/groups/cotham/roster/{join_request.pk}/approve/")

    assert response.status_code == 302
    assert messages_of(response)[-1] == "Dr Nia Newcomer has no open request to approve."


def test_a_leader_declines_with_a_message(leader_client, group, join_request):
    response = leader_client.post(
        f"/groups/cotham/roster/{join_request.pk}/decline/", {"message": "We are full."}
    )

    assert messages_of(response) == [
        "You have declined Dr Nia Newcomer. They have been told by email."
    ]
    join_request.refresh_from_db()
    assert join_request.status == MembershipStatus.DECLINED


def test_a_too_long_decline_message_changes_nothing(leader_client, group, join_request):
    response = leader_client.post(
        f"/groups/cotham/roster/{join_request.pk}/decline/", {"message": "x" * 1001}
    )

    assert response.status_code == 302
    assert messages_of(response)[0].startswith("Not declined:")
    join_request.refresh_from_db()
    assert join_request.status == MembershipStatus.REQUESTED


def test_a_leader_removes_a_member_as_from_a_date(leader_client, group, member):
    membership = member.memberships.get()
    yesterday = today_in(group) - datetime.timedelta(days=1)
    Membership.objects.filter(pk=membership.pk).update(
        joined_at=timezone.now() - datetime.timedelta(days=10)
    )

    response = leader_client.post(
        f"/groups/cotham/roster/{membership.pk}/remove/", {"ended_on": yesterday.isoformat()}
    )

    assert "Dr Mo Member has left the group as from" in messages_of(response)[0]
    membership.refresh_from_db()
    assert (membership.status, membership.ended_on) == (MembershipStatus.REMOVED, yesterday)


@pytest.mark.parametrize("ended_on", ["", "yesterday", "2026-02-30", "31/31/2020"])
def test_a_removal_without_a_usable_date_changes_nothing(leader_client, group, member, ended_on):
    membership = member.memberships.get()

    response = leader_client.post(
        f"/groups/cotham/roster/{membership.pk}/remove/", {"ended_on": ended_on}
    )

    assert response.status_code == 302
    assert messages_of(response)[0].startswith("Not removed:")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE


def test_a_removal_dated_in_the_future_is_refused(leader_client, group, member):
    membership = member.memberships.get()
    tomorrow = today_in(group) + datetime.timedelta(days=1)

    response = leader_client.post(
        f"/groups/cotham/roster/{membership.pk}/remove/", {"ended_on": tomorrow.isoformat()}
    )

    assert messages_of(response) == ["The date cannot be in the future."]


def test_a_leader_promotes_from_the_waitlist(leader_client, group):
    waiting = MembershipFactory(group=group, status=MembershipStatus.WAITLISTED)

    response = leader_client.post(f"/groups/cotham/roster/{waiting.pk}/promote/")

    assert messages_of(response) == [f"{waiting.person} is now a member of the group."]


def test_adding_an_existing_account_by_email(leader_client, group, newcomer):
    response = leader_client.post("/groups/cotham/roster/add/", {"email": "nia@example.org"})

    assert messages_of(response) == [
        "Dr Nia Newcomer is now a member of the group. They have been told by email."
    ]
    assert group.memberships.get(person=newcomer).status == MembershipStatus.ACTIVE


def test_adding_an_unknown_address_invites_it(leader_client, group):
    response = leader_client.post("/groups/cotham/roster/add/", {"email": "new@example.org"})

    assert "new@example.org has no account yet" in messages_of(response)[0]
    assert PendingMembershipInvite.objects.get().email == "new@example.org"
    assert "new@example.org" in leader_client.get("/groups/cotham/roster/").text


@pytest.mark.parametrize("email", ["", "not an address", "a@b", "x" * 300 + "@example.org"])
def test_adding_an_invalid_address_shows_the_form_error(leader_client, group, email):
    response = leader_client.post("/groups/cotham/roster/add/", {"email": email})

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert not PendingMembershipInvite.objects.exists()


def test_a_leader_withdraws_an_invitation(leader_client, group, leader):
    invite = group.invites.create(email="new@example.org", invited_by=leader)

    response = leader_client.post(f"/groups/cotham/invites/{invite.pk}/withdraw/")

    assert messages_of(response) == ["The invitation to new@example.org is withdrawn."]
    assert not group.invites.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/groups/cotham/roster/add/",
        "/groups/cotham/roster/{id}/approve/",
        "/groups/cotham/roster/{id}/decline/",
        "/groups/cotham/roster/{id}/promote/",
        "/groups/cotham/roster/{id}/remove/",
        "/groups/cotham/settings/",
        "/groups/cotham/leaders/add/",
        "/groups/cotham/join/",
        "/groups/cotham/leave/",
        "/groups/cotham/accept-place/",
        "/groups/new/",
    ],
)
def test_garbage_post_data_never_causes_a_server_error(
    client_for, staff, leader, join_request, path
):
    client = client_for("staff")
    garbage = {
        "email": ["\x00", "a"],
        "ended_on": "9999-99-99",
        "capacity": "NaN",
        "audiences": ["zzz", "1; DROP TABLE"],
        "message": "é" * 5000,
        "note": "x" * 5000,
        "role": "emperor",
        "status": "gone",
        "name": "",
    }

    response = client.post(path.format(id=join_request.pk), garbage)

    assert response.status_code < 500


def test_the_roster_downloads_as_csv_for_spreadsheets(leader_client, group, member):
    MembershipFactory(
        group=group,
        person=UserFactory(display_name='=HYPERLINK("http://evil")', email="evil@example.org"),
        status=MembershipStatus.REQUESTED,
    )
    MembershipFactory(group=group, person=UserFactory(display_name="Zoë Ünal"))

    response = leader_client.get("/groups/cotham/roster.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="cotham-roster-')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["Name", "Email", "Status"]
    assert [row[0] for row in rows[1:]] == [
        "Dr Mo Member",
        "Zoë Ünal",
        '\'=HYPERLINK("http://evil")',
    ]
