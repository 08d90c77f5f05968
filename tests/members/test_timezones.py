"""`next_midnight`: when the date in a zone next changes, summer-time switches included."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from members.timezones import next_midnight

SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    "zone",
    [
        "Europe/London",
        "America/New_York",
        "Pacific/Auckland",
        # Their clocks skip midnight in 2026 (Santiago on 6 September, Beirut on 29 March), and
        # Santiago's turn back from midnight to 23:00 on 4 April.
        "America/Santiago",
        "Asia/Beirut",
    ],
)
def test_the_date_changes_at_next_midnight_and_not_before_every_hour_of_a_year(zone):
    zone = ZoneInfo(zone)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    while now.year == 2026:
        today = now.astimezone(zone).date()

        midnight = next_midnight(zone, now)

        assert midnight > now
        assert (midnight - SECOND).astimezone(zone).date() == today
        assert midnight.astimezone(zone).date() == today + timedelta(days=1)
        now += timedelta(minutes=90)


def test_where_the_clock_skips_midnight_the_day_begins_at_the_switch():
    santiago = ZoneInfo("America/Santiago")
    # 23:00 on 5 September, the clocks go from 24:00 to 01:00 (04:00 UTC).
    now = datetime(2026, 9, 6, 2, 0, tzinfo=UTC)

    midnight = next_midnight(santiago, now)

    assert midnight.astimezone(UTC) == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
