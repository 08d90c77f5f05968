"""Calendar answers as four calendar apps send them, built from their documented iMIP shapes
(RFC 6047), for the reply tests. Each builder returns the message's bytes, as it would be
delivered to the organiser's mailbox.

- Outlook / Microsoft 365: multipart/alternative of text/plain, text/html and an inline
  `text/calendar; method=REPLY` part in base64; Exchange's PRODID, VTIMEZONE, MAILTO: in capitals.
- Gmail: multipart/mixed of a multipart/alternative (text/plain, text/html,
  `text/calendar; method=REPLY`) and the same calendar again as an `application/ics` attachment
  named invite.ics.
- Apple Calendar (macOS Mail): multipart/mixed of text/plain and the calendar as a
  `text/calendar; method=REPLY` attachment with a file name, quoted-printable.
- Thunderbird: multipart/mixed of a multipart/alternative (text/plain,
  `text/calendar; method=REPLY` in 8bit) and an `application/ics` invite.ics attachment.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid


@dataclass(frozen=True)
class Answer:
    """What a reply says; the defaults make a genuine one from the invitation's values."""

    uid: str
    organizer: str  # the invitation's ORGANIZER address
    attendee: str  # the invited person's address
    partstat: str = "DECLINED"
    stamp: datetime = field(default_factory=lambda: datetime.now(UTC))
    sender: str = ""  # From; the attendee's address if empty
    method: str = "REPLY"
    sequence: int = 0
    name: str = "Dr Mo Member"

    @property
    def from_address(self) -> str:
        return self.sender or self.attendee


def ics(answer: Answer, *, prodid: str, mailto: str = "mailto:", extra: str = "") -> str:
    """The REPLY calendar (RFC 5546 §3.2.3: METHOD, ORGANIZER, one ATTENDEE, UID, SEQUENCE,
    DTSTAMP), with an app's own PRODID and additions."""
    stamp = answer.stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{prodid}",
        "VERSION:2.0",
        f"METHOD:{answer.method}",
        "BEGIN:VEVENT",
        f"ORGANIZER:{mailto}{answer.organizer}",
        f"ATTENDEE;PARTSTAT={answer.partstat};CN={answer.name}:{mailto}{answer.attendee}",
        f"UID:{answer.uid}",
        f"SEQUENCE:{answer.sequence}",
        f"DTSTAMP:{stamp}",
        "DTSTART:20300101T193000Z",
        "DTEND:20300101T210000Z",
        f"SUMMARY:{answer.partstat.capitalize()}: Balint group",
        *([extra] if extra else []),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


def _headers(message, answer: Answer, subject_word: str) -> None:
    message["From"] = f"{answer.name} <{answer.from_address}>"
    message["To"] = answer.organizer
    message["Subject"] = f"{subject_word}: Balint group"
    message["Date"] = format_datetime(answer.stamp)
    message["Message-ID"] = make_msgid(domain="client.example")


def _word(answer: Answer) -> str:
    return {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"}.get(
        answer.partstat, "Reply"
    )


def outlook(answer: Answer) -> bytes:
    calendar = ics(
        answer,
        prodid="Microsoft Exchange Server 2010",
        mailto="MAILTO:",
        extra="X-MICROSOFT-CDO-APPT-SEQUENCE:0\r\nX-MICROSOFT-CDO-OWNERAPPTID:-1",
    )
    message = MIMEMultipart("alternative")
    _headers(message, answer, _word(answer))
    message["Thread-Topic"] = "Balint group"
    message.attach(MIMEText("", "plain", "utf-8"))
    message.attach(MIMEText("<html><body></body></html>", "html", "utf-8"))
    part = MIMEText(calendar, "calendar", "utf-8")  # base64, as Exchange sends it
    part.set_param("method", answer.method)
    message.attach(part)
    return message.as_bytes()


