import zoneinfo
from datetime import datetime, time, timedelta, tzinfo
from functools import cache

from django.core.exceptions import ValidationError

DEFAULT_TIME_ZONE = "Europe/London"


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(
        zone
        for zone in zoneinfo.available_timezones()
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "posix/", "right/"))
    )
    return [("UTC", "UTC"), *((zone, zone.replace("_", " ")) for zone in zones)]


def validate_time_zone(value: str) -> None:
    if value not in dict(time_zone_choices()):
        raise ValidationError("%(value)s is not a time zone we know.", params={"value": value})


def next_midnight(zone: tzinfo, now: datetime) -> datetime:
    """When the date in `zone` next changes after `now`. Where a summer-time switch skips
    midnight, that is the switch (a time in the gap is read with the offset before it)."""
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time.min, tzinfo=zone)
