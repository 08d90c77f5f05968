"""`{% load meetings %}`: a meeting's time in the viewer's zone with the group's zone noted."""

import zoneinfo

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from groups.models import Format

register = template.Library()

DAY = "l j F Y"
SHORT_DAY = "D j M Y"


def _times(meeting, zone) -> tuple[str, str]:
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    return start.strftime("%H:%M"), end.strftime("%H:%M")


@register.simple_tag
def meeting_when(meeting, short: bool = False) -> str:
    """E.g. "Tuesday 10 February 2026, 19:30–21:00 Europe/London"; a viewer in another zone
    sees their own time first and the group's time after it."""
    viewer = timezone.get_current_timezone()
    group_zone = zoneinfo.ZoneInfo(meeting.group.time_zone)
    start = meeting.starts_at.astimezone(viewer)
    day = date_format(start, SHORT_DAY if short else DAY)
    begins, ends = _times(meeting, viewer)
    if getattr(viewer, "key", str(viewer)) == group_zone.key:
        return format_html(
            '<time datetime="{}">{}, {}–{}</time> <span class="muted">{}</span>',
            meeting.starts_at.isoformat(),
            day,
            begins,
            ends,
            group_zone.key,
        )
    group_begins, group_ends = _times(meeting, group_zone)
    group_day = date_format(meeting.starts_at.astimezone(group_zone), "D j M")
    return format_html(
        '<time datetime="{}">{}, {}–{}</time> <span class="muted">your time ({}); '
        "the group meets {}, {}–{} {}</span>",
        meeting.starts_at.isoformat(),
        day,
        begins,
        ends,
        getattr(viewer, "key", str(viewer)),
        group_day,
        group_begins,
        group_ends,
        group_zone.key,
    )


@register.simple_tag
def meeting_where(meeting) -> str:
    """Where a meeting is, as anyone may know it: "Online", the town, or both."""
    group = meeting.group
    town = group.town or "In person"
    if group.format == Format.ONLINE:
        return "Online"
    if group.format == Format.HYBRID:
        return f"{town}, and online"
    return town


@register.filter
def local_date(value, zone_name: str) -> str:
    """A UTC datetime as a date in the group's zone (for previews of a schedule)."""
    return date_format(value.astimezone(zoneinfo.ZoneInfo(zone_name)), "l j F Y, H:i")
