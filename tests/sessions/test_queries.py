"""The small query functions the groups layer's pages call, and the group page's include."""

import threading
from datetime import UTC, date, datetime, time, timedelta
from time import sleep

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groups.models import BalintGroup
from sessions.attendance.group_pages import (
    add_meetings_to_groups,
    next_meetings_for_groups,
    upcoming_meetings_for_group,
)
from sessions.meetings import schedule as schedule_module
from sessions.meetings.models import Frequency, Meeting, Weekday, WeekOfMonth
from sessions.meetings.queries import rhythms_for_groups
from sessions.meetings.schedule import ScheduleSpec, generate_meetings, rhythm_in_words
from sessions.meetings.services import cancel_meeting, set_schedule
from sessions.meetings.tasks import generate_meetings_for_schedule
from tests.factories import BalintGroupFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def monthly_spec(group) -> ScheduleSpec:
    return ScheduleSpec(
        frequency=Frequency.MONTHLY,
        weekday=Weekday.TUESDAY,
        week_of_month=WeekOfMonth.SECOND,
        start_date=date(2026, 1, 1),
        start_time=time(19, 30),
        duration_minutes=90,
        time_zone=group.time_zone,
    )


def soon(days: float) -> datetime:
    return timezone.now() + timedelta(days=days)


def test_upcoming_meetings_include_cancelled_ones_in_order(group, leader):
    MeetingFactory(group=group, starts_at=soon(-3))
    later = MeetingFactory(group=group, starts_at=soon(14))
    first = MeetingFactory(group=group, starts_at=soon(7))
    cancel_meeting(meeting=later, by=leader, reason="Snow.")

    upcoming = upcoming_meetings_for_group(group, limit=6)

    assert upcoming == [first, later]
    assert upcoming[1].is_cancelled
    assert upcoming_meetings_for_group(group, limit=1) == [first]


@pytest.mark.parametrize("number_of_groups", [2, 5, 40])
def test_next_meetings_for_groups_is_one_query_whatever_the_number_of_groups(
    django_assert_num_queries, number_of_groups
):
    groups = BalintGroupFactory.create_batch(number_of_groups)
    with_meetings = groups[:-1]  # the last has none
    for number, group in enumerate(with_meetings):
        MeetingFactory(group=group, starts_at=soon(-1))
        nearest = MeetingFactory(group=group, starts_at=soon(2 + number))
        MeetingFactory(group=group, starts_at=soon(30 + number))
        group.nearest = nearest
    cancelled = MeetingFactory(group=groups[0], starts_at=soon(1), status="cancelled")

    with django_assert_num_queries(1):
        found = next_meetings_for_groups([group.pk for group in groups])
        zones = {meeting.group.time_zone for meeting in found.values()}

    assert {pk: meeting.pk for pk, meeting in found.items()} == {
        group.pk: group.nearest.pk for group in with_meetings
    }
    assert cancelled.pk not in {meeting.pk for meeting in found.values()}
    assert zones == {"Europe/London"}


def test_rhythms_for_groups_in_one_query(group, other_group, leader, django_assert_num_queries):
    spec = ScheduleSpec(
        frequency=Frequency.MONTHLY,
        weekday=Weekday.TUESDAY,
        week_of_month=WeekOfMonth.SECOND,
        start_date=date(2026, 1, 1),
        start_time=time(19, 30),
        duration_minutes=90,
        time_zone=group.time_zone,
    )
    schedule, _ = set_schedule(group=group, by=leader, spec=spec)

    with django_assert_num_queries(1):
        rhythms = rhythms_for_groups([group.pk, other_group.pk])

    assert rhythms == {group.pk: "Monthly, 2nd Tuesday, 19:30–21:00, Europe/London"}
    assert rhythm_in_words(schedule) == rhythms[group.pk]


def test_add_meetings_to_groups_sets_next_meeting_and_rhythm_in_three_queries(
    group, other_group, leader, django_assert_num_queries
):
    set_schedule(group=group, by=leader, spec=monthly_spec(group))
    groups = list(BalintGroup.objects.filter(pk__in=[group.pk, other_group.pk]).order_by("pk"))

    # Next meetings (with their taster seats), rhythms, and the viewer's taster bookings.
    with django_assert_num_queries(3):
        add_meetings_to_groups(groups, leader)
        zones = [g.next_meeting.group.time_zone for g in groups if g.next_meeting]

    assert groups[0].rhythm.startswith("Monthly, 2nd Tuesday")
    assert groups[0].next_meeting == Meeting.objects.filter(group=group).first()
    assert (groups[1].rhythm, groups[1].next_meeting) == ("", None)
    assert zones == ["Europe/London"]


