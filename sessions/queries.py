"""Small read-only questions the groups layer's pages ask about meetings (ARCHITECTURE.md: a
lower layer asks the higher one through one small function and never imports its models)."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from sessions.models import Meeting, MeetingStatus, Schedule
from sessions.schedule import rhythm_in_words as _rhythm_in_words
from sessions.tasters.queries import add_taster_bookings_to_groups, with_taster_seats


def upcoming_meetings_for_group(
    group, *, limit: int = 6, now: datetime | None = None
) -> list[Meeting]:
    """The group's next meetings, cancelled ones included (pages strike them through), with
    their free taster seats."""
    now = now or timezone.now()
    meetings = with_taster_seats(Meeting.objects.filter(group=group, ends_at__gt=now))
    meetings = meetings.order_by("starts_at")[:limit]
    meetings = list(meetings)
    for meeting in meetings:
        meeting.group = group  # spare a query per meeting for its zone
    return meetings


def next_meetings_for_groups(
    group_ids: Iterable[int], *, now: datetime | None = None
) -> dict[int, Meeting]:
    """The next scheduled meeting of each group, with its free taster seats, in one query
    however many groups there are."""
    now = now or timezone.now()
    ranked = (
        with_taster_seats(Meeting.objects.all())
        .filter(group_id__in=list(group_ids), status=MeetingStatus.SCHEDULED, starts_at__gt=now)
        .select_related("group")
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("group_id")], order_by=F("starts_at").asc())
        )
        .filter(rank=1)
    )
    return {meeting.group_id: meeting for meeting in ranked}


def rhythm_in_words(schedule: Schedule) -> str:
    """E.g. "Monthly, 2nd Tuesday, 19:30–21:00, Europe/London"."""
    return _rhythm_in_words(schedule)


def rhythms_for_groups(group_ids: Iterable[int]) -> dict[int, str]:
    """Each group's rhythm in words, for groups that have a schedule, in one query."""
    schedules = Schedule.objects.filter(group_id__in=list(group_ids)).select_related("group")
    return {schedule.group_id: _rhythm_in_words(schedule) for schedule in schedules}


def add_meetings_to_groups(groups: Sequence, user, *, now: datetime | None = None) -> None:
    """Set `next_meeting`, `rhythm` and the viewer's `my_taster_booking` on each group shown by
    the finder or the group page, in three queries however many groups there are (the loader of
    groups.extensions.meetings_spot)."""
    ids = [group.pk for group in groups]
    next_meetings = next_meetings_for_groups(ids, now=now)
    rhythms = rhythms_for_groups(ids)
    for group in groups:
        group.next_meeting = next_meetings.get(group.pk)
        if group.next_meeting is not None:
            group.next_meeting.group = group
        group.rhythm = rhythms.get(group.pk, "")
    add_taster_bookings_to_groups(groups, user)
