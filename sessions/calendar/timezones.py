"""VTIMEZONE blocks as Outlook and Google write them: one STANDARD and one DAYLIGHT observance,
each with a yearly RRULE (RFC 5545 §3.6.5), worked out from the zone's two clock changes in
one year; a zone without daylight saving gets one STANDARD and no rule.

Blocks cut down to one-off transitions around the dates used are valid, but Outlook is reported
to mis-read them and show events an hour off (iCalcreator #86), and a summer meeting's block
then has no STANDARD at all.

Each change is written as "the nth (or last) weekday of the month at this wall-clock time",
which is how nearly every zone that changes its clocks does it. DTSTART is the first instance of
that rule in 1970, as both write it, so the rule covers every date we send. A zone whose changes
follow no such rule (Morocco's move with Ramadan) is left to the caller, which adds icalendar's
exact one-off transitions for the dates used instead: valid, and right, which a guessed rule
would not be.
"""

import calendar
import functools
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
EPOCH_YEAR = 1970


@dataclass(frozen=True)
class Change:
    """One clock change: the wall-clock time just before it, the offsets either side."""

    local: datetime  # naive, in the offset before the change
    offset_from: timedelta
    offset_to: timedelta
    name: str


def add_yearly_timezones(calendar: Calendar, *, year: int) -> None:
    """Put before the events a VTIMEZONE with yearly rules for every TZID they use that has one
    (see the module's docstring for the ones that do not)."""
    for tzid in sorted(calendar.get_missing_tzids()):
        component = vtimezone(tzid, year=year)
        if component is not None:
            calendar.subcomponents.insert(0, component)


def vtimezone(name: str, *, year: int) -> Timezone | None:
    """The VTIMEZONE of zone `name` with yearly rules taken from its clock changes in `year`, or
    None if it has no such rules (changes that are not the same weekday rule every year, or an
    unknown zone)."""
    changes = _yearly_changes(name, year)
    if changes is None:
        return None
    component = Timezone()
    component.add("TZID", name)
    if not changes:
        component.add_component(_fixed(zoneinfo.ZoneInfo(name), year))
    for change in changes:
        component.add_component(_observance(change))
    return component


@functools.lru_cache(maxsize=256)
def _yearly_changes(name: str, year: int) -> tuple[Change, ...] | None:
    """The zone's changes in `year`, standard first, if the same rules give those of the next
    two years; None otherwise. Cached: the scan takes milliseconds, and the thousands of
    reminders of one scan share a few zones."""
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    changes = clock_changes(zone, year)
    if changes and (
        len(changes) != 2 or any(_rule(c) != _rule(n) for c, n in _next_years(zone, changes, year))
    ):
        return None
    return tuple(sorted(changes, key=lambda change: change.offset_to))


def _next_years(zone, changes: list[Change], year: int):
    """Pairs of this year's changes with the next two years' (a rule must give them all)."""
    for later in (year + 1, year + 2):
        following = clock_changes(zone, later)
        if len(following) != len(changes):
            yield changes[0], None
            return
        yield from zip(changes, following, strict=True)


def _rule(change: Change | None) -> tuple | None:
    if change is None:
        return None
    nth, weekday = _nth_weekday(change.local.date())
    when = (change.local.month, nth, weekday, change.local.time())
    return (*when, change.offset_from, change.offset_to)


def clock_changes(zone: zoneinfo.ZoneInfo, year: int) -> list[Change]:
    """The changes of UTC offset during `year`, to the minute, in order."""
    changes = []
    start = datetime(year, 1, 1, tzinfo=UTC)
    day = timedelta(days=1)
    for n in range(366):
        low, high = start + n * day, start + (n + 1) * day
        if (
            high.year > year
            or low.astimezone(zone).utcoffset() == high.astimezone(zone).utcoffset()
        ):
            continue
        while high - low > timedelta(minutes=1):  # the change is somewhere in (low, high]
            middle = low + (high - low) / 2
            if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                low = middle
            else:
                high = middle
        before, after = low.astimezone(zone), high.astimezone(zone)
        instant = high.replace(second=0, microsecond=0)
        changes.append(
            Change(
                local=(instant + before.utcoffset()).replace(tzinfo=None),
                offset_from=before.utcoffset(),
                offset_to=after.utcoffset(),
                name=after.tzname() or "",
            )
        )
    return changes


def _observance(change: Change) -> TimezoneStandard | TimezoneDaylight:
    daylight = change.offset_to > change.offset_from
    observance = TimezoneDaylight() if daylight else TimezoneStandard()
    nth, weekday = _nth_weekday(change.local.date())
    first = _nth_weekday_date(EPOCH_YEAR, change.local.month, nth, weekday)
    observance.add("DTSTART", datetime.combine(first, change.local.time()))
    observance.add("TZOFFSETFROM", change.offset_from)
    observance.add("TZOFFSETTO", change.offset_to)
    if change.name:
        observance.add("TZNAME", change.name)
    observance.add(
        "RRULE", {"FREQ": "YEARLY", "BYMONTH": change.local.month, "BYDAY": f"{nth}{DAYS[weekday]}"}
    )
    return observance


def _fixed(zone: zoneinfo.ZoneInfo, year: int) -> TimezoneStandard:
    """One STANDARD for a zone whose offset does not change during `year`."""
    moment = datetime(year, 7, 1, tzinfo=UTC).astimezone(zone)
    standard = TimezoneStandard()
    standard.add("DTSTART", datetime(EPOCH_YEAR, 1, 1))
    standard.add("TZOFFSETFROM", moment.utcoffset())
    standard.add("TZOFFSETTO", moment.utcoffset())
    if moment.tzname():
        standard.add("TZNAME", moment.tzname())
    return standard


def _nth_weekday(day: date) -> tuple[int, int]:
    """(n, weekday) such that `day` is the nth weekday of its month, n = -1 for the last."""
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    nth = -1 if day.day + 7 > days_in_month else (day.day - 1) // 7 + 1
    return nth, day.weekday()


def _nth_weekday_date(year: int, month: int, nth: int, weekday: int) -> date:
    weeks = calendar.Calendar().monthdatescalendar(year, month)
    days = [d for week in weeks for d in week if d.month == month and d.weekday() == weekday]
    return days[-1] if nth == -1 else days[nth - 1]
