"""Anyone signed in proposes a group; staff approve or decline it from their queue, or let a
person create groups directly."""

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balint.audit.models import AuditEvent
from balint.outbox.models import Message
from groups.models import Audience, BalintGroup, GroupProposal, LeaderInvite, LeaderRole
from groups.services import proposals
from groups.services.rules import GroupError
from groups.start_models import ProposalState
from tests.factories import BalintGroupFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Riverside Nurses Balint",
    "slug": "",
    "description": "Twice a month for nurse practitioners.",
    "format": "online",
    "town": "",
    "region": "",
    "time_zone": "America/New_York",
    "capacity": "8",
    "taster_seats": "1",
    "accepting_members": "on",
    "room": "",
    "meeting_link": "",
    "listing": "unlisted",
    "co_leader_emails": "",
    "co_leader_role": "leader",
}


def gps() -> Audience:
    # The data migration's row, made again if a transactional test has emptied the table.
    return Audience.objects.get_or_create(slug="gps", defaults={"name": "GPs"})[0]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def propose(client, **changes):
    audiences = [gps().pk]
    return client.post("/groups/propose/", {**FORM, "audiences": audiences, **changes})


def a_proposal(person, **fields) -> GroupProposal:
    return proposals.propose_group(
        by=person,
        fields={
            "name": "Riverside Nurses Balint",
            "slug": "riverside",
            "format": "online",
            "capacity": 8,
            "taster_seats": 1,
            "time_zone": "America/New_York",
            "listing": "unlisted",
            "audiences": [gps()],
            **fields,
        },
        co_leader_emails=["co@example.org"],
    )


def test_a_proposal_waits_for_staff_and_shows_nowhere(client_for, stranger, staff):
    response = propose(client_for("stranger"))

    assert response.status_code == 302
    assert messages_of(response)[0].startswith("Thank you: your group “Riverside Nurses Balint”")
    proposal = GroupProposal.objects.get()
    assert (proposal.proposer, proposal.state, proposal.slug) == (
        stranger,
        ProposalState.PENDING,
        "riverside-nurses-balint",
    )
    assert not BalintGroup.objects.filter(slug="riverside-nurses-balint").exists()
    assert Message.objects.get(key__startswith="proposal-received:").to == [staff.email]
    assert AuditEvent.objects.filter(action="group.propose", actor=stranger).exists()


def test_someone_staff_allowed_creates_a_group_at_once(client_for, stranger):
    stranger.may_create_groups = True
    stranger.save()

    response = propose(client_for("stranger"))

    assert response["Location"] == "/groups/riverside-nurses-balint/settings/"
    group = BalintGroup.objects.get(slug="riverside-nurses-balint")
    assert group.leaderships.get().person == stranger
    assert group.listing == "unlisted"
    assert not GroupProposal.objects.exists()


def test_the_proposer_is_not_asked_to_set_a_programme(client_for, stranger, programme):
    page = client_for("stranger").get("/groups/propose/").text

    assert 'name="programme"' not in page
    assert 'name="leader_emails"' not in page
    assert "Who can find the group" in page


def test_anonymous_visitors_are_sent_to_sign_in_to_propose(client):
    response = client.get("/groups/propose/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"name": ""}, "This field is required."),
        ({"slug": "propose"}, "is reserved"),
        ({"slug": "cotham"}, "Another group already uses this web address."),
        ({"capacity": "40"}, "A group has between 3 and 16 places."),
        ({"co_leader_emails": "not-an-address"}, "is not an email address"),
        ({"co_leader_emails": "a@x.org b@x.org c@x.org d@x.org"}, "at most three"),
        ({"listing": "secret"}, "Select a valid choice."),
        ({"co_leader_role": "boss"}, "Select a valid choice."),
    ],
)
def test_bad_proposals_are_form_errors(client_for, group, stranger, changes, error):
    response = propose(client_for("stranger"), **changes)

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert error in response.text
    assert not GroupProposal.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("stranger", 403),
        ("member", 403),
        ("leader", 403),
        ("programme_admin", 403),
        ("staff", 200),
    ],
)
def test_only_staff_see_the_queue(client_for, everyone, persona, status):
    response = client_for(persona).get("/groups/proposals/")

    assert response.status_code == status
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


def test_the_queue_shows_an_empty_state(client_for, staff):
    page = client_for("staff").get("/groups/proposals/").text

    assert "No proposals are waiting." in page


@pytest.mark.parametrize("persona", ["anonymous", "stranger", "member", "leader"])
@pytest.mark.parametrize("action", ["approve", "decline"])
def test_only_staff_decide(client_for, everyone, stranger, persona, action):
    proposal = a_proposal(stranger)

    response = client_for(persona).post(f"/groups/proposals/{proposal.pk}/{action}/")

    assert response.status_code == (302 if persona == "anonymous" else 403)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PENDING


