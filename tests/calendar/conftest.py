"""Fixtures and helpers for the calendar tests, on top of the personas in tests/conftest.py."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from balint.outbox.models import Message
from tests.sessions.factories import MeetingFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")


def local(day: date, at: time, zone=LONDON) -> datetime:
    """A wall-clock time in a zone, as the aware UTC instant the database stores."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def next_clock_change(zone=LONDON, *, after: date | None = None) -> date:
    """The first day on which the zone's offset at noon differs from the day before's."""
    day = after or timezone.now().date()
    offset = datetime.combine(day, time(12), tzinfo=zone).utcoffset()
    for _ in range(400):
        day += timedelta(days=1)
        if datetime.combine(day, time(12), tzinfo=zone).utcoffset() != offset:
            return day
    raise AssertionError(f"{zone} has no clock change within a year")


def meeting_on(group, day: date, at: time = time(19, 30), minutes: int = 90, **fields):
    starts_at = local(day, at, zoneinfo.ZoneInfo(group.time_zone))
    return MeetingFactory(
        group=group, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes), **fields
    )


def parse(text: str) -> Calendar:
    return Calendar.from_ical(text)


def rows(prefix: str) -> list[Message]:
    return list(Message.objects.filter(key__startswith=prefix).order_by("key"))


def calendar_of(message: Message) -> Calendar:
    assert message.ical, f"{message.key} has no calendar part"
    return parse(message.ical)


@pytest.fixture
def hybrid_group(group):
    """The personas' group, meeting in a room and online (so both private details apply)."""
    group.format = "hybrid"
    group.save(update_fields=["format"])
    return group


@pytest.fixture
def soon(hybrid_group):
    """A meeting of the personas' group ten days from now at 19:30 London time."""
    return meeting_on(hybrid_group, timezone.now().date() + timedelta(days=10))
