"""The viewer's next meetings: those of the groups they lead or belong to, and those they hold a
taster seat at, in one list (a taster seat is a meeting of yours too). What each line may show,
the room and the link included, is what sessions.attendance.roles says the viewer may see."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q

from groups.access import GroupAccess, group_access
from sessions.attendance.roles import MeetingAccess
from sessions.meetings.models import Apology, Meeting
from sessions.site.home.people import Viewer
from sessions.tasters.models import TasterBooking
from sessions.tasters.queries import my_bookings

GROUP_MEETINGS_SHOWN = 5


@dataclass(frozen=True)
class HomeMeeting:
    meeting: Meeting
    access: MeetingAccess
    booking: TasterBooking | None = None  # the viewer's taster seat at it, if that is why
    sent_apologies: bool = False

    @property
    def starts_at(self) -> datetime:
        return self.meeting.starts_at

    @property
    def i_lead(self) -> bool:
        return self.access.group_access.is_leader

    @property
    def shows_room(self) -> bool:
        meeting = self.meeting
        return self._private and bool(meeting.room) and meeting.group.format != "online"

    @property
    def shows_link(self) -> bool:
        meeting = self.meeting
        return self._private and bool(meeting.meeting_link) and meeting.group.format != "in_person"

    @property
    def _private(self) -> bool:
        return self.access.can_see_private_details and not self.meeting.is_cancelled


def _group_meetings(viewer: Viewer) -> list[HomeMeeting]:
    """The next meetings of the viewer's groups (cancelled ones too: they are struck through)."""
    by_group: dict[int, GroupAccess] = {access.group.pk: access for access in viewer.groups}
    expected = viewer.expected_meetings
    if expected == Q(pk__in=[]):
        return []
    meetings = (
        Meeting.objects.filter(expected, ends_at__gt=viewer.now)
        .annotate(
            my_apologies=Exists(Apology.objects.filter(meeting=OuterRef("pk"), person=viewer.user))
        )
        .order_by("starts_at")[:GROUP_MEETINGS_SHOWN]
    )
    found = []
    for meeting in meetings:
        access = by_group[meeting.group_id]
        meeting.group = access.group  # fetched with the viewer's roles: spares a query each
        entry = HomeMeeting(
            meeting, MeetingAccess(meeting, access), sent_apologies=meeting.my_apologies
        )
        found.append(entry)
    return found


def _taster_meetings(viewer: Viewer) -> list[HomeMeeting]:
    found = []
    for booking in my_bookings(viewer.user, now=viewer.now):
        meeting = booking.meeting
        access = MeetingAccess(
            meeting, group_access(meeting.group, viewer.user), is_booked_taster=True
        )
        found.append(HomeMeeting(meeting, access, booking=booking))
    return found


def next_meetings(viewer: Viewer) -> list[HomeMeeting]:
    """The next few meetings of the viewer's groups and every taster seat they hold, soonest
    first, in two queries however many there are."""
    found = _group_meetings(viewer) + _taster_meetings(viewer)
    return sorted(found, key=lambda entry: entry.starts_at)
