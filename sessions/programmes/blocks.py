"""Blocks and rotation: a cohort placed in a group for its block.

Placing a cohort for its block makes each current trainee a member for the cohort's dates only
(`Membership.starts_on`/`until`): the places count as free again the day after the block ends,
and the groups layer's scan (`groups.services.end_finished_blocks`, Celery beat) writes the end
into the roster's history. So a group can serve one cohort after another, and the next cohort
can be placed as soon as its dates do not overlap the last one's.

The block's schedule (a weekday and a time) makes its weekly meetings when placing, or again
later with one action: meetings already over are entered as recorded afterwards (history), the
others as ordinary meetings that reach the members' calendars.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from balint.audit import services as audit
from groups.models import BalintGroup, GroupStatus
from groups.services import GroupError, add_member_by_email, end_finished_blocks
from members.models import User
from sessions.meetings.history import add_past_meeting
from sessions.meetings.models import Meeting
from sessions.meetings.schedule import local_to_utc
from sessions.meetings.services import MeetingError, add_extra_meeting
from sessions.programmes.models import Cohort, CohortPlacement
from sessions.programmes.placement import PlacementError


@dataclass(frozen=True)
class BlockSchedule:
    weekday: int  # Monday is 0
    start: time
    duration_minutes: int


@dataclass
class BlockReport:
    placed: list[str] = field(default_factory=list)
    not_signed_up: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    meetings_added: int = 0
    meetings_there: int = 0

    def summary(self) -> str:
        parts = [f"{len(self.placed)} placed for the block"]
        if self.meetings_added or self.meetings_there:
            parts.append(f"{self.meetings_added} meetings added")
        if self.meetings_there:
            parts.append(f"{self.meetings_there} already there")
        return "; ".join(parts) + "."


def block_days(cohort: Cohort, weekday: int) -> list[date]:
    """Each day of the cohort's dates that falls on `weekday`."""
    first = cohort.starts_on + timedelta(days=(weekday - cohort.starts_on.weekday()) % 7)
    count = (cohort.ends_on - first).days // 7 + 1 if first <= cohort.ends_on else 0
    return [first + timedelta(weeks=n) for n in range(count)]


@transaction.atomic
def place_cohort_for_block(
    *,
    cohort: Cohort,
    group: BalintGroup,
    by: User,
    schedule: BlockSchedule | None = None,
    now: datetime | None = None,
) -> BlockReport:
    """Make every current trainee of `cohort` a member of `group` for the cohort's dates, and
    with a `schedule`, add the block's weekly meetings. Refusals (a full group on the block's
    days) are reported person by person. PlacementError if the group is not the programme's or
    is closed."""
    if group.programme_id != cohort.programme_id:
        raise PlacementError("That group does not belong to this cohort's programme.")
    if group.status == GroupStatus.CLOSED:
        raise PlacementError("That group has closed.")
    end_finished_blocks(group=group)  # write the ends still due, so the roster is current
    placement, _ = CohortPlacement.objects.get_or_create(
        cohort=cohort, group=group, defaults={"placed_by": by}
    )
    report = BlockReport()
    _place_trainees(cohort, group, by=by, report=report)
    if schedule is not None:
        placement.weekday, placement.meeting_time = schedule.weekday, schedule.start
        placement.duration_minutes = schedule.duration_minutes
        placement.save(update_fields=["weekday", "meeting_time", "duration_minutes"])
        _add_meetings(placement, by=by, now=now or timezone.now(), report=report)
    audit.record(
        actor=by,
        area=audit.Area.ROSTER,
        action="cohort.place_block",
        summary=f"Placed {cohort.name} in {group.name} from {cohort.starts_on} to "
        f"{cohort.ends_on}: {report.summary()}",
        where=cohort.programme,
        target=placement,
    )
    return report


def _place_trainees(cohort: Cohort, group: BalintGroup, *, by: User, report: BlockReport):
    trainees = User.objects.filter(
        enrolments__cohort=cohort, enrolments__left_on__isnull=True
    ).order_by("display_name")
    for person in trainees:
        try:
            # Its own savepoint: a refusal undoes that person only.
            add_member_by_email(
                group=group,
                email=person.email,
                by=by,
                starts_on=cohort.starts_on,
                until=cohort.ends_on,
            )
        except GroupError as error:
            report.refused.append((str(person), error.message))
        else:
            report.placed.append(str(person))
    pending = cohort.pending.filter(accepted_at__isnull=True).values_list("email", flat=True)
    report.not_signed_up = list(pending)


@transaction.atomic
def add_block_meetings(*, placement: CohortPlacement, by: User, now: datetime | None = None):
    """Add the weekly meetings of the placement's block schedule that the group does not have
    yet (safe to repeat). MeetingError if the placement has no schedule."""
    if placement.weekday is None or placement.meeting_time is None:
        raise MeetingError("Give the block a weekday and a time first.")
    report = BlockReport()
    _add_meetings(placement, by=by, now=now or timezone.now(), report=report)
    return report


def _add_meetings(placement: CohortPlacement, *, by: User, now: datetime, report: BlockReport):
    group, cohort = placement.group, placement.cohort
    duration = placement.duration_minutes or 90
    days = block_days(cohort, placement.weekday)
    starts = {day: local_to_utc(day, placement.meeting_time, group.time_zone) for day in days}
    taken = set(
        Meeting.objects.filter(
            group=group, starts_at__in=[s for s in starts.values() if s]
        ).values_list("starts_at", flat=True)
    )
    for day, starts_at in starts.items():
        if starts_at in taken:
            report.meetings_there += 1
            continue
        slot = {"group": group, "by": by, "day": day, "start": placement.meeting_time}
        past = starts_at is not None and starts_at + timedelta(minutes=duration) <= now
        add = add_past_meeting if past else add_extra_meeting
        try:
            add(**slot, duration_minutes=duration, now=now)
        except MeetingError as error:  # e.g. the clocks skip that time: that meeting only
            report.refused.append((f"The meeting on {day:%-d %B %Y}", error.message))
        else:
            report.meetings_added += 1
