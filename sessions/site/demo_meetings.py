"""The meetings part of the demo world: schedules, past meetings with registers, a cancelled and a
moved meeting, and some apologies. Running it again changes nothing (each step checks first)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from groups.models import BalintGroup, LeaderRole, Leadership, Membership, MembershipStatus
from sessions.attendance.register import REGISTER_EDITABLE_FOR, Mark, expected_people
from sessions.attendance.services import record_register
from sessions.meetings.changes import record_added
from sessions.meetings.models import (
    ATTENDED,
    Apology,
    AttendanceRecord,
    AttendanceRole,
    AttendanceStatus,
    Frequency,
    Meeting,
    MeetingStatus,
    Schedule,
    Weekday,
    WeekOfMonth,
)
from sessions.meetings.schedule import ScheduleSpec, generate_meetings
from sessions.meetings.services import cancel_meeting, move_meeting, set_schedule

SCHEDULES = {
    "cotham-gp-balint": {
        "frequency": Frequency.MONTHLY,
        "weekday": Weekday.TUESDAY,
        "week_of_month": WeekOfMonth.SECOND,
        "start_time": time(19, 30),
        "duration_minutes": 90,
        "months_ago": 4,
    },
    "online-multiprofessional-balint": {
        "frequency": Frequency.TWICE_MONTHLY,
        "weekday": Weekday.THURSDAY,
        "week_of_month": WeekOfMonth.FIRST,
        "second_week_of_month": WeekOfMonth.THIRD,
        "start_time": time(12, 30),
        "duration_minutes": 60,
        "months_ago": 2,
    },
    "year-4-psychiatry-students": {
        "frequency": Frequency.BLOCK,
        "weekday": Weekday.WEDNESDAY,
        "block_length": 4,
        "start_time": time(13, 0),
        "duration_minutes": 60,
        "days_ago": 15,  # half-way through the block
    },
    "severn-gp-trainees": {
        "frequency": Frequency.FORTNIGHTLY,
        "weekday": Weekday.WEDNESDAY,
        "start_time": time(18, 30),
        "duration_minutes": 90,
        "months_ago": 2,
    },
}
# Statuses that cycle through each register, so that the demo has some of each.
PATTERN = [AttendanceStatus.PRESENT] * 5 + [AttendanceStatus.LATE, AttendanceStatus.ABSENT]


def _start_date(spec: dict, today: date) -> date:
    if "days_ago" in spec:
        return today - timedelta(days=spec["days_ago"])
    month = today.month - spec["months_ago"]
    year = today.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


def _ensure_schedule(group: BalintGroup, spec: dict, leader, now: datetime) -> Schedule:
    schedule = Schedule.objects.filter(group=group).first()
    if schedule is not None:
        generate_meetings(schedule_id=schedule.pk, now=now)
        return schedule
    fields = {k: v for k, v in spec.items() if k not in ("months_ago", "days_ago")}
    start = _start_date(spec, timezone.localdate(now))
    rule = ScheduleSpec(start_date=start, time_zone=group.time_zone, **fields)
    # Members joined before the meetings began, so they belong in the past registers.
    began = datetime.combine(start, time(), tzinfo=UTC) - timedelta(days=28)
    Membership.objects.filter(
        group=group, status=MembershipStatus.ACTIVE, joined_at__gt=began
    ).update(joined_at=began)
    # Generating from the first date makes the past meetings; then up to now's horizon.
    schedule, _ = set_schedule(group=group, by=leader, spec=rule, now=began)
    generate_meetings(schedule_id=schedule.pk, now=now)
    return schedule


def _recent_meeting(group: BalintGroup, spec: dict, now: datetime) -> None:
    """An extra meeting three days ago, unless the group met lately: the register the leader
    still has to do must not have locked (it locks 14 days after the meeting)."""
    lately = now - REGISTER_EDITABLE_FOR + timedelta(days=3)
    if Meeting.objects.filter(group=group, ends_at__lte=now, ends_at__gt=lately).exists():
        return
    day = (now - timedelta(days=3)).astimezone(group_zone(group)).date()
    starts_at = datetime.combine(day, spec["start_time"], tzinfo=group_zone(group))
    if Meeting.objects.filter(group=group, starts_at=starts_at).exists():
        return
    meeting = Meeting.objects.create(
        group=group,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=spec["duration_minutes"]),
        edited_by_hand=True,
    )
    record_added(meeting)


def group_zone(group: BalintGroup) -> ZoneInfo:
    return ZoneInfo(group.time_zone)


def _registers(group: BalintGroup, leader, now: datetime, keep_last_empty: bool) -> None:
    past = list(
        Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED, ends_at__lte=now)
    )
    if keep_last_empty and past:
        past = past[:-1]  # the leader has the latest register still to do
    for number, meeting in enumerate(past):
        if AttendanceRecord.objects.filter(meeting=meeting).exists():
            continue
        marks = {}
        for index, entry in enumerate(expected_people(meeting)):
            status = PATTERN[(number + index) % len(PATTERN)]
            presented = (
                status in ATTENDED
                and entry.role == AttendanceRole.MEMBER
                and (number + index) % 4 == 1
            )
            marks[entry.person.pk] = Mark(status, presented)
        record_register(
            meeting=meeting, by=leader, marks=marks, now=meeting.ends_at + timedelta(hours=1)
        )


def _upcoming(group: BalintGroup, now: datetime) -> list[Meeting]:
    return list(
        Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED, starts_at__gt=now)
    )


def _apologies(group: BalintGroup, people: list, now: datetime) -> None:
    upcoming = _upcoming(group, now)
    if not upcoming or Apology.objects.filter(meeting__group=group).exists():
        return
    for person in people:
        Apology.objects.get_or_create(meeting=upcoming[0], person=person)


def seed_meetings(people: dict) -> None:
    """Schedules and meetings for the demo groups (called by `seed_demo`)."""
    now = timezone.now()
    for slug, spec in SCHEDULES.items():
        group = BalintGroup.objects.get(slug=slug)
        leaderships = Leadership.objects.filter(group=group).select_related("person")
        leader = min(leaderships, key=lambda lead: (lead.role != LeaderRole.LEADER, lead.pk)).person
        _ensure_schedule(group, spec, leader, now)
        if slug == "cotham-gp-balint":
            _recent_meeting(group, spec, now)
        _registers(group, leader, now, keep_last_empty=slug == "cotham-gp-balint")

    cotham = BalintGroup.objects.get(slug="cotham-gp-balint")
    _apologies(cotham, [people["demo2@example.org"], people["demo3@example.org"]], now)
    online = BalintGroup.objects.get(slug="online-multiprofessional-balint")
    _apologies(online, [people["demo8@example.org"]], now)
    upcoming = _upcoming(online, now)
    if len(upcoming) > 1 and not online.meetings.filter(edited_by_hand=True).exists():
        cancel_meeting(
            meeting=upcoming[1],
            by=people["priya.raman@example.org"],
            reason="Priya is away at a conference; see you at the next meeting.",
        )
    severn = BalintGroup.objects.get(slug="severn-gp-trainees")
    upcoming = _upcoming(severn, now)
    if upcoming and not severn.meetings.filter(edited_by_hand=True).exists():
        local = upcoming[0].local_starts_at
        move_meeting(
            meeting=upcoming[0],
            by=people["elizabeth.lane@example.org"],
            day=local.date(),
            start=local.time(),
            duration_minutes=upcoming[0].duration_minutes,
            place="Gloucestershire Royal Hospital, Postgraduate Centre, Room 5 (Room 2 is closed)",
        )
