"""`{% load tasters %}`: taster seat offers on the meetings layer's pages."""

from django import template

from sessions.attendance.offers import CLOSED, seat_offer

register = template.Library()


@register.inclusion_tag("tasters/includes/seat_offer.html")
def taster_seat(meeting, access, compact: bool = False) -> dict:
    """ "Book a taster seat" (or "Your taster seat", "Taster seats full") for one meeting of a
    group page or finder card. `access` is the page's GroupAccess; no query."""
    group = meeting.group
    in_group = bool(access and access.is_expected_at_meetings)
    booking = getattr(group, "my_taster_booking", None)
    return {
        "meeting": meeting,
        "offer": (
            # A group closed to newcomers takes tasters only by its leaders' invitation.
            CLOSED
            if group.is_closed_to_newcomers and not in_group and booking is None
            else seat_offer(meeting, in_group=in_group, my_booking=booking)
        ),
        "booking": booking,
        "compact": compact,
    }


@register.simple_tag
def landing_offer(meeting, my_booking) -> str:
    """`{% landing_offer meeting my_booking as offer %}` on the invitation page, whose viewer is
    neither a member nor a leader (the page says so instead)."""
    return seat_offer(meeting, in_group=False, my_booking=my_booking)


@register.filter
def tasters_of(expected) -> list:
    """`expected|tasters_of`: the tasters among a meeting's expected people."""
    return [entry for entry in expected if entry.role == "taster"]
