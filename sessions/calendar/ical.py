"""iCalendar (RFC 5545) objects for meetings, in the iTIP methods of RFC 5546.

- REQUEST for an invitation or an update, CANCEL (with STATUS:CANCELLED) when a meeting is
  cancelled or a person is no longer expected, PUBLISH for the subscription feed.
- One stable UID per meeting and SEQUENCE = the meeting's revision, which every change raises
  (sessions/meetings/changes.py), plus the recipient's own bumps (sequences.py): every calendar
  keeps one event that changes, never a duplicate (RFC 5546 §2.1.4: a higher SEQUENCE supersedes).
- Times carry the group's TZID with a VTIMEZONE for it, with yearly STANDARD and DAYLIGHT
  rules as Outlook and Google write them (timezones.py; RFC 5545 §3.6.5: every TZID must have
  its VTIMEZONE); groups on UTC get plain UTC times.
- The room and the online link appear only when `private` is true: the caller decides, from
  who the recipient is (members, leaders and booked tasters only: a group's room is where
  confidential cases are discussed, so outsiders are not told it).
"""

import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event, vCalAddress, vDuration
from icalendar.enums import CLASS
from icalendar.prop import vInline

from groups.models import Format
from members.names import one_line
from sessions.calendar.reply_address import replies_enabled, reply_address
from sessions.calendar.timezones import add_yearly_timezones
from sessions.meetings.models import Meeting

REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"
FEED_REFRESH = timedelta(hours=1)


def meeting_uid(meeting: Meeting) -> str:
    """The meeting's UID in every calendar: stable for its whole life (RFC 5545 §3.8.4.7)."""
    return f"meeting-{meeting.pk}@{settings.SITE_DOMAIN}"


def absolute_url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs or None)


def private_details(meeting: Meeting) -> tuple[str, str]:
    """The room and the online link that apply to the group's format (either may be empty)."""
    fmt = meeting.group.format
    room = meeting.room if fmt != Format.ONLINE else ""
    link = meeting.meeting_link if fmt != Format.IN_PERSON else ""
    return room, link


def invitation(
    meetings: Sequence[Meeting],
    *,
    method: str,
    person,
    private: bool,
    stamp: datetime | None = None,
    sequences: Mapping[int, int] | None = None,
    answers: bool = False,
) -> str:
    """A REQUEST or CANCEL for `person` (the ATTENDEE) about one or more meetings; `sequences`
    maps a meeting's id to the SEQUENCE to send (sequences.py; the revision if missing).
    `answers`: a REQUEST asks for Accept or Decline (RSVP), if REPLIES_ADDRESS is set."""
    stamp = stamp or timezone.now()
    sequences = sequences or {}
    events = [
        _event(
            meeting,
            method=method,
            person=person,
            private=private,
            stamp=stamp,
            sequence=sequences.get(meeting.pk),
            answers=answers,
        )
        for meeting in meetings
    ]
    if method == REQUEST:
        for event in events:
            _add_alarms(event, person)
    return _serialise(events, method=method, meetings=meetings)


def _add_alarms(event: Event, person) -> None:
    """The person's reminder choice (24 h, 2 h, both or none) as display alarms: their
    calendar reminds them as our emails do (RFC 5545 §3.6.6)."""
    for hours in getattr(person, "reminder_hours", []):
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        # Hours, not days: "-P1D" is a nominal day, 23 or 25 hours across a clock change, and
        # the emailed reminder comes exactly 24 hours before.
        alarm.add("TRIGGER", vInline(f"-PT{hours}H"))
        alarm.add("DESCRIPTION", f"{event['SUMMARY']} in {hours} hours")
        event.add_component(alarm)


def feed(meetings: Sequence[Meeting], *, person, sequences: Mapping[int, int] | None = None) -> str:
    """A PUBLISH calendar of the person's meetings for their subscription feed.

    DTSTAMP is the last change of each meeting or its group rather than now, so the same data
    gives the same bytes and the feed's ETag says whether anything changed.
    """
    sequences = sequences or {}
    events = [
        _event(
            meeting,
            method=PUBLISH,
            person=None,
            private=True,  # a feed lists only meetings its owner is expected at
            stamp=max(meeting.updated_at, meeting.group.updated_at),
            sequence=sequences.get(meeting.pk),
        )
        for meeting in meetings
    ]
    return _serialise(events, method=PUBLISH, meetings=meetings, feed_of=person)


def one_meeting(meeting: Meeting, *, person, sequence: int, stamp: datetime | None = None) -> str:
    """One meeting as a file to open in a calendar ("Add to calendar"), for someone expected at
    it: PUBLISH (RFC 5546 §3.2.1: no ATTENDEE), with the invitation's UID and the SEQUENCE last
    sent to `person`, so a calendar that has the invite keeps one event; the person's alarms."""
    event = _event(
        meeting,
        method=PUBLISH,
        person=None,
        private=True,
        stamp=stamp or timezone.now(),
        sequence=sequence,
    )
    if not meeting.is_cancelled:
        _add_alarms(event, person)
    return _serialise([event], method=PUBLISH, meetings=[meeting])


