"""Business operations on taster seats and bookings (invitations: invitations.py).

Each is one transaction. Locks follow the one order (groups/services/locks.py): the group's
row, then the meeting's. The meeting's lock serialises everyone booking that meeting, so
the seat count cannot be read twice before either writes; the group's lock guards "one open
booking per person per group" across its meetings and keeps the person's membership from
changing under the check (every membership change takes it). Taking the group first also means
a booking never waits for the group while holding the meeting that `cancel_meeting` (group, then
meeting) is waiting for, which would deadlock. The database constraints on TasterBooking back
every rule up; an IntegrityError that gets past the locks (a double submit on a database without
row locks) returns the booking already made or a clear refusal.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from balint.audit import services as audit
from groups.access import roles_in_group
from groups.models import (
    MAX_TASTER_SEATS,
    GroupStatus,
)
from groups.services.locks import lock_group
from members.models import User
from sessions.meetings.models import Meeting
from sessions.tasters import signals
from sessions.tasters.invitations import (
    Opening,
    TasterError,
    invite_tasters,
    open_invitation,
    resend_invitation,
    revoke_invitation,
)
from sessions.tasters.models import (
    BookingStatus,
    CancelledBecause,
    MeetingTasterSeats,
    TasterBooking,
    TasterInvitation,
)
from sessions.tasters.queries import seats_for

__all__ = [
    "FULL_MESSAGE",
    "Opening",
    "TasterError",
    "book_taster_seat",
    "cancel_bookings_for_meeting",
    "cancel_taster_booking",
    "invite_tasters",
    "open_invitation",
    "resend_invitation",
    "revoke_invitation",
    "set_meeting_taster_seats",
]

FULL_MESSAGE = "This meeting is full: all its taster seats have been booked. Please try another."


def _lock(meeting: Meeting) -> Meeting:
    group = lock_group(meeting.group_id)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.group = group
    return meeting


def _open_booking(group_id: int, person: User) -> TasterBooking | None:
    return (
        TasterBooking.objects.filter(group_id=group_id, person=person, status=BookingStatus.BOOKED)
        .select_related("meeting")
        .first()
    )


def _check_bookable(meeting: Meeting, person: User, now: datetime) -> None:
    if meeting.is_cancelled:
        raise TasterError("This meeting has been cancelled, so it cannot be booked.")
    if meeting.starts_at <= now:
        raise TasterError("Bookings for this meeting closed when it started.")
    if meeting.group.status == GroupStatus.CLOSED:
        raise TasterError("This group has closed.")
    roles = roles_in_group(person, meeting.group_id)
    if roles.is_leader:
        raise TasterError("You lead this group, so you do not need a taster seat.")
    if roles.holds_membership:
        raise TasterError("You are a member of this group already: no taster seat is needed.")


def _free_seat(meeting: Meeting) -> int:
    """The lowest free seat number up to the meeting's seats; TasterError if none is free."""
    seats = seats_for(meeting)
    if seats == 0:
        raise TasterError("This meeting has no taster seats.")
    taken = set(
        TasterBooking.objects.filter(meeting=meeting, status=BookingStatus.BOOKED).values_list(
            "seat", flat=True
        )
    )
    free = [seat for seat in range(1, seats + 1) if seat not in taken]
    if len(taken) >= seats or not free:
        raise TasterError(FULL_MESSAGE)
    return free[0]


@transaction.atomic
def book_taster_seat(
    *,
    meeting: Meeting,
    person: User,
    invitation: TasterInvitation | None = None,
    now: datetime | None = None,
) -> TasterBooking:
    """Book `person` a taster seat at `meeting` and email them. Returns the booking, or the one
    they already hold at this meeting (a double submit books once). Raises TasterError if the
    meeting is cancelled or has started, the group has closed, the person leads or belongs to
    it, already holds a seat at another of its meetings, or no seat is left."""
    now = now or timezone.now()
    meeting = _lock(meeting)
    existing = _open_booking(meeting.group_id, person)
    if existing is not None and existing.meeting_id == meeting.pk:
        return existing
    _check_bookable(meeting, person, now)
    if existing is not None:
        day = date_format(timezone.localtime(existing.meeting.starts_at), "l j F")
        raise TasterError(
            f"You already have a taster seat in this group, on {day}. Cancel that booking "
            "first if you would rather come to another meeting."
        )
    seat = _free_seat(meeting)
    invitation = _usable_invitation(invitation, meeting, person, now)
    if invitation is None and meeting.group.is_closed_to_newcomers:
        raise TasterError(
            "This group is closed to newcomers, so it takes no taster bookings. Its leaders "
            "can still invite you: write to them from the group's page."
        )
    try:
        with transaction.atomic():
            booking = TasterBooking.objects.create(
                meeting=meeting,
                group=meeting.group,
                person=person,
                seat=seat,
                booked_at=now,
                invitation=invitation,
            )
    except IntegrityError:
        existing = _open_booking(meeting.group_id, person)
        if existing is not None and existing.meeting_id == meeting.pk:
            return existing
        raise TasterError(FULL_MESSAGE) from None
    if invitation is not None:
        invitation.booking = booking
        invitation.accepted_by = person
        invitation.save(update_fields=["booking", "accepted_by"])
    # The confirmation is the calendar invite (with the room and link), written in this
    # transaction so that a booking that rolls back emails nothing.
    signals.taster_booked.send(sender=TasterBooking, booking=booking)
    return booking


