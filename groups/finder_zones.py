"""The finder's "time difference from me": the time zones whose clock is within N hours of the
viewer's, today. Worked out over the list of zones in Python (a few hundred offsets, well under
a millisecond's worth of work each), so the query only gains `time_zone IN (...)`."""

import zoneinfo
from datetime import datetime, timedelta

from django.utils import timezone

from members.timezones import DEFAULT_TIME_ZONE, time_zone_choices


def viewer_zone(user, chosen: str = "") -> str:
    """The zone to measure from: the one the visitor chose, else the viewer's profile's."""
    if chosen:
        return chosen
    return getattr(user, "time_zone", "") or DEFAULT_TIME_ZONE


def zones_within(hours: int, of_zone: str, *, now: datetime | None = None) -> list[str]:
    """The names of the zones whose UTC offset at `now` is within `hours` of `of_zone`'s."""
    now = now or timezone.now()
    mine = now.astimezone(zoneinfo.ZoneInfo(of_zone)).utcoffset()
    limit = timedelta(hours=hours)
    return [
        name
        for name, _ in time_zone_choices()
        if abs(now.astimezone(zoneinfo.ZoneInfo(name)).utcoffset() - mine) <= limit
    ]
