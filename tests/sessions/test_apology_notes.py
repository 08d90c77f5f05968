"""Apologies may carry a short note to the leaders (at most 300 characters, with the reminder
not to write about patients); the leaders see it on the meeting page and in the register; the
sender finds it in their personal data."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.attendance.services import send_apologies
from sessions.meetings.models import Apology
from sessions.meetings.services import MeetingError
from tests.factories import UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def send_url(meeting) -> str:
    return reverse("meetings:send_apologies", kwargs={"pk": meeting.pk})


def test_a_member_sends_apologies_with_a_note(client_for, member, meeting):
    client = client_for("member")
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "A note to the leaders" in page
    assert "Please do not write about patients or cases." in page
    assert 'maxlength="300"' in page

    response = client.post(send_url(meeting), {"note": "  Away on a course \n that week. "})

    assert response.status_code == 302
    apology = Apology.objects.get(meeting=meeting, person=member)
    assert apology.note == "Away on a course that week."
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Your note to the leaders: <q>Away on a course that week.</q>" in page


def test_apologies_without_a_note_still_work(client_for, member, meeting):
    response = client_for("member").post(send_url(meeting), {})

    assert response.status_code == 302
    assert Apology.objects.get(meeting=meeting, person=member).note == ""


def test_a_note_over_300_characters_is_a_form_error_and_nothing_is_sent(
    client_for, member, meeting
):
    response = client_for("member").post(send_url(meeting), {"note": "x" * 301})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Please keep the note to 300 characters or fewer." in html
    assert "x" * 301 in html  # what they typed is kept
    assert not Apology.objects.exists()


def test_the_service_refuses_a_long_note(meeting, member):
    with pytest.raises(MeetingError, match="300 characters"):
        send_apologies(meeting=meeting, person=member, note="y" * 301)


def test_sending_again_replaces_the_note(meeting, member):
    send_apologies(meeting=meeting, person=member, note="First.")
    send_apologies(meeting=meeting, person=member, note="Second.")

    assert list(Apology.objects.values_list("note", flat=True)) == ["Second."]


def test_leaders_see_the_note_on_the_meeting_page_and_in_the_register(
    client_for, leader, member, group
):
    meeting = MeetingFactory(group=group)
    send_apologies(meeting=meeting, person=member, note="On call & late.")

    page = client_for("leader").get(meeting.get_absolute_url()).content.decode()

    assert "Note: <q>On call &amp; late.</q>" in page
    # The register of the meeting, once it has started (an hour ago).
    meeting.starts_at = timezone.now() - timedelta(hours=1)
    meeting.ends_at = meeting.starts_at + timedelta(minutes=90)
    group.memberships.update(joined_at=meeting.starts_at - timedelta(days=30))
    meeting.save()
    register = client_for("leader").get(reverse("meetings:register", kwargs={"pk": meeting.pk}))
    assert "Their note: <q>On call &amp; late.</q>" in register.content.decode()


@pytest.mark.parametrize("persona", ["member", "stranger", "programme_admin"])
def test_no_one_but_the_leaders_sees_another_persons_note(
    client_for, request, leader, member, meeting, persona
):
    other = UserFactory(display_name="Dr Ann Other", email="ann@example.org")
    meeting.group.memberships.create(person=other, status="active")
    send_apologies(meeting=meeting, person=other, note="A private reason.")
    request.getfixturevalue(persona)

    page = client_for(persona).get(meeting.get_absolute_url()).content.decode()

    assert "A private reason." not in page


def test_the_note_is_in_the_senders_personal_data(client, member, meeting):
    send_apologies(meeting=meeting, person=member, note="Away that week.")
    client.force_login(member)

    response = client.get(reverse("personal_data:json"))

    data = json.loads(response.content)
    assert [a["note"] for a in data["apologies"]] == ["Away that week."]