def test_staff_approve_and_the_proposer_leads_the_new_group(client_for, stranger, staff):
    proposal = a_proposal(stranger)

    response = client_for("staff").post(f"/groups/proposals/{proposal.pk}/approve/")

    assert messages_of(response) == [
        "Riverside Nurses Balint is created, and Dr Sid Stranger leads it. "
        "They have been told by email."
    ]
    proposal.refresh_from_db()
    group = proposal.group
    assert (proposal.state, proposal.decided_by) == (ProposalState.APPROVED, staff)
    assert group.leaderships.get().person == stranger
    assert group.time_zone == "America/New_York"
    assert list(group.audiences.values_list("slug", flat=True)) == ["gps"]
    invite = LeaderInvite.objects.get(group=group)
    assert (invite.email, invite.role) == ("co@example.org", LeaderRole.LEADER)
    told = Message.objects.get(key=f"proposal-decided:{proposal.pk}")
    assert told.to == [stranger.email] and "is approved" in told.subject
    # One email to the proposer, not also the "you lead" one.
    assert not Message.objects.filter(key__startswith="leader-appointed:").exists()
    assert AuditEvent.objects.filter(action="group.proposal.approved", actor=staff).exists()


def test_staff_decline_with_a_note_and_the_proposer_is_told(client_for, stranger, staff):
    proposal = a_proposal(stranger)

    client_for("staff").post(
        f"/groups/proposals/{proposal.pk}/decline/", {"note": "Please ask your practice first."}
    )

    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DECLINED
    assert not BalintGroup.objects.filter(slug="riverside").exists()
    told = Message.objects.get(key=f"proposal-decided:{proposal.pk}")
    assert "Please ask your practice first." in told.body_text


def test_a_proposal_is_decided_once(stranger, staff):
    proposal = a_proposal(stranger)
    proposals.approve_proposal(proposal_id=proposal.pk, by=staff)

    with pytest.raises(GroupError, match="approved already"):
        proposals.decline_proposal(proposal_id=proposal.pk, by=staff)


def test_a_web_address_taken_since_is_refused_at_approval(client_for, stranger, staff):
    proposal = a_proposal(stranger)
    BalintGroupFactory(slug="riverside")

    response = client_for("staff").post(f"/groups/proposals/{proposal.pk}/approve/")

    assert messages_of(response) == ["Another group already uses the web address “riverside”."]
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PENDING


def test_a_too_long_note_is_refused_clearly(client_for, stranger, staff):
    proposal = a_proposal(stranger)

    response = client_for("staff").post(
        f"/groups/proposals/{proposal.pk}/decline/", {"note": "x" * 1001}
    )

    assert messages_of(response) == ["The note is too long: keep it under 1,000 characters."]


def test_staff_let_a_person_create_groups_directly_and_stop_them(client_for, stranger, staff):
    client = client_for("staff")

    client.post("/groups/proposals/creators/", {"email": "SID@example.org"})
    stranger.refresh_from_db()
    assert stranger.may_create_groups
    assert "Dr Sid Stranger" in client.get("/groups/proposals/").text

    client.post("/groups/proposals/creators/", {"email": stranger.email, "allowed": "false"})
    stranger.refresh_from_db()
    assert not stranger.may_create_groups
    assert AuditEvent.objects.filter(action="member.may_create_groups").count() == 2


@pytest.mark.parametrize("email", ["", "not-an-address", "nobody@example.org"])
def test_allowing_an_unknown_person_is_refused_clearly(client_for, staff, email):
    response = client_for("staff").post("/groups/proposals/creators/", {"email": email})

    assert response.status_code == 302
    assert messages_of(response)[0] in {
        "Enter the email address of someone with an account.",
        "No one has an account with nobody@example.org.",
    }


@pytest.mark.parametrize("persona", ["anonymous", "stranger", "leader"])
def test_only_staff_let_people_create_groups(client_for, everyone, stranger, persona):
    client_for(persona).post("/groups/proposals/creators/", {"email": stranger.email})

    stranger.refresh_from_db()
    assert not stranger.may_create_groups


def test_the_queue_makes_as_many_queries_for_20_proposals_as_for_2(client_for, staff):
    client = client_for("staff")

    def build(count: int) -> None:
        for _ in range(count):
            proposal = a_proposal(UserFactory())
            if proposal.pk % 2:
                proposals.decline_proposal(proposal_id=proposal.pk, by=staff)
        UserFactory(may_create_groups=True)

    def queries() -> int:
        client.get("/groups/proposals/")
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/groups/proposals/").status_code == 200
        return len(captured)

    build(2)
    with_two = queries()
    build(18)

    assert GroupProposal.objects.count() == 20
    assert queries() == with_two
