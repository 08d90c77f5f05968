"""What a page offers a viewer for one meeting's taster seats, worked out in one place so that
the group page, the finder, the booking page and the invitation page always agree. Uses only
what the page has loaded (`with_taster_seats` annotations, the viewer's open booking): no query.
"""

from datetime import datetime

from django.utils import timezone

BOOK = "book"  # a seat is free and the viewer may book it
MINE = "mine"  # the viewer holds a seat at this meeting
ELSEWHERE = "elsewhere"  # the viewer holds a seat at another meeting of the group
IN_GROUP = "in_group"  # a member or leader: no taster seat needed
FULL = "full"
CLOSED = "closed"  # cancelled, started, or no taster seats at all


def seat_offer(meeting, *, in_group: bool, my_booking=None, now: datetime | None = None) -> str:
    """One of the values above. `meeting` must carry `taster_seats` and `taster_seats_left`."""
    now = now or timezone.now()
    if my_booking is not None and my_booking.meeting_id == meeting.pk:
        return MINE
    seats = getattr(meeting, "taster_seats", None)
    if meeting.is_cancelled or meeting.starts_at <= now or not seats:
        return CLOSED
    if in_group:
        return IN_GROUP
    if my_booking is not None:
        return ELSEWHERE
    return BOOK if meeting.taster_seats_left > 0 else FULL
