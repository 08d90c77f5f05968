"""Each roster change sends its emails through the outbox, after the change commits."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from balint.outbox.models import Message
from groups import services
from groups.models import LeaderRole, MembershipStatus
from tests.factories import LeadershipFactory, MembershipFactory, UserFactory
from tests.groups.conftest import fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the operation as a request would: commit, then the Celery task sends the mail."""

    def run(operation, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = operation(**kwargs)
        return result

    return run


def test_a_join_request_emails_every_leader(sent, group, leader, newcomer):
    co_leader = LeadershipFactory(group=group, role=LeaderRole.CO_LEADER).person

    membership = sent(services.request_to_join, group=group, person=newcomer, note="GP, Bristol")

    assert sorted(m.to[0] for m in mail.outbox) == sorted([leader.email, co_leader.email])
    message = next(m for m in mail.outbox if m.to == [leader.email])
    assert message.subject == "Dr Nia Newcomer asks to join Cotham GP Balint Group"
    assert "GP, Bristol" in message.body
    assert "http://localhost:8000/groups/cotham/roster/" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    keys = set(Message.objects.values_list("key", flat=True))
    assert keys == {
        f"join-request:{membership.pk}:leader:{leader.pk}",
        f"join-request:{membership.pk}:leader:{co_leader.pk}",
    }


def test_names_are_not_html_escaped_in_plain_text_emails(sent, group, leader):
    person = UserFactory(display_name="Dr Seán O'Brien & Co")

    sent(services.request_to_join, group=group, person=person)

    assert mail.outbox[0].subject == "Dr Seán O'Brien & Co asks to join Cotham GP Balint Group"
    assert "Dr Seán O'Brien & Co" in mail.outbox[0].body
    assert "O&#x27;Brien" in mail.outbox[0].alternatives[0].content


def test_approval_emails_a_welcome(sent, group, leader, join_request):
    sent(services.approve_request, group=group, membership_id=join_request.pk, by=leader)

    [message] = mail.outbox
    assert message.to == ["nia@example.org"]
    assert message.subject == "Welcome to Cotham GP Balint Group"
    assert group.room not in message.body  # Private details stay behind the sign-in.


def test_approval_into_a_full_group_emails_the_waitlist_place(sent, group, leader, join_request):
    fill(group, group.capacity)

    sent(services.approve_request, group=group, membership_id=join_request.pk, by=leader)

    [message] = mail.outbox
    assert message.subject == "You are on the waitlist for Cotham GP Balint Group"
    assert "You are number 1" in message.body


def test_a_decline_emails_the_leaders_message(sent, group, leader, join_request):
    sent(
        services.decline_request,
        group=group,
        membership_id=join_request.pk,
        by=leader,
        message="We are full until September.",
    )

    [message] = mail.outbox
    assert message.subject == "Your request to join Cotham GP Balint Group"
    assert "We are full until September." in message.body


def test_a_freed_place_is_offered_by_email_and_the_leaders_are_told(sent, group, leader, member):
    fill(group, group.capacity - 1)
    waiting = MembershipFactory(group=group, status=MembershipStatus.WAITLISTED)

    sent(services.leave_group, group=group, person=member)

    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects == {
        leader.email: "Dr Mo Member has left Cotham GP Balint Group",
        waiting.person.email: "A place in Cotham GP Balint Group is yours if you want it",
    }


def test_a_lapsed_offer_is_explained_to_its_person(sent, group, member, settings):
    fill(group, group.capacity - 1)
    waiting = MembershipFactory(group=group, status=MembershipStatus.WAITLISTED)
    sent(services.leave_group, group=group, person=member)
    [offer] = [m for m in mail.outbox if m.to == [waiting.person.email]]
    assert f"held for you for {settings.WAITLIST_OFFER_DAYS} days" in offer.body
    later = timezone.now() + datetime.timedelta(days=settings.WAITLIST_OFFER_DAYS, minutes=1)

    sent(services.expire_offers, now=later)

    [message] = [m for m in mail.outbox if m.subject.startswith("The place in")]
    assert message.to == [waiting.person.email]
    assert message.subject == "The place in Cotham GP Balint Group has passed to the next person"
    assert "welcome to ask again" in message.body


def test_a_removed_member_is_told_the_date(sent, group, leader, member):
    on = services.today_in(group)

    sent(
        services.remove_member,
        group=group,
        membership_id=member.memberships.get().pk,
        by=leader,
        ended_on=on,
    )

    [message] = mail.outbox
    assert message.to == [member.email]
    assert f"{on:%-d %B %Y}" in message.body


def test_an_unknown_address_is_invited_to_sign_up(sent, group, leader):
    sent(services.add_member_by_email, group=group, email="new@example.org", by=leader)

    [message] = mail.outbox
    assert message.to == ["new@example.org"]
    assert message.subject == "Dr Lena Leader invites you to join Cotham GP Balint Group"
    assert "http://localhost:8000/accounts/signup/" in message.body


def test_an_existing_account_added_by_email_is_told(sent, group, leader, newcomer):
    sent(services.add_member_by_email, group=group, email=newcomer.email, by=leader)

    [message] = mail.outbox
    assert message.subject == "You have been added to Cotham GP Balint Group"


def test_a_new_co_leader_is_told(sent, group, leader, stranger):
    sent(services.appoint_leader, group=group, email=stranger.email, role="co_leader", by=leader)

    [message] = mail.outbox
    assert message.subject == "You are now co-leader of Cotham GP Balint Group"


def test_a_refused_operation_sends_nothing(sent, group, member):
    with pytest.raises(services.GroupError):
        sent(services.request_to_join, group=group, person=member)

    assert mail.outbox == []
    assert not Message.objects.exists()


def test_an_http_request_sends_its_emails_after_commit(
    client_for, django_capture_on_commit_callbacks, group, leader, stranger
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for("stranger").post("/groups/cotham/join/", {"note": ""})

    assert [message.to for message in mail.outbox] == [[leader.email]]
