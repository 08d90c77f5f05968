"""Anyone writes to a group's leaders from its page: signed in at once, otherwise after proving
their address; the leaders' addresses stay hidden; the limits per sender and per group hold."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from balint.audit.models import AuditEvent
from balint.outbox.models import Message
from groups.models import LeaderContact
from groups.services import contact
from groups.services.contact import PER_GROUP_PER_DAY, PER_SENDER_PER_DAY, ContactLimitReached
from groups.services.rules import GroupError
from tests.factories import BalintGroupFactory, LeadershipFactory, UserFactory

pytestmark = pytest.mark.django_db

VISITOR = {"name": "Dr Vera Visitor", "email": "vera@example.org", "message": "Is there room?"}


@pytest.fixture
def co_leader(group):
    person = UserFactory(display_name="Dr Cora Leader", email="cora@example.org")
    LeadershipFactory(group=group, person=person)
    return person


def confirm_path() -> str:
    for message in mail.outbox:
        found = re.search(r"https?://[^/\s]+(/groups/contact/[^\s/]+/)", message.body)
        if found:
            return found.group(1)
    raise AssertionError("no confirmation link was emailed")


def test_a_signed_in_person_writes_to_every_leader_at_once(
    client_for, django_capture_on_commit_callbacks, group, leader, co_leader, stranger
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("stranger").post(
            "/groups/cotham/contact/", {"message": "When is the next taster?"}, follow=True
        )

    assert "Your message is on its way to the leaders." in response.text
    assert sorted(m.to[0] for m in mail.outbox) == [co_leader.email, leader.email]
    for message in mail.outbox:
        assert "When is the next taster?" in message.body
        assert f"To reply, write to {stranger.email}." in message.body
    assert leader.email not in response.text and co_leader.email not in response.text
    event = AuditEvent.objects.get(action="leaders.contact")
    assert (event.actor, event.where) == (stranger, group.name)
    assert "When is the next taster?" not in event.summary


def test_the_form_reminds_people_to_leave_out_case_content(client, group, leader):
    page = client.get("/groups/cotham/contact/").text

    assert "No case content, please." in page
    assert leader.email not in page


def test_a_visitor_confirms_their_address_before_the_message_goes(
    client, django_capture_on_commit_callbacks, group, leader
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/groups/cotham/contact/", VISITOR)

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["vera@example.org"]]
    path = confirm_path()
    # The stored email no longer holds the link's token once it has been sent.
    token = path.rstrip("/").rsplit("/", 1)[1]
    stored = Message.objects.get(key__startswith="contact-confirm:")
    assert token not in stored.body_text and token not in stored.body_html
    assert LeaderContact.objects.get().token_hash != token

    # Following the link only asks (a mail scanner's GET sends nothing); the button sends.
    assert "Send my message" in client.get(path).text
    assert not Message.objects.filter(key__startswith="leader-contact:").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)
        client.post(path)  # Twice: sent once.

    sent = Message.objects.filter(key__startswith="leader-contact:")
    assert [m.to for m in sent] == [[leader.email]]
    assert "vera@example.org" in sent[0].body_text


def test_an_expired_or_unknown_link_says_so(
    client, django_capture_on_commit_callbacks, group, leader
):
    with django_capture_on_commit_callbacks(execute=True):
        contact.contact_leaders(group=group, sender=None, **VISITOR)
    LeaderContact.objects.update(created_at=timezone.now() - timedelta(days=4))

    response = client.post(confirm_path())
    assert response.status_code == 400
    assert "This link has expired" in response.text

    response = client.post("/groups/contact/not-a-real-token/")
    assert response.status_code == 400
    assert "This link does not work." in response.text


def test_one_sender_is_limited_across_groups_with_a_clear_message(client_for, group, leader):
    other = BalintGroupFactory(slug="other")
    LeadershipFactory(group=other)
    client = client_for("stranger")
    for n in range(PER_SENDER_PER_DAY):
        target = "cotham" if n % 2 else "other"
        assert client.post(f"/groups/{target}/contact/", {"message": "Hello"}).status_code == 302

    response = client.post("/groups/cotham/contact/", {"message": "Hello again"})

    assert response.status_code == 429
    assert "as many as we allow. Please try again tomorrow." in response.text
    assert LeaderContact.objects.count() == PER_SENDER_PER_DAY


def test_visitors_cannot_get_round_the_limit_by_changing_case(client, group, leader):
    for n in range(PER_SENDER_PER_DAY):
        email = "Vera@Example.org" if n % 2 else "vera@example.org"
        client.post("/groups/cotham/contact/", {**VISITOR, "email": email})

    response = client.post("/groups/cotham/contact/", VISITOR)

    assert response.status_code == 429


def test_a_group_is_limited_however_many_senders(group, leader):
    for n in range(PER_GROUP_PER_DAY):
        contact.contact_leaders(
            group=group, sender=UserFactory(), name="", email="", message=f"Note {n}"
        )

    with pytest.raises(ContactLimitReached, match="many messages today"):
        contact.contact_leaders(group=group, sender=UserFactory(), name="", email="", message="x")


def test_the_limit_of_yesterday_is_forgotten(group, leader, stranger):
    for _ in range(PER_SENDER_PER_DAY):
        contact.contact_leaders(group=group, sender=stranger, name="", email="", message="x")
    LeaderContact.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))

    contact.contact_leaders(group=group, sender=stranger, name="", email="", message="x")


def test_a_group_without_leaders_cannot_be_written_to(stranger):
    group = BalintGroupFactory()

    with pytest.raises(GroupError, match="no leaders yet"):
        contact.contact_leaders(group=group, sender=stranger, name="", email="", message="x")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({**VISITOR, "email": "not-an-address"}, "Enter a valid email address."),
        ({**VISITOR, "name": ""}, "This field is required."),
        ({**VISITOR, "message": "   "}, "Write a message to the leaders."),
        ({**VISITOR, "message": "x" * 2001}, "Ensure this value has at most 2000 characters"),
        ({}, "This field is required."),
    ],
)
def test_bad_input_is_a_form_error(client, group, leader, data, error):
    response = client.post("/groups/cotham/contact/", data)

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert error in response.text
    assert not LeaderContact.objects.exists()


@pytest.mark.parametrize(
    "persona", ["anonymous", "stranger", "member", "other_leader", "programme_admin", "staff"]
)
def test_anyone_who_may_see_the_group_may_open_the_form(client_for, everyone, persona):
    assert client_for(persona).get("/groups/cotham/contact/").status_code == 200


def test_an_ended_groups_form_is_not_found(client_for, group, leader):
    group.status = "closed"
    group.save()

    assert client_for("stranger").get("/groups/cotham/contact/").status_code == 404
    assert client_for("stranger").post("/groups/cotham/contact/", VISITOR).status_code == 404
