"""Reading an iTIP REPLY (RFC 5546 §3.2.3) out of an email, in the shapes calendar apps send.

iMIP (RFC 6047 §2.4) puts the calendar in a `text/calendar; method=REPLY` part. Outlook sends it
inline in a multipart/alternative; Gmail and Thunderbird add the same calendar again as an
`application/ics` attachment (`invite.ics`); Apple Calendar attaches it as a `text/calendar` file
with a name. Any one of those parts will do: they carry the same calendar.
"""

import email.message
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import getaddresses

from icalendar import Calendar

CALENDAR_TYPES = {"text/calendar", "application/ics", "text/x-vcalendar"}


class UnreadableReply(Exception):
    """The message carries no calendar answer we can read: it is set aside for a person."""


@dataclass(frozen=True)
class Reply:
    """One answer: a VEVENT of a calendar message, and who sent the message."""

    method: str  # REPLY; COUNTER and the rest are read so that they can be logged and refused
    uid: str
    organizer: str  # the address the invitation named: our signed reply address
    attendees: tuple[tuple[str, str], ...]  # (address, PARTSTAT) of each ATTENDEE, lower case
    stamped_at: datetime  # DTSTAMP: orders one person's answers (RFC 5546 §2.1.5)
    sender: str  # the From address, lower case
    message_id: str


def read_replies(message: email.message.Message) -> list[Reply]:
    """The answers `message` carries, one per VEVENT. Raises UnreadableReply if it has no
    calendar part, or its calendar cannot be parsed or lacks what every reply must have."""
    try:
        calendar, part_method = _calendar_of(message)
        method = str(calendar.get("METHOD") or part_method or "").upper()
        events = calendar.walk("VEVENT")
        if not events:
            raise UnreadableReply("the calendar has no VEVENT")
        sender = _address(str(message.get("From", "")))
        message_id = str(message.get("Message-ID", "")).strip()
        return [
            _reply(event, method=method, sender=sender, message_id=message_id) for event in events
        ]
    except UnreadableReply:
        raise
    except Exception as error:
        # Mail from anyone: whatever a hostile or broken message makes the parsers raise, it is
        # one message to set aside, never a failed run.
        raise UnreadableReply(f"{type(error).__name__}: {error}") from error


def _calendar_of(message: email.message.Message) -> tuple[Calendar, str]:
    problems = []
    for part in message.walk():
        if part.is_multipart() or not _is_calendar(part):
            continue
        try:
            payload = part.get_payload(decode=True) or b""
            text = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
            return Calendar.from_ical(text), str(part.get_param("method") or "")
        except (ValueError, LookupError) as error:  # the next calendar part may be readable
            problems.append(f"{part.get_content_type()}: {error}")
    raise UnreadableReply("; ".join(problems) or "the message has no calendar part")


def _is_calendar(part: email.message.Message) -> bool:
    if part.get_content_type() in CALENDAR_TYPES:
        return True
    # Some clients attach the file as application/octet-stream: its name says what it is.
    name = (part.get_filename() or "").lower()
    return name.endswith((".ics", ".ical", ".ifb"))


def _reply(event, *, method: str, sender: str, message_id: str) -> Reply:
    uid = str(event.get("UID") or "").strip()
    organizer = _address(str(event.get("ORGANIZER") or ""))
    stamp = event.get("DTSTAMP")
    if not uid or stamp is None:
        raise UnreadableReply("a VEVENT lacks its UID or DTSTAMP")
    stamped_at = stamp.dt
    if not isinstance(stamped_at, datetime):
        if not isinstance(stamped_at, date):
            raise UnreadableReply("DTSTAMP is not a date-time")
        stamped_at = datetime.combine(stamped_at, datetime.min.time())
    if stamped_at.tzinfo is None:
        stamped_at = stamped_at.replace(tzinfo=UTC)  # RFC 5545 §3.8.7.2: DTSTAMP is in UTC
    attendees = event.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    return Reply(
        method=method,
        uid=uid,
        organizer=organizer,
        attendees=tuple(
            (_address(str(attendee)), str(attendee.params.get("PARTSTAT", "NEEDS-ACTION")).upper())
            for attendee in attendees
        ),
        stamped_at=stamped_at.astimezone(UTC),
        sender=sender,
        message_id=message_id,
    )


def _address(value: str) -> str:
    """The bare address of a header (`Name <a@b>`) or a cal-address (`mailto:a@b`), lower case."""
    value = value.strip()
    if value.lower().startswith("mailto:"):
        return value[len("mailto:") :].strip().lower()
    found = getaddresses([value])
    return found[0][1].strip().lower() if found else ""