def _usable_invitation(
    invitation: TasterInvitation | None, meeting: Meeting, person: User, now: datetime
) -> TasterInvitation | None:
    """The invitation to mark as booked: only one for this group, still open, and not taken up
    by someone else."""
    if invitation is None:
        return None
    invitation = TasterInvitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if (
        invitation is None
        or invitation.group_id != meeting.group_id
        or invitation.revoked_at is not None
        or invitation.booking_id is not None
        or invitation.accepted_by_id not in (None, person.pk)
    ):
        return None
    return invitation


@transaction.atomic
def cancel_taster_booking(
    *, booking: TasterBooking, person: User, now: datetime | None = None
) -> TasterBooking:
    """Cancel `person`'s own booking and free the seat. Raises TasterError if it is not theirs,
    was cancelled already, or the meeting has started."""
    now = now or timezone.now()
    meeting = _lock(booking.meeting)
    booking = TasterBooking.objects.select_for_update().get(pk=booking.pk)
    booking.meeting = meeting
    if booking.person_id != person.pk:
        raise TasterError("This booking is not yours.")
    if booking.status != BookingStatus.BOOKED:
        raise TasterError("This booking has been cancelled already.")
    if meeting.starts_at <= now:
        raise TasterError("This meeting has started, so the booking can no longer be cancelled.")
    _cancel(booking, because=CancelledBecause.TASTER, now=now)
    signals.taster_booking_cancelled.send(sender=TasterBooking, booking=booking)
    return booking


def _cancel(booking: TasterBooking, *, because: str, now: datetime) -> None:
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at, booking.cancelled_because = now, because
    booking.save(update_fields=["status", "cancelled_at", "cancelled_because"])
    # The invitation can be used again for another meeting while it lasts.
    TasterInvitation.objects.filter(booking=booking).update(booking=None)


def cancel_bookings_for_meeting(
    *, meeting: Meeting, now: datetime | None = None
) -> list[TasterBooking]:
    """Cancel every open booking of a meeting that is being cancelled, and send each taster
    the calendar's cancellation (the same outbox key as the meeting's own cancellation, so one
    email each whichever is written first). Call it inside the cancelling transaction, holding
    the group's lock. Returns the bookings cancelled."""
    now = now or timezone.now()
    bookings = list(
        TasterBooking.objects.select_for_update()
        .filter(meeting=meeting, status=BookingStatus.BOOKED)
        .select_related("person")
    )
    for booking in bookings:
        booking.meeting = meeting
        _cancel(booking, because=CancelledBecause.MEETING, now=now)
        signals.taster_booking_cancelled.send(sender=TasterBooking, booking=booking)
    return bookings


def restore_bookings_for_meeting(*, meeting: Meeting) -> list[TasterBooking]:
    """A cancelled meeting is on again: give back the seats its cancellation took, to tasters
    who have not since booked another meeting of the group or joined or led it, while seats
    last (lowest seat first). The others stay cancelled: they were told of the cancellation and
    can book again. Call it inside the reinstating transaction, holding the group's lock.
    Returns the bookings restored; the calendar's update of the meeting reaches them as
    booked tasters."""
    lost = list(
        TasterBooking.objects.select_for_update()
        .filter(
            meeting=meeting,
            status=BookingStatus.CANCELLED,
            cancelled_because=CancelledBecause.MEETING,
        )
        .select_related("person")
        .order_by("-cancelled_at", "seat")
    )
    restored, seen = [], set()
    for booking in lost:
        if booking.person_id in seen or not _may_have_seat_back(meeting, booking.person):
            continue
        seen.add(booking.person_id)
        try:
            seat = _free_seat(meeting)
        except TasterError:
            break
        booking.status, booking.seat = BookingStatus.BOOKED, seat
        booking.cancelled_at, booking.cancelled_because = None, ""
        booking.save(update_fields=["status", "seat", "cancelled_at", "cancelled_because"])
        booking.meeting = meeting
        restored.append(booking)
    return restored


def _may_have_seat_back(meeting: Meeting, person: User) -> bool:
    roles = roles_in_group(person, meeting.group_id)
    if roles.is_leader or roles.holds_membership:
        return False
    return _open_booking(meeting.group_id, person) is None


@transaction.atomic
def set_meeting_taster_seats(
    *, meeting: Meeting, seats: int | None, by: User, now: datetime | None = None
) -> int:
    """Set the taster seats of one meeting (None: back to the group's usual number); returns
    the seats it now has. Raises TasterError if the meeting is cancelled or has started, the
    number is out of range, or fewer than the tasters already booked."""
    now = now or timezone.now()
    meeting = _lock(meeting)
    if meeting.is_cancelled or meeting.starts_at <= now:
        raise TasterError("Taster seats can only be changed for meetings still to come.")
    booked = TasterBooking.objects.filter(meeting=meeting, status=BookingStatus.BOOKED).count()
    effective = meeting.group.taster_seats if seats is None else seats
    if not 0 <= effective <= MAX_TASTER_SEATS:
        raise TasterError(f"Please choose between 0 and {MAX_TASTER_SEATS} taster seats.")
    if effective < booked:
        raise TasterError(
            f"{booked} taster{'s have' if booked != 1 else ' has'} booked this meeting already: "
            f"please choose at least {booked} seat{'s' if booked != 1 else ''}."
        )
    if seats is None:
        MeetingTasterSeats.objects.filter(meeting=meeting).delete()
    else:
        MeetingTasterSeats.objects.update_or_create(
            meeting=meeting, defaults={"seats": seats, "updated_by": by}
        )
    audit.record_in_group(
        meeting,
        by=by,
        area=audit.Area.MEETINGS,
        action="meeting.taster_seats",
        summary=f"Set {effective} taster seat{'s' if effective != 1 else ''} for {meeting}"
        + (" (the group's usual number)" if seats is None else ""),
    )
    return effective
