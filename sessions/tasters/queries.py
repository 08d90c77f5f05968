"""Read-only questions about taster seats, answered in a fixed number of queries per page.

The group pages and the finder (sessions/attendance/group_pages.py) call `with_taster_seats`
so that they know each meeting's free seats without a query per meeting.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from sessions.meetings.models import Meeting, MeetingStatus
from sessions.tasters.models import BookingStatus, MeetingTasterSeats, TasterBooking


def with_taster_seats(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Annotate `taster_seats` (this meeting's seats) and `taster_seats_left` in the same query."""
    override = MeetingTasterSeats.objects.filter(meeting=OuterRef("pk")).values("seats")[:1]
    booked = (
        TasterBooking.objects.filter(meeting=OuterRef("pk"), status=BookingStatus.BOOKED)
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return meetings.annotate(
        taster_seats=Coalesce(Subquery(override), F("group__taster_seats")),
        taster_seats_booked=Coalesce(Subquery(booked, output_field=IntegerField()), Value(0)),
    ).annotate(taster_seats_left=Greatest(F("taster_seats") - F("taster_seats_booked"), Value(0)))


def seats_for(meeting: Meeting) -> int:
    """The meeting's taster seats: the leader's choice for it, or the group's usual number."""
    override = MeetingTasterSeats.objects.filter(meeting=meeting).values_list("seats", flat=True)
    chosen = override.first()
    return meeting.group.taster_seats if chosen is None else chosen


def open_bookings_by_group(group_ids: Sequence[int], user) -> dict[int, TasterBooking]:
    """The viewer's open booking in each of these groups (at most one each), in one query."""
    if not user.is_authenticated or not group_ids:
        return {}
    bookings = TasterBooking.objects.filter(
        group_id__in=list(group_ids), person=user, status=BookingStatus.BOOKED
    ).select_related("meeting")
    return {booking.group_id: booking for booking in bookings}


def add_taster_bookings_to_groups(groups: Sequence, user) -> None:
    """Set `my_taster_booking` on each group shown (the finder, the group page), in one query."""
    mine = open_bookings_by_group([group.pk for group in groups], user)
    for group in groups:
        group.my_taster_booking = mine.get(group.pk)


def bookable_meetings(group, *, now: datetime | None = None, limit: int = 6) -> list[Meeting]:
    """The group's next scheduled meetings that have not started, with their free seats."""
    now = now or timezone.now()
    meetings = with_taster_seats(
        Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED, starts_at__gt=now)
    ).order_by("starts_at")[:limit]
    meetings = list(meetings)
    for meeting in meetings:
        meeting.group = group  # spare a query per meeting for its zone
    return meetings


def my_bookings(user, *, now: datetime | None = None) -> list[TasterBooking]:
    """A person's open bookings for meetings that have not ended, soonest first (one query)."""
    now = now or timezone.now()
    return list(
        TasterBooking.objects.filter(
            person=user, status=BookingStatus.BOOKED, meeting__ends_at__gt=now
        )
        .select_related("meeting__group")
        .order_by("meeting__starts_at")
    )


def meeting_bookings(meeting: Meeting) -> list[TasterBooking]:
    """Every booking of a meeting, open ones first, for its leaders (one query)."""
    order = {BookingStatus.BOOKED: 0, BookingStatus.ATTENDED: 1, BookingStatus.CANCELLED: 2}
    bookings = TasterBooking.objects.filter(meeting=meeting).select_related("person")
    return sorted(bookings, key=lambda b: (order[b.status], b.booked_at))


# For the calendar layer (sessions/calendar/people.py).


def booked_tasters_by_meeting(meeting_ids: Sequence[int]) -> dict[int, list]:
    """The people holding an open booking on each of these meetings, in one query."""
    found: dict[int, list] = {}
    bookings = TasterBooking.objects.filter(
        meeting_id__in=list(meeting_ids), status=BookingStatus.BOOKED
    ).select_related("person")
    for booking in bookings.order_by("booked_at", "pk"):
        found.setdefault(booking.meeting_id, []).append(booking.person)
    return found


def meeting_ids_booked_by(person) -> QuerySet:
    """The meetings on which `person` holds an open booking, as a subquery."""
    return TasterBooking.objects.filter(person=person, status=BookingStatus.BOOKED).values(
        "meeting_id"
    )


def tasters_booked_at(meeting: Meeting) -> list:
    """The people holding a seat at `meeting` (booked, or marked attended), for its register."""
    bookings = TasterBooking.objects.filter(
        meeting=meeting, status__in=[BookingStatus.BOOKED, BookingStatus.ATTENDED]
    ).select_related("person")
    return [booking.person for booking in bookings]


def booked_by(user, meeting) -> QuerySet[TasterBooking]:
    """`user`'s seat at `meeting` (a Meeting or an OuterRef), booked or attended: for access
    checks, which show the room and the link to booked tasters."""
    return TasterBooking.objects.filter(
        meeting=meeting, person=user, status__in=[BookingStatus.BOOKED, BookingStatus.ATTENDED]
    )