def _serialise(
    events: list[Event], *, method: str, meetings: Sequence[Meeting], feed_of=None
) -> str:
    calendar = Calendar.new(
        method=method,
        prodid=f"-//{settings.SITE_NAME}//{settings.SITE_DOMAIN}//EN",
        subcomponents=events,
    )
    # Calendar.new adds a random RFC 7986 UID to the VCALENDAR; the feed's must not change
    # between requests (its ETag), and messages need none.
    calendar.pop("UID", None)
    if feed_of is not None:
        _describe_feed(calendar, feed_of)
    if meetings:
        add_yearly_timezones(calendar, year=min(m.starts_at for m in meetings).year)
        # Only zones with no yearly rule are still missing: exact transitions for these dates.
        calendar.add_missing_timezones(
            first_date=min(m.starts_at for m in meetings).date() - timedelta(days=1),
            last_date=max(m.ends_at for m in meetings).date() + timedelta(days=1),
        )
    return calendar.to_ical().decode()


def _describe_feed(calendar: Calendar, person) -> None:
    # one_line: a name saved before names refused control characters must not break the feed
    # (icalendar refuses a raw line break in NAME; RFC 5545 text allows no control characters).
    name = f"{settings.SITE_NAME}: {one_line(str(person))}"
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    # How often subscribers should fetch again (RFC 7986 §5.7; Outlook reads X-PUBLISHED-TTL).
    calendar.add("REFRESH-INTERVAL", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(FEED_REFRESH))


def _event(
    meeting: Meeting,
    *,
    method: str,
    person,
    private: bool,
    stamp: datetime,
    sequence: int | None = None,
    answers: bool = False,
) -> Event:
    cancelled = method == CANCEL or meeting.is_cancelled
    zone = _zone(meeting.group.time_zone)
    room, link = private_details(meeting) if private and not cancelled else ("", "")
    return Event.new(
        uid=meeting_uid(meeting),
        sequence=meeting.revision if sequence is None else sequence,
        stamp=stamp.astimezone(UTC),
        created=meeting.created_at.astimezone(UTC),
        last_modified=meeting.updated_at.astimezone(UTC),
        start=meeting.starts_at.astimezone(zone),
        end=meeting.ends_at.astimezone(zone),
        summary=("Cancelled: " if cancelled else "") + f"Balint group: {meeting.group.name}",
        description=_description(meeting, room=room, link=link, private=private),
        location=room or link or None,
        url=link or absolute_url("meetings:detail", pk=meeting.pk),
        status="CANCELLED" if cancelled else "CONFIRMED",
        # Shared calendars show colleagues "busy", not the group (RFC 5545 §3.8.1.3).
        classification=CLASS.PRIVATE,
        organizer=_organizer(meeting, person if method != PUBLISH else None),
        # RFC 5546 §3.2.1: a PUBLISH carries no ATTENDEE; REQUEST and CANCEL name the person.
        attendees=(
            [_attendee(person, rsvp=answers and method == REQUEST and replies_enabled())]
            if person is not None and method != PUBLISH
            else None
        ),
    )


def _zone(name: str):
    # UTC groups get times ending in Z and no VTIMEZONE at all.
    return UTC if name in {"UTC", "Etc/UTC"} else zoneinfo.ZoneInfo(name)


def _organizer(meeting: Meeting, person) -> vCalAddress:
    # The site sends on the group's behalf. With REPLIES_ADDRESS set, a person's copy names the
    # address signed for them and this meeting, where their calendar's answer is read
    # (replies.py); their CANCELs name it too, as calendars match a CANCEL to its organiser.
    # Without it, answers would go nowhere, hence RSVP=FALSE below.
    if person is not None and replies_enabled():
        address = reply_address(meeting_id=meeting.pk, person_id=person.pk)
    else:
        address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    return vCalAddress.new(address, cn=meeting.group.name)


def _attendee(person, *, rsvp: bool) -> vCalAddress:
    return vCalAddress.new(
        person.email,
        cn=one_line(str(person)),
        role="REQ-PARTICIPANT",
        partstat="NEEDS-ACTION",
        rsvp=rsvp,
    )


def _description(meeting: Meeting, *, room: str, link: str, private: bool) -> str:
    lines = [f"A meeting of {meeting.group.name}, a Balint group."]
    if meeting.is_cancelled:
        lines.append("This meeting is cancelled.")
        if private and meeting.cancel_reason:
            lines.append(f"Reason: {meeting.cancel_reason}")
    if room:
        lines.append(f"Room: {room}")
    if link:
        lines.append(f"Online: {link}")
    if room or link:
        lines.append("Please keep these details, and everything said in the group, within it.")
    lines.append(f"Details and apologies: {absolute_url('meetings:detail', pk=meeting.pk)}")
    return "\n".join(lines)
