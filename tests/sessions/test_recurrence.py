"""Recurrence rules and daylight-saving time, without the database."""

import zoneinfo
from datetime import UTC, date, datetime, time

import pytest

from sessions.meetings.models import Frequency, Weekday, WeekOfMonth
from sessions.meetings.schedule import ScheduleSpec, local_to_utc, rhythm_in_words

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
NEW_YEAR = datetime(2026, 1, 1, tzinfo=UTC)
YEAR_END = datetime(2027, 1, 1, tzinfo=UTC)


def spec(**overrides) -> ScheduleSpec:
    fields = {
        "frequency": Frequency.MONTHLY,
        "weekday": Weekday.TUESDAY,
        "week_of_month": WeekOfMonth.SECOND,
        "start_date": date(2026, 1, 1),
        "start_time": time(19, 30),
        "duration_minutes": 90,
        "time_zone": "Europe/London",
    }
    return ScheduleSpec(**(fields | overrides))


def local_starts(rule: ScheduleSpec, zone=LONDON, after=NEW_YEAR, before=YEAR_END):
    return [o.starts_at.astimezone(zone) for o in rule.occurrences(after=after, before=before)]


def test_rrule_strings_for_every_frequency():
    assert spec().rrule_string() == "FREQ=MONTHLY;BYDAY=2TU"
    assert spec(week_of_month=WeekOfMonth.LAST).rrule_string() == "FREQ=MONTHLY;BYDAY=-1TU"
    assert (
        spec(
            frequency=Frequency.TWICE_MONTHLY,
            weekday=Weekday.WEDNESDAY,
            week_of_month=WeekOfMonth.THIRD,
            second_week_of_month=WeekOfMonth.FIRST,
        ).rrule_string()
        == "FREQ=MONTHLY;BYDAY=1WE,3WE"
    )
    assert spec(frequency=Frequency.WEEKLY).rrule_string() == "FREQ=WEEKLY;BYDAY=TU"
    assert (
        spec(frequency=Frequency.FORTNIGHTLY, weekday=Weekday.WEDNESDAY).rrule_string()
        == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
    )
    assert (
        spec(frequency=Frequency.BLOCK, block_length=4).rrule_string()
        == "FREQ=WEEKLY;BYDAY=TU;COUNT=4"
    )


def test_monthly_second_tuesday_is_1930_in_london_in_january_and_july():
    starts = local_starts(spec())

    assert len(starts) == 12
    assert all((s.hour, s.minute) == (19, 30) for s in starts)
    assert all(s.weekday() == 1 and 8 <= s.day <= 14 for s in starts)
    january, july = starts[0], starts[6]
    assert january.date() == date(2026, 1, 13)
    assert july.date() == date(2026, 7, 14)
    # The same wall clock is a different instant in winter (GMT) and summer (BST).
    assert january.astimezone(UTC).hour == 19
    assert july.astimezone(UTC).hour == 18


def test_weekly_keeps_wall_clock_across_both_london_clock_changes():
    # Sundays: 29 March and 25 October 2026 are the days the clocks change.
    rule = spec(frequency=Frequency.WEEKLY, weekday=Weekday.SUNDAY, start_date=date(2026, 3, 1))
    starts = local_starts(rule, after=datetime(2026, 3, 20, tzinfo=UTC))

    by_day = {s.date(): s for s in starts}
    for day in [date(2026, 3, 22), date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 1)]:
        assert (by_day[day].hour, by_day[day].minute) == (19, 30)
    assert by_day[date(2026, 3, 22)].utcoffset().total_seconds() == 0
    assert by_day[date(2026, 3, 29)].utcoffset().total_seconds() == 3600
    assert by_day[date(2026, 10, 25)].utcoffset().total_seconds() == 0


def test_new_york_keeps_wall_clock_across_its_own_clock_changes():
    # New York changes on 8 March and 1 November 2026, weeks apart from London.
    rule = spec(
        frequency=Frequency.WEEKLY,
        weekday=Weekday.THURSDAY,
        start_time=time(18, 0),
        time_zone="America/New_York",
    )
    starts = local_starts(rule, zone=NEW_YORK)

    assert all((s.hour, s.minute) == (18, 0) for s in starts)
    winter = next(s for s in starts if s.date() == date(2026, 3, 5))
    summer = next(s for s in starts if s.date() == date(2026, 3, 12))
    assert winter.astimezone(UTC).hour == 23
    assert summer.astimezone(UTC).hour == 22


def test_months_without_a_fifth_tuesday_have_no_meeting():
    starts = local_starts(spec(week_of_month=WeekOfMonth.FIFTH))

    assert [s.date() for s in starts] == [
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 9, 29),
        date(2026, 12, 29),
    ]


