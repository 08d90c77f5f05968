"""Leaders write to their members (and a meeting's booked tasters) through the outbox."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from balint.audit.models import AuditEvent
from balint.outbox.models import Message
from groups.services import GroupError
from sessions.attendance.letters import write_to_members
from sessions.tasters.models import BookingStatus, CancelledBecause, TasterBooking
from tests.factories import BalintGroupFactory, LeadershipFactory, UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

LETTER = {
    "subject": "No meeting in August",
    "message": "We take a break in August.",
    "tasters_of": "",
}


def url(group) -> str:
    return f"/meetings/groups/{group.slug}/write/"


def recipients() -> list[str]:
    return sorted(m.to[0] for m in Message.objects.filter(key__startswith="group-letter:"))


@pytest.fixture
def taster_meeting(group):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=5))
    taster = UserFactory(display_name="Dr Tia Taster", email="tia@example.org")
    TasterBooking.objects.create(meeting=meeting, group=group, person=taster, seat=1)
    cancelled = UserFactory(email="gone@example.org")
    TasterBooking.objects.create(
        meeting=meeting,
        group=group,
        person=cancelled,
        seat=2,
        status=BookingStatus.CANCELLED,
        cancelled_at=timezone.now(),
        cancelled_because=CancelledBecause.TASTER,
    )
    return meeting


def test_a_leader_writes_to_every_member_and_leader(client_for, group, leader, member):
    response = client_for("leader").post(url(group), LETTER)

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Your message is on its way to 2 people."
    ]
    assert recipients() == [leader.email, member.email]
    letter = Message.objects.get(to=[member.email])
    assert letter.subject == "Cotham GP Balint Group: No meeting in August"
    assert "We take a break in August." in letter.body_text
    assert "Please keep patient and case details out of email" in letter.body_text
    assert leader.email not in letter.body_text  # Replies go through the group's page.
    event = AuditEvent.objects.get(action="group.letter")
    assert (event.actor, event.where) == (leader, group.name)
    assert "August" not in event.summary


def test_the_form_carries_the_no_case_content_reminder(client_for, group, leader):
    page = client_for("leader").get(url(group)).text

    assert "No case content, please." in page
    assert "No tasters: members and leaders only" in page


def test_the_booked_tasters_of_a_meeting_are_added_if_chosen(
    client_for, group, leader, member, taster_meeting
):
    client_for("leader").post(url(group), {**LETTER, "tasters_of": taster_meeting.pk})

    assert recipients() == sorted([leader.email, member.email, "tia@example.org"])
    audit = AuditEvent.objects.get(action="group.letter").summary
    assert "and the tasters of" in audit


def test_another_groups_meeting_cannot_be_chosen(client_for, group, leader, member):
    other = BalintGroupFactory()
    theirs = MeetingFactory(group=other, starts_at=timezone.now() + timedelta(days=2))
    TasterBooking.objects.create(meeting=theirs, group=other, person=UserFactory(), seat=1)

    response = client_for("leader").post(url(group), {**LETTER, "tasters_of": theirs.pk})

    assert response.status_code == 400
    assert "Select a valid choice." in response.text
    assert recipients() == []


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({**LETTER, "subject": ""}, "Give the message a subject."),
        ({**LETTER, "message": "  "}, "Write a message."),
        ({**LETTER, "subject": "x" * 151}, "at most 150 characters"),
        ({**LETTER, "tasters_of": "nine"}, "Select a valid choice."),
        ({}, "Give the message a subject."),
    ],
)
def test_bad_input_is_a_form_error(client_for, group, leader, member, data, error):
    response = client_for("leader").post(url(group), data)

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert error in response.text


def test_a_group_without_members_says_there_is_no_one_to_write_to(group, leader):
    with pytest.raises(GroupError, match="no one to write to"):
        write_to_members(group=group, by=leader, subject="Hello", message="Hello")


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
def test_only_leaders_and_staff_write_to_the_group(
    client_for,
    group,
    leader,
    member,
    stranger,
    other_leader,
    programme_admin,
    staff,
    persona,
    status,
):
    response = client_for(persona).post(url(group), LETTER)

    assert response.status_code == status
    sent = persona in {"leader", "staff"}
    assert bool(recipients()) == sent


def test_the_write_tab_is_among_the_management_tabs(client_for, group, leader):
    page = client_for("leader").get(f"/groups/{group.slug}/roster/").text

    assert f'href="{url(group)}"' in page


def test_a_co_leader_is_written_to_as_well(client_for, group, leader, member):
    co = LeadershipFactory(group=group).person

    client_for("leader").post(url(group), LETTER)

    assert co.email in recipients()
