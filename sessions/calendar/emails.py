"""What calendar emails say about a meeting, in the recipient's own time zone with the group's
noted, and the outbox rows that carry them (rendered under the recipient's zone)."""

import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import datetime

from django.utils.dateformat import format as date_format

from balint.outbox.services import OutgoingEmail
from groups.agreements.models import AgreementVersion
from sessions.calendar.ical import absolute_url, invitation, private_details
from sessions.meetings.models import AttendanceRole, Meeting

DAY = "l j F Y"


def zone_named(name: str | None, fallback: str = "Europe/London") -> zoneinfo.ZoneInfo:
    """The zone called `name`, or the fallback if the name is empty or unknown (never a crash
    in a scan of thousands because one stored name went bad)."""
    try:
        return zoneinfo.ZoneInfo(name or fallback)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(fallback)


def when_text(starts_at: datetime, ends_at: datetime, zone: zoneinfo.ZoneInfo) -> str:
    """E.g. "Tuesday 14 April 2026, 19:30–21:00 (Europe/London)"."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    return f"{date_format(start, DAY)}, {start:%H:%M}–{end:%H:%M} ({zone.key})"


def meeting_context(meeting: Meeting, *, person, private: bool) -> dict:
    """One meeting as an email shows it to `person`: their time first, then the group's if it
    differs; the room and link only if `private`."""
    mine = zone_named(person.time_zone)
    group_zone = zone_named(meeting.group.time_zone)
    room, link = private_details(meeting) if private else ("", "")
    return {
        "meeting": meeting,
        "when": when_text(meeting.starts_at, meeting.ends_at, mine),
        "group_when": (
            ""
            if mine.key == group_zone.key
            else when_text(meeting.starts_at, meeting.ends_at, group_zone)
        ),
        "day": date_format(meeting.starts_at.astimezone(mine), "D j M Y"),
        "start": f"{meeting.starts_at.astimezone(mine):%H:%M}",
        "room": room,
        "link": link,
        "url": absolute_url("meetings:detail", pk=meeting.pk),
        "reason": meeting.cancel_reason if private else "",
    }


def links() -> dict:
    return {
        "calendar_url": absolute_url("calendar:page"),
        "mine_url": absolute_url("meetings:mine"),
        "profile_url": absolute_url("members:profile"),
    }


def agreement_link(group_id: int) -> str:
    """The group agreement's page, for someone new to the group (a member joining, a taster
    booking) who accepts it before their first meeting; empty if the group has none. Asked once
    per change, not per email."""
    version = AgreementVersion.objects.filter(group_id=group_id).select_related("group").first()
    if version is None:
        return ""
    return absolute_url("meetings:agreement", slug=version.group.slug)


def asks_for_answers(role: str | None) -> bool:
    """Whether a REQUEST to someone in this role asks for Accept or Decline: members' and
    leaders' answers are read (replies.py); tasters' are not."""
    return role in {AttendanceRole.MEMBER, AttendanceRole.LEADER}


def calendar_email(
    *,
    key: str,
    person,
    meetings: Sequence[Meeting],
    method: str,
    template: str,
    private: bool,
    old: tuple[datetime, datetime] | None = None,
    sequences: Mapping[int, int] | None = None,
    **context,
) -> OutgoingEmail:
    """An email to `person` with an iCalendar part for `meetings` (all of one group); `old` is
    a moved meeting's previous start and end, `sequences` the SEQUENCE of each (sequences.py)."""
    shown = [meeting_context(meeting, person=person, private=private) for meeting in meetings]
    old_when = when_text(*old, zone_named(person.time_zone)) if old else ""
    return OutgoingEmail(
        key=key,
        to=person.email,
        template=template,
        context={
            **links(),
            "person": person,
            "group": meetings[0].group,
            "meetings": shown,
            "first": shown[0],
            "private": private,
            "old_when": old_when,
            "agreement_url": "",  # agreement_link(), for newcomers
            **context,
        },
        ical=invitation(
            meetings,
            method=method,
            person=person,
            private=private,
            sequences=sequences,
            answers=asks_for_answers(context.get("role")),
        ),
        ical_method=method,
        time_zone=zone_named(person.time_zone).key,
    )
