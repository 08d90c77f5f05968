"""A person's side through HTTP: asking to join, leaving, and "My groups"."""

import pytest
from django.contrib.messages import get_messages

from groups.models import BalintGroup, MembershipStatus
from tests.factories import LeadershipFactory, MembershipFactory
from tests.groups.conftest import fill

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_signed_in_person_asks_to_join_with_a_note(client_for, group, stranger):
    response = client_for("stranger").post("/groups/cotham/join/", {"note": "GP in Bristol"})

    assert response.status_code == 302 and response["Location"] == "/groups/cotham/"
    assert messages_of(response) == [
        "You have asked to join Cotham GP Balint Group. The leaders will reply by email."
    ]
    membership = group.memberships.get(person=stranger)
    assert (membership.status, membership.note) == (MembershipStatus.REQUESTED, "GP in Bristol")


def test_a_second_request_while_one_is_pending_gets_a_clear_message(client_for, group, stranger):
    client = client_for("stranger")
    client.post("/groups/cotham/join/", {})

    response = client.post("/groups/cotham/join/", {})

    assert messages_of(response)[-1].startswith("You have already asked to join this group.")
    assert group.memberships.filter(person=stranger).count() == 1


def test_a_too_long_note_is_shown_as_a_form_error(client_for, group, stranger):
    response = client_for("stranger").post("/groups/cotham/join/", {"note": "x" * 301})

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "at most 300 characters" in response.text
    assert not group.memberships.filter(person=stranger).exists()


def test_asking_to_join_a_group_not_taking_members_is_refused(client_for, group, stranger):
    BalintGroup.objects.filter(pk=group.pk).update(accepting_members=False)

    response = client_for("stranger").post("/groups/cotham/join/", {})

    assert messages_of(response) == ["This group is not taking new members at the moment."]


def test_asking_to_join_a_full_group_is_the_way_onto_its_waitlist(client_for, group, stranger):
    fill(group, group.capacity)
    client = client_for("stranger")

    assert "Ask to join the waitlist" in client.get("/groups/cotham/").text
    client.post("/groups/cotham/join/", {})

    assert group.memberships.get(person=stranger).status == MembershipStatus.REQUESTED


def test_a_member_leaves_from_my_groups(client_for, group, member):
    client = client_for("member")
    page = client.get("/groups/mine/").text
    assert "Leave Cotham GP Balint Group" in page

    response = client.post("/groups/cotham/leave/")

    assert response["Location"] == "/groups/mine/"
    assert messages_of(response) == ["You have left Cotham GP Balint Group."]
    assert member.memberships.get().status == MembershipStatus.LEFT
    assert "You are not in a group yet" in client.get("/groups/mine/").text


def test_withdrawing_a_request(client_for, group, join_request):
    client = client_for("anonymous")
    client.force_login(join_request.person)

    response = client.post("/groups/cotham/leave/")

    assert messages_of(response) == [
        "You have withdrawn your request to join Cotham GP Balint Group."
    ]


def test_leaving_when_not_a_member_says_so(client_for, group, stranger):
    response = client_for("stranger").post("/groups/cotham/leave/")

    assert messages_of(response) == ["You are not a member of this group."]


def test_my_groups_lists_memberships_requests_and_groups_led(
    client_for, group, other_group, stranger
):
    MembershipFactory(group=other_group, person=stranger, status=MembershipStatus.WAITLISTED)
    MembershipFactory(group=group, person=stranger, status=MembershipStatus.LEFT)
    led = LeadershipFactory(person=stranger)
    MembershipFactory.create_batch(2, group=led.group, status=MembershipStatus.REQUESTED)

    html = client_for("stranger").get("/groups/mine/").text

    assert "Online group" in html and "On the waitlist" in html
    assert "Earlier" in html and "Left" in html
    assert led.group.name in html and "2 requests waiting" in html
