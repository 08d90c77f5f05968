"""The meetings part of the finder's cards and of the group page, and the management tabs of
the meetings and tasters pages, composed here for the groups layer's pages through its named
signals (groups/composition.py).

The finder keeps its page until the first of its cards' next meetings starts, the group page until
one of its upcoming meetings starts or ends (balint/page_cache.py: a change to a meeting, a
schedule, a taster seat or a booking moves the versions of their tables).
"""

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.dispatch import receiver
from django.utils import timezone

from groups.composition import ManageTab, PageParts, group_pages_composing, manage_tabs_composing
from sessions.meetings.models import Meeting, MeetingStatus
from sessions.meetings.queries import rhythms_for_groups
from sessions.tasters.queries import add_taster_bookings_to_groups, with_taster_seats

PARTS = PageParts(
    card_template="meetings/includes/finder_card.html",
    page_template="meetings/includes/group_page.html",
)
TABS = [
    ManageTab("meetings", "Meetings and schedule", "meetings:group_meetings", 20),
    ManageTab("agreement", "Group agreement", "meetings:agreement_edit", 25),
    ManageTab("invitations", "Taster invitations", "tasters:invitations", 30),
    ManageTab("write", "Write to the group", "meetings:write", 40),
]


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


def add_meetings_to_groups(groups: Sequence, user, *, now: datetime | None = None) -> None:
    """Set `next_meeting`, `rhythm` and the viewer's `my_taster_booking` on each group shown by
    the finder, in three queries however many groups there are."""
    next_meetings = next_meetings_for_groups([group.pk for group in groups], now=now)
    for group in groups:
        group.next_meeting = next_meetings.get(group.pk)
        if group.next_meeting is not None:
            group.next_meeting.group = group
    _add_rhythms_and_bookings(groups, user)


def _add_rhythms_and_bookings(groups: Sequence, user) -> None:
    """Set `rhythm` and the viewer's `my_taster_booking` on each group (two queries)."""
    rhythms = rhythms_for_groups([group.pk for group in groups])
    for group in groups:
        group.rhythm = rhythms.get(group.pk, "")
    add_taster_bookings_to_groups(groups, user)


@receiver(group_pages_composing, dispatch_uid="attendance.group_pages")
def compose_group_pages(sender, groups, user, group_page=False, **kwargs) -> PageParts:
    if not groups:
        return PARTS
    now = timezone.now()
    # A card shows its group's next meeting and whether a taster may book it; the group page its
    # meetings that have not ended, and whether a taster may book each. The clock changes them
    # when a meeting shown starts or ends, and in no other way.
    if group_page:
        (group,) = groups
        _add_rhythms_and_bookings(groups, user)
        group.upcoming_meetings = shown = upcoming_meetings_for_group(group, now=now)
    else:
        add_meetings_to_groups(groups, user, now=now)
        shown = [group.next_meeting for group in groups if group.next_meeting]
    moments = [moment for meeting in shown for moment in (meeting.starts_at, meeting.ends_at)]
    return replace(PARTS, changes_at=min((m for m in moments if m > now), default=None))


@receiver(manage_tabs_composing, dispatch_uid="attendance.manage_tabs")
def meetings_and_tasters_tabs(sender, group, **kwargs) -> list[ManageTab]:
    return TABS