def test_the_group_page_shows_upcoming_meetings_private_places_and_reasons_to_insiders(
    client_for, django_client, group, leader, member, stranger
):
    MeetingFactory(group=group, starts_at=soon(7), place="The library, 2nd floor")
    cancel_meeting(
        meeting=MeetingFactory(group=group, starts_at=soon(14)), by=leader, reason="Snow."
    )

    for_member = client_for("member").get(group.get_absolute_url()).content.decode()
    for_public = django_client.get(group.get_absolute_url()).content.decode()

    assert "The library, 2nd floor" in for_member and "Snow." in for_member
    assert "The library" not in for_public and "Snow." not in for_public
    assert 'class="strike"' in for_public and "Cancelled" in for_public
    assert "Meetings and schedule" not in for_member


def test_the_finder_shows_each_groups_rhythm_and_next_meeting(django_client, group, leader):
    set_schedule(group=group, by=leader, spec=monthly_spec(group))
    first = Meeting.objects.filter(group=group).first()

    page = django_client.get("/groups/").content.decode()

    assert "Monthly, 2nd Tuesday, 19:30–21:00, Europe/London" in page
    assert first.get_absolute_url() in page


def test_the_generation_task_ignores_a_schedule_that_has_gone():
    assert generate_meetings_for_schedule(123456) == 0


# Where generate_meetings takes the group's lock (the one helper, groups.services.locks, by the
# name the schedule module calls it), and the step that reads the meetings already there.
GENERATION_LOCK = (schedule_module, "lock_group")
EXISTING_MEETINGS = (schedule_module, "_existing")


@pytest.fixture
def slow_reading(monkeypatch):
    """Each generation waits after reading the meetings already there, as a busy server might:
    without the lock, every run would read "none yet" before any writes."""
    read = getattr(*EXISTING_MEETINGS)

    def read_slowly(*args, **kwargs):
        found = read(*args, **kwargs)
        sleep(0.3)
        return found

    monkeypatch.setattr(*EXISTING_MEETINGS, read_slowly)


@pytest.fixture
def without_the_generation_lock(monkeypatch):
    """The negative control: generation reads the group without locking it."""
    assert callable(getattr(*GENERATION_LOCK))
    monkeypatch.setattr(*GENERATION_LOCK, lambda group_id: BalintGroup.objects.get(pk=group_id))


def generate_four_times_at_once(group, leader) -> tuple[list[int], list[Exception]]:
    spec = ScheduleSpec(
        frequency=Frequency.WEEKLY,
        weekday=Weekday.WEDNESDAY,
        start_date=date(2026, 1, 1),
        start_time=time(13),
        duration_minutes=60,
        time_zone=group.time_zone,
    )
    schedule, _ = set_schedule(
        group=group, by=leader, spec=spec, now=datetime(2025, 1, 1, tzinfo=UTC)
    )
    Meeting.objects.all().delete()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    barrier, results, errors = threading.Barrier(4), [], []

    def generate():
        try:
            barrier.wait()
            results.append(generate_meetings(schedule_id=schedule.pk, now=now).added)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=generate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_two_generations_at_once_make_each_meeting_once(group, leader, slow_reading):
    if connection.vendor != "postgresql":
        pytest.skip("select_for_update() only locks on PostgreSQL")

    results, errors = generate_four_times_at_once(group, leader)

    assert not errors
    assert sorted(results) == [0, 0, 0, 25]  # Wednesdays, January to June
    assert Meeting.objects.count() == 25


@pytest.mark.django_db(transaction=True)
def test_without_the_lock_generations_at_once_collide(
    group, leader, slow_reading, without_the_generation_lock
):
    if connection.vendor != "postgresql":
        pytest.skip("select_for_update() only locks on PostgreSQL")

    results, errors = generate_four_times_at_once(group, leader)

    # Every run read "no meetings yet" and wrote all 25: the first won, the one-meeting-per-start
    # constraint refused the others' writes.
    assert results == [25]
    assert len(errors) == 3 and all(isinstance(e, IntegrityError) for e in errors), errors
    assert Meeting.objects.count() == 25


def test_query_count_of_the_leaders_meeting_list_does_not_grow(client, leader, group):
    client.force_login(leader)
    counts = []
    for size in (5, 40):
        Meeting.objects.all().delete()
        for day in range(size):
            MeetingFactory(group=group, starts_at=soon(day - size / 2 + 0.5))
        cache.clear()  # cold: nothing kept from the other size
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/meetings/groups/{group.slug}/")
        counts.append(len(queries))

    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "model", ["schedule", "meeting", "meetingchange", "apology", "attendancerecord"]
)
def test_the_admin_lists_and_pages_open(admin_client, group, leader, model):
    spec = ScheduleSpec(
        frequency=Frequency.FORTNIGHTLY,
        weekday=Weekday.MONDAY,
        start_date=date(2026, 1, 1),
        start_time=time(18),
        duration_minutes=60,
        time_zone=group.time_zone,
    )
    set_schedule(group=group, by=leader, spec=spec)
    meeting = Meeting.objects.filter(group=group).first()
    cancel_meeting(meeting=meeting, by=leader, reason="Snow.")

    assert admin_client.get(f"/admin/meetings/{model}/").status_code == 200
    assert admin_client.get(f"/admin/meetings/meeting/{meeting.pk}/change/").status_code == 200