def gmail(answer: Answer) -> bytes:
    calendar = ics(
        answer,
        prodid="-//Google Inc//Google Calendar 70.9054//EN",
        extra="X-GOOGLE-CONFERENCE:",
    )
    word = _word(answer)
    message = MIMEMultipart("mixed")
    _headers(message, answer, f"Invitation: {word}")
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(f"{answer.name} has {word.lower()} this invitation.", "plain"))
    alternative.attach(MIMEText(f"<p>{answer.name} has {word.lower()}.</p>", "html"))
    inline = MIMEText(calendar, "calendar", "utf-8")
    inline.replace_header("Content-Transfer-Encoding", "7bit")
    inline.set_payload(calendar)
    inline.set_param("method", answer.method)
    alternative.attach(inline)
    message.attach(alternative)
    attached = MIMEApplication(calendar.encode(), "ics", name="invite.ics")
    attached.add_header("Content-Disposition", "attachment", filename="invite.ics")
    message.attach(attached)
    return message.as_bytes()


def apple(answer: Answer) -> bytes:
    calendar = ics(
        answer,
        prodid="-//Apple Inc.//macOS 14.4//EN",
        extra="REQUEST-STATUS:2.0;Success\r\nTRANSP:OPAQUE",
    )
    message = EmailMessage()
    _headers(message, answer, _word(answer))
    message["Mime-Version"] = "1.0 (Mac OS X Mail 16.0)"
    message.set_content(f"{answer.name} has {_word(answer).lower()} your event.")
    message.add_attachment(
        calendar.encode(),
        maintype="text",
        subtype="calendar",
        filename="iCal-20300101-193000.ics",
        cte="quoted-printable",
        params={"method": answer.method, "charset": "utf-8"},
    )
    return message.as_bytes()


def thunderbird(answer: Answer) -> bytes:
    calendar = ics(
        answer,
        prodid="-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN",
        extra="X-MOZ-SEND-INVITATIONS:TRUE",
    )
    message = MIMEMultipart("mixed")
    _headers(message, answer, f"Invitation {_word(answer)}")
    message["User-Agent"] = "Mozilla Thunderbird"
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(f"{answer.name} has {_word(answer).lower()}.", "plain", "utf-8"))
    inline = MIMEText(calendar, "calendar", "utf-8")
    inline.replace_header("Content-Transfer-Encoding", "8bit")
    inline.set_payload(calendar)
    inline.set_param("method", answer.method)
    alternative.attach(inline)
    message.attach(alternative)
    attached = MIMEApplication(calendar.encode(), "ics", name="invite.ics")
    attached.add_header("Content-Disposition", "attachment", filename="invite.ics")
    message.attach(attached)
    return message.as_bytes()


def attachment_only(answer: Answer) -> bytes:
    """A reply forwarded by hand: text and the .ics as an application/ics attachment only."""
    calendar = ics(answer, prodid="-//Example//Forwarder//EN")
    message = MIMEMultipart("mixed")
    _headers(message, answer, _word(answer))
    message.attach(MIMEText("My answer is attached.", "plain"))
    attached = MIMEApplication(calendar.encode(), "ics", name="reply.ics")
    attached.add_header("Content-Disposition", "attachment", filename="reply.ics")
    message.attach(attached)
    return message.as_bytes()


CLIENTS: dict[str, Callable[[Answer], bytes]] = {
    "outlook": outlook,
    "gmail": gmail,
    "apple": apple,
    "thunderbird": thunderbird,
}
SHAPES = {**CLIENTS, "attachment-only": attachment_only}


def not_a_reply() -> bytes:
    """An out-of-office answer to an invitation: no calendar in it at all."""
    message = EmailMessage()
    message["From"] = "away@example.org"
    message["To"] = "replies@balint.example"
    message["Subject"] = "Automatic reply: Balint group"
    message["Message-ID"] = make_msgid(domain="client.example")
    message.set_content("I am away until Monday.")
    return message.as_bytes()


def broken_calendar(answer: Answer) -> bytes:
    """A calendar part whose text is not iCalendar at all."""
    message = MIMEMultipart("alternative")
    _headers(message, answer, "Declined")
    part = MIMEText("BEGIN:VCALENDAR\r\nthis is not a calendar", "calendar", "utf-8")
    part.set_param("method", "REPLY")
    message.attach(part)
    return message.as_bytes()
