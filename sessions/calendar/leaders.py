"""Leaders' nudges, queued by beat scans under unique keys (running a scan twice sends nothing
new): a prompt to complete a register still empty the morning after the meeting, a last call
two days before it locks, and a daily digest of the join requests waiting for an answer."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.dateformat import format as date_format

from balint.outbox.services import OutgoingEmail, enqueue_emails_bulk
from groups.models import GroupStatus, Leadership, Membership, MembershipStatus
from sessions.attendance.register import REGISTER_EDITABLE_FOR, register_closes_at
from sessions.calendar.emails import DAY, links, meeting_context, zone_named
from sessions.calendar.ical import absolute_url
from sessions.meetings.models import AttendanceRecord, Meeting, MeetingStatus

PROMPT_AT = time(8, 0)  # in the group's zone
# A prompt missed by more than this (beat was down for days) is not sent late.
PROMPT_LOOKBACK = timedelta(days=3)
DIGEST_FROM = time(8, 0)  # in the leader's zone
# A register still empty this long before it locks gets a last call.
LAST_CALL = timedelta(days=2)


def register_prompt_due_at(meeting: Meeting) -> datetime:
    """08:00 in the group's zone on the day after the meeting."""
    zone = zone_named(meeting.group.time_zone)
    day = meeting.ends_at.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(day, PROMPT_AT, tzinfo=zone)


def _empty_registers(*, ended_after: datetime, ended_by: datetime):
    return (
        Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED, ends_at__lte=ended_by, ends_at__gt=ended_after
        )
        .exclude(Exists(AttendanceRecord.objects.filter(meeting=OuterRef("pk"))))
        .select_related("group")
    )


def queue_register_prompts(*, now: datetime | None = None) -> int:
    """Prompt each leader of a meeting whose register is still empty the morning after it, and
    again when it locks in two days (each email gives the lock date); once each per meeting and
    leader. Returns how many prompts were queued."""
    now = now or timezone.now()
    recent = _empty_registers(ended_after=now - PROMPT_LOOKBACK - timedelta(days=1), ended_by=now)
    due = [
        (meeting, False)
        for meeting in recent
        if register_prompt_due_at(meeting) <= now < register_closes_at(meeting)
        and now - register_prompt_due_at(meeting) < PROMPT_LOOKBACK
    ]
    # Registers that lock within LAST_CALL (not reopened ones: staff did that on purpose).
    locking = _empty_registers(
        ended_after=now - REGISTER_EDITABLE_FOR, ended_by=now - REGISTER_EDITABLE_FOR + LAST_CALL
    ).filter(register_reopened_until__isnull=True)
    due += [(meeting, True) for meeting in locking]
    if not due:
        return 0
    leaders = defaultdict(list)
    group_ids = {meeting.group_id for meeting, _ in due}
    for ship in Leadership.objects.filter(group_id__in=group_ids).select_related("person"):
        leaders[ship.group_id].append(ship.person)
    emails = [
        _register_prompt(meeting, leader, last_call=last_call)
        for meeting, last_call in due
        for leader in leaders[meeting.group_id]
    ]
    with transaction.atomic():
        return len(enqueue_emails_bulk(emails))


def _register_prompt(meeting: Meeting, leader, *, last_call: bool = False) -> OutgoingEmail:
    kind = "leader-register-locks" if last_call else "leader-register"
    return OutgoingEmail(
        key=f"{kind}:{meeting.pk}:{leader.pk}",
        to=leader.email,
        template="leader_register_prompt",
        context={
            "last_call": last_call,
            **links(),
            **meeting_context(meeting, person=leader, private=False),
            "person": leader,
            "group": meeting.group,
            "register_url": absolute_url("meetings:register", pk=meeting.pk),
            "locks_at": _locks_at_text(meeting, leader),
        },
        time_zone=zone_named(leader.time_zone).key,
    )


def _locks_at_text(meeting: Meeting, leader) -> str:
    """When the register locks, in the leader's zone, e.g. "Tuesday 28 April 2026 at 21:00"."""
    locks = register_closes_at(meeting).astimezone(zone_named(leader.time_zone))
    return f"{date_format(locks, DAY)} at {locks:%H:%M}"


def queue_join_request_digests(*, now: datetime | None = None) -> int:
    """Send each leader, once a day from 08:00 their time, the join requests waiting in their
    groups, if there are any. Returns how many digests were queued."""
    now = now or timezone.now()
    waiting = (
        Membership.objects.filter(status=MembershipStatus.REQUESTED)
        .exclude(group__status=GroupStatus.CLOSED)
        .select_related("person", "group")
        .order_by("requested_at")
    )
    by_group = defaultdict(list)
    for membership in waiting:
        by_group[membership.group_id].append(membership)
    if not by_group:
        return 0
    by_leader: dict[int, tuple[object, list]] = {}
    ships = Leadership.objects.filter(group_id__in=list(by_group)).select_related("person", "group")
    for ship in ships.order_by("group__name"):
        entry = by_leader.setdefault(ship.person_id, (ship.person, []))
        entry[1].append((ship.group, by_group[ship.group_id]))
    emails = [
        _digest(leader, groups, now=now)
        for leader, groups in by_leader.values()
        if now.astimezone(zone_named(leader.time_zone)).time() >= DIGEST_FROM
    ]
    with transaction.atomic():
        return len(enqueue_emails_bulk(emails))


def _digest(leader, groups: list, *, now: datetime) -> OutgoingEmail:
    zone = zone_named(leader.time_zone)
    day = now.astimezone(zone).date()
    return OutgoingEmail(
        key=f"leader-digest:{leader.pk}:{day.isoformat()}",
        to=leader.email,
        template="leader_join_digest",
        context={
            **links(),
            "person": leader,
            "day": day,
            "count": sum(len(requests) for _, requests in groups),
            "groups": [
                {
                    "group": group,
                    "requests": requests,
                    "roster_url": absolute_url("groups:roster", slug=group.slug),
                }
                for group, requests in groups
            ],
        },
        time_zone=zone.key,
    )
