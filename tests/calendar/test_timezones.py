"""VTIMEZONE blocks carry yearly STANDARD and DAYLIGHT rules, as Outlook and Google write them,
and the rules give the zone's real offset at every moment of the coming years."""

import bisect
import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from sessions.calendar.ical import REQUEST, invitation
from sessions.calendar.timezones import clock_changes, vtimezone
from tests.calendar.conftest import meeting_on, parse
from tests.factories import BalintGroupFactory


def observances(block) -> dict[str, dict]:
    return {
        component.name: {
            "start": component.DTSTART,
            "from": component["TZOFFSETFROM"].td,
            "to": component["TZOFFSETTO"].td,
            "rule": component["RRULE"].to_ical().decode() if "RRULE" in component else None,
        }
        for component in block.subcomponents
    }


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


@pytest.mark.parametrize(
    ("zone", "daylight", "standard"),
    [
        (
            "Europe/London",
            (datetime(1970, 3, 29, 1), hours(0), hours(1), "BYMONTH=3", "BYDAY=-1SU"),
            (datetime(1970, 10, 25, 2), hours(1), hours(0), "BYMONTH=10", "BYDAY=-1SU"),
        ),
        (
            "America/New_York",
            (datetime(1970, 3, 8, 2), hours(-5), hours(-4), "BYMONTH=3", "BYDAY=2SU"),
            (datetime(1970, 11, 1, 2), hours(-4), hours(-5), "BYMONTH=11", "BYDAY=1SU"),
        ),
        (  # the southern hemisphere: summer time from October to April
            "Australia/Sydney",
            (datetime(1970, 10, 4, 2), hours(10), hours(11), "BYMONTH=10", "BYDAY=1SU"),
            (datetime(1970, 4, 5, 3), hours(11), hours(10), "BYMONTH=4", "BYDAY=1SU"),
        ),
    ],
)
def test_a_zone_with_summer_time_gets_yearly_standard_and_daylight_rules(zone, daylight, standard):
    found = observances(vtimezone(zone, year=2026))

    assert set(found) == {"DAYLIGHT", "STANDARD"}
    for name, (start, offset_from, offset_to, month, day) in (
        ("DAYLIGHT", daylight),
        ("STANDARD", standard),
    ):
        observance = found[name]
        assert observance["start"] == start
        assert (observance["from"], observance["to"]) == (offset_from, offset_to)
        assert observance["rule"].startswith("FREQ=YEARLY")
        assert month in observance["rule"] and day in observance["rule"]


def test_a_zone_without_summer_time_gets_one_standard_and_no_rule():
    block = vtimezone("Asia/Kolkata", year=2026)

    assert observances(block) == {
        "STANDARD": {
            "start": datetime(1970, 1, 1),
            "from": hours(5.5),
            "to": hours(5.5),
            "rule": None,
        }
    }


def onsets_by_the_rules(block, *, until: int) -> list[tuple[datetime, timedelta]]:
    """(UTC instant, offset from then on) of every onset the VTIMEZONE's observances give up to
    `until`, in order, as a calendar client expands them: each rule's local times (in the offset
    before the change) from its DTSTART."""
    onsets = []
    for component in block.subcomponents:
        start, offset_from = component.DTSTART, component["TZOFFSETFROM"].td
        if "RRULE" in component:
            rule = rrulestr(component["RRULE"].to_ical().decode(), dtstart=start)
            local_times = rule.between(start, datetime(until, 12, 31), inc=True)
        else:
            local_times = [start]
        onsets += [(local - offset_from, component["TZOFFSETTO"].td) for local in local_times]
    return sorted(onsets)


def offset_at(onsets: list[tuple[datetime, timedelta]], moment: datetime) -> timedelta:
    latest = bisect.bisect_right(onsets, (moment, timedelta.max)) - 1
    return onsets[latest][1]


@pytest.mark.parametrize(
    "zone",
    ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Pacific/Auckland"],
)
def test_the_rules_give_the_zones_real_offset_for_years_ahead(zone):
    block = vtimezone(zone, year=2026)
    tz = zoneinfo.ZoneInfo(zone)
    moments = [datetime(2026, 1, 1, 5, tzinfo=UTC) + n * hours(17) for n in range(2600)]
    # and every half hour on the days around each real change in those years
    for year in range(2026, 2031):
        for change in clock_changes(tz, year):
            instant = (change.local - change.offset_from).replace(tzinfo=UTC)
            moments += [instant + timedelta(minutes=m) for m in range(-180, 181, 30)]
    onsets = onsets_by_the_rules(block, until=2031)
    for moment in moments:
        expected = moment.astimezone(tz).utcoffset()
        assert offset_at(onsets, moment.replace(tzinfo=None)) == expected, moment


def test_a_zone_whose_changes_follow_no_yearly_rule_gets_none():
    # Morocco leaves summer time for Ramadan, which moves every year.
    assert vtimezone("Africa/Casablanca", year=2026) is None


@pytest.mark.django_db
def test_a_summer_meetings_invitation_has_both_rules(member):
    group = BalintGroupFactory(time_zone="Europe/London")
    next_july = date(datetime.now(UTC).year + 1, 7, 14)
    meeting = meeting_on(group, next_july)

    calendar = parse(invitation([meeting], method=REQUEST, person=member, private=True))

    [block] = calendar.walk("VTIMEZONE")
    assert str(block["TZID"]) == "Europe/London"
    assert set(observances(block)) == {"DAYLIGHT", "STANDARD"}
    assert all(o["rule"] for o in observances(block).values())


@pytest.mark.django_db
def test_a_zone_without_a_yearly_rule_still_gets_its_exact_transitions(member):
    group = BalintGroupFactory(time_zone="Africa/Casablanca")
    meeting = meeting_on(group, date(datetime.now(UTC).year + 1, 7, 14))

    calendar: Calendar = parse(invitation([meeting], method=REQUEST, person=member, private=True))

    [block] = calendar.walk("VTIMEZONE")
    assert str(block["TZID"]) == "Africa/Casablanca"
    assert block.subcomponents