def test_last_friday_of_every_month():
    starts = local_starts(spec(weekday=Weekday.FRIDAY, week_of_month=WeekOfMonth.LAST))

    assert len(starts) == 12
    assert starts[0].date() == date(2026, 1, 30)
    assert starts[1].date() == date(2026, 2, 27)
    assert starts[4].date() == date(2026, 5, 29)  # May has five Fridays: the 5th is the last


def test_twice_a_month_on_the_first_and_third_wednesday():
    rule = spec(
        frequency=Frequency.TWICE_MONTHLY,
        weekday=Weekday.WEDNESDAY,
        week_of_month=WeekOfMonth.FIRST,
        second_week_of_month=WeekOfMonth.THIRD,
        start_time=time(13, 0),
        duration_minutes=60,
    )
    starts = local_starts(rule, before=datetime(2026, 3, 1, tzinfo=UTC))

    assert [s.date() for s in starts] == [
        date(2026, 1, 7),
        date(2026, 1, 21),
        date(2026, 2, 4),
        date(2026, 2, 18),
    ]


def test_fortnightly_counts_weeks_from_the_first_date():
    rule = spec(
        frequency=Frequency.FORTNIGHTLY, weekday=Weekday.WEDNESDAY, start_date=date(2026, 1, 7)
    )
    starts = local_starts(rule, before=datetime(2026, 2, 10, tzinfo=UTC))

    assert [s.date() for s in starts] == [date(2026, 1, 7), date(2026, 1, 21), date(2026, 2, 4)]


def test_a_four_week_block_has_four_meetings_and_then_stops():
    rule = spec(
        frequency=Frequency.BLOCK,
        weekday=Weekday.WEDNESDAY,
        block_length=4,
        start_date=date(2026, 3, 2),  # a Monday: the block starts on the Wednesday
    )
    starts = local_starts(rule)

    assert [s.date() for s in starts] == [
        date(2026, 3, 4),
        date(2026, 3, 11),
        date(2026, 3, 18),
        date(2026, 3, 25),
    ]


def test_a_block_half_over_only_has_its_remaining_meetings_ahead():
    rule = spec(frequency=Frequency.BLOCK, weekday=Weekday.WEDNESDAY, block_length=4)
    after = datetime(2026, 1, 15, tzinfo=UTC)

    assert [o.starts_at.date() for o in rule.next_occurrences(count=6, now=after)] == [
        date(2026, 1, 21),
        date(2026, 1, 28),
    ]


def test_duration_is_kept_in_absolute_time():
    starts = spec(duration_minutes=45).occurrences(after=NEW_YEAR, before=YEAR_END)

    assert all((o.ends_at - o.starts_at).total_seconds() == 45 * 60 for o in starts)


def test_next_occurrences_for_the_preview_start_after_now():
    now = datetime(2026, 1, 13, 19, 45, tzinfo=UTC)  # during January's meeting

    preview = spec().next_occurrences(count=3, now=now)

    assert [o.starts_at.astimezone(LONDON).date() for o in preview] == [
        date(2026, 2, 10),
        date(2026, 3, 10),
        date(2026, 4, 14),
    ]


def test_a_time_the_clocks_skip_does_not_exist():
    assert local_to_utc(date(2026, 3, 29), time(1, 30), "Europe/London") is None
    assert local_to_utc(date(2026, 3, 29), time(2, 30), "Europe/London") is not None
    assert local_to_utc(date(2026, 7, 1), time(19, 30), "Europe/London") == datetime(
        2026, 7, 1, 18, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({}, "Monthly, 2nd Tuesday, 19:30–21:00, Europe/London"),
        ({"week_of_month": WeekOfMonth.LAST}, "Monthly, last Tuesday, 19:30–21:00, Europe/London"),
        (
            {
                "frequency": Frequency.TWICE_MONTHLY,
                "weekday": Weekday.WEDNESDAY,
                "week_of_month": WeekOfMonth.THIRD,
                "second_week_of_month": WeekOfMonth.FIRST,
                "start_time": time(12, 30),
                "duration_minutes": 60,
            },
            "Twice a month, 1st and 3rd Wednesday, 12:30–13:30, Europe/London",
        ),
        ({"frequency": Frequency.WEEKLY}, "Weekly, Tuesday, 19:30–21:00, Europe/London"),
        (
            {"frequency": Frequency.FORTNIGHTLY, "time_zone": "America/New_York"},
            "Fortnightly, Tuesday, 19:30–21:00, America/New_York",
        ),
        (
            {"frequency": Frequency.BLOCK, "block_length": 4, "start_date": date(2026, 3, 2)},
            "4 weekly meetings from 3 March 2026, Tuesday, 19:30–21:00, Europe/London",
        ),
    ],
)
def test_rhythm_in_words(overrides, words):
    assert rhythm_in_words(spec(**overrides)) == words
