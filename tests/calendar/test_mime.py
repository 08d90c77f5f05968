"""A calendar email as it leaves: multipart/alternative with the plain text, the HTML and the
calendar, whose `method=` matches the METHOD inside it (RFC 6047 §2.4)."""

import email
from email.message import Message as MimeMessage

import pytest
from django.core import mail

from balint.outbox.delivery import deliver
from groups import services as groups
from sessions.meetings.services import cancel_meeting
from tests.calendar.conftest import parse, rows

pytestmark = pytest.mark.django_db


def sent_as_mime() -> MimeMessage:
    [sent] = mail.outbox
    return email.message_from_bytes(sent.message().as_bytes())


def parts(message: MimeMessage) -> dict[str, MimeMessage]:
    assert message.get_content_type() == "multipart/alternative"
    return {part.get_content_type(): part for part in message.get_payload()}


@pytest.mark.parametrize("change", ["join", "cancel"])
def test_the_calendar_part_sits_beside_the_text_and_html_with_its_method(
    change, soon, leader, member, stranger
):
    if change == "join":
        groups.add_member_by_email(group=soon.group, email=stranger.email, by=leader)
        [message] = rows("calendar-join:")
        expected = "REQUEST"
    else:
        cancel_meeting(meeting=soon, by=leader, reason="Snow.")
        message = next(m for m in rows("cancel:") if m.to == [member.email])
        expected = "CANCEL"
    mail.outbox.clear()

    assert deliver(message.pk)

    found = parts(sent_as_mime())
    assert list(found) == ["text/plain", "text/html", "text/calendar"]
    calendar_part = found["text/calendar"]
    assert calendar_part.get_param("method") == expected
    body = calendar_part.get_payload(decode=True).decode(calendar_part.get_content_charset())
    assert parse(body)["METHOD"] == expected
