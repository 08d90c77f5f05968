import zoneinfo
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
