"""A display name saved before names refused control characters (members/names.py) must not break
a calendar (issue 17, finding 5: a CR/LF in one's own name gave a 500 on one's feed)."""

import re

import pytest
from django.urls import reverse

from members.models import User
from sessions.calendar.ical import REQUEST, invitation
from sessions.calendar.tokens import issue_calendar_token
from tests.calendar.conftest import parse

pytestmark = pytest.mark.django_db

BAD_NAMES = [
    "Dr Mo\r\nX-INJECTED:1",
    "Dr Mo\nMember",
    "Dr Mo\rMember",
    '\x01=HYPERLINK("http://evil.example")',
    "Dr\tMo\x0bMember\x7f",
    "Dr Mo\u2028Member",
]
# Nothing but tab of the C0 controls, and no DEL, may appear in iCalendar text (RFC 5545 §3.1).
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def unfolded_lines(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def old_name(person, name: str) -> None:
    """Save `name` as it could have been saved before the forms refused it."""
    User.objects.filter(pk=person.pk).update(display_name=name)
    person.refresh_from_db()


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_feed_of_someone_with_a_control_character_in_their_name_still_opens(
    client, soon, member, name
):
    old_name(member, name)
    token = issue_calendar_token(person=member)

    response = client.get(reverse("calendar:feed", kwargs={"token": token}))

    assert response.status_code == 200
    text = response.content.decode()
    lines = unfolded_lines(text)
    assert not any(line.startswith("X-INJECTED") for line in lines)
    assert not CONTROL.search(text.replace("\r\n", ""))
    calendar = parse(text)
    assert str(calendar["NAME"]).startswith("Balint groups: ")
    assert "\n" not in str(calendar["NAME"]) and "\r" not in str(calendar["X-WR-CALNAME"])
    assert len(calendar.events) == 1


@pytest.mark.parametrize("name", BAD_NAMES)
def test_an_invitation_to_someone_with_a_control_character_in_their_name_is_valid(
    soon, member, name
):
    old_name(member, name)

    text = invitation([soon], method=REQUEST, person=member, private=True)

    assert not CONTROL.search(text.replace("\r\n", ""))
    (attendee,) = [line for line in unfolded_lines(text) if line.startswith("ATTENDEE")]
    assert member.email in attendee
    assert not any(line.startswith("X-INJECTED") for line in unfolded_lines(text))
    assert len(parse(text).events) == 1
