"""Booking a taster seat, the booking's own page, cancelling it, and a meeting's tasters."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from balint.errors import DomainError
from balint.views import show_refusal
from sessions.attendance.agreement import taster_agreement_status
from sessions.attendance.offers import seat_offer
from sessions.attendance.roles import (
    MeetingAccess,
    access_managed_meeting,
    access_meeting,
    access_own_booking,
)
from sessions.meetings.models import Meeting
from sessions.tasters import services
from sessions.tasters.emails import where_for_taster
from sessions.tasters.forms import USUAL, SeatsForm
from sessions.tasters.invitations import SIGNUP_SESSION_KEY
from sessions.tasters.models import MeetingTasterSeats, TasterInvitation
from sessions.tasters.queries import meeting_bookings, open_bookings_by_group, with_taster_seats


def _invitation_from_session(request: HttpRequest, meeting: Meeting) -> TasterInvitation | None:
    """The invitation whose page this browser came from, if it is for this meeting's group."""
    invitation_id = request.session.get(SIGNUP_SESSION_KEY)
    if not invitation_id:
        return None
    return TasterInvitation.objects.filter(pk=invitation_id, group_id=meeting.group_id).first()


def _book_context(request: HttpRequest, access: MeetingAccess) -> dict:
    meeting = with_taster_seats(Meeting.objects.filter(pk=access.meeting.pk)).get()
    meeting.group = access.meeting.group
    group_access = access.group_access
    mine = open_bookings_by_group([meeting.group_id], request.user).get(meeting.group_id)
    now = timezone.now()
    return {
        "meeting": meeting,
        "group": meeting.group,
        "access": group_access,
        "has_started": meeting.starts_at <= now,
        "my_booking": mine,
        "offer": seat_offer(
            meeting, in_group=group_access.is_expected_at_meetings, my_booking=mine, now=now
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a taster seat at a meeting (GET), and book it (POST)."""
    access = access_meeting(request.user, pk)
    error = None
    if request.method == "POST":
        meeting = access.meeting
        try:
            booking = services.book_taster_seat(
                meeting=meeting,
                person=request.user,
                invitation=_invitation_from_session(request, meeting),
            )
        except DomainError as refused:
            # Shown on the page itself (not a redirect) so that the answer is in this response.
            error = refused.message
        else:
            messages.success(request, f"Your taster seat at {meeting.group} is booked.")
            return redirect("tasters:booking", pk=booking.pk)
    context = _book_context(request, access) | {"error": error}
    return render(request, "tasters/book.html", context)


@login_required
@require_http_methods(["GET"])
def booking(request: HttpRequest, pk: int) -> HttpResponse:
    """A taster's own booking: when, where, and how to cancel."""
    booking = access_own_booking(request.user, pk)
    meeting = booking.meeting
    context = {
        "booking": booking,
        "meeting": meeting,
        "group": meeting.group,
        "has_started": meeting.starts_at <= timezone.now(),
        **where_for_taster(meeting),
        # A taster accepts the group's agreement before seeing the room and the link here.
        "agreement": taster_agreement_status(meeting.group, request.user),
    }
    return render(request, "tasters/booking.html", context)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = access_own_booking(request.user, pk)
    try:
        services.cancel_taster_booking(booking=booking, person=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, "Your taster booking has been cancelled; the seat is free again.")
    return redirect("tasters:booking", pk=booking.pk)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_tasters(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting's tasters for its leaders, and its taster seats."""
    access = access_managed_meeting(request.user, pk)
    meeting = access.meeting
    override = MeetingTasterSeats.objects.filter(meeting=meeting).first()
    initial = {"seats": USUAL if override is None else str(override.seats)}
    form = SeatsForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        usual=meeting.group.taster_seats,
    )
    if request.method == "POST" and form.is_valid():
        try:
            seats = services.set_meeting_taster_seats(
                meeting=meeting, seats=form.cleaned_data["seats"], by=request.user
            )
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(
                request, f"This meeting now has {seats} taster seat{'s' * (seats != 1)}."
            )
            return redirect("tasters:meeting", pk=meeting.pk)
    context = {
        "meeting": meeting,
        "group": meeting.group,
        "bookings": meeting_bookings(meeting),
        "seats": meeting.group.taster_seats if override is None else override.seats,
        "has_started": meeting.starts_at <= timezone.now(),
        "form": form,
    }
    return render(request, "tasters/meeting.html", context)
