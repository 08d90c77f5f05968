"""Taster seats, bookings and invitations.

A taster is a newcomer who joins one meeting of a closed group as a guest. Two rules a race could
break are also database constraints: one open booking per person per group (and per meeting), and
no two open bookings on one seat of a meeting (seats are numbered 1..MAX_TASTER_SEATS, and the
booking operation only hands out numbers up to the meeting's seats).

An invitation's token is stored only as its SHA-256 hash; the raw token exists only in the link
emailed to the person.
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from groups.models import MAX_TASTER_SEATS, BalintGroup
from sessions.meetings.models import Meeting

INVITATION_LIFETIME = timedelta(days=30)
NO_PATIENT_DETAILS = "Please do not include any patient details."


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class MeetingTasterSeats(models.Model):
    """A leader's choice of taster seats for one meeting, instead of the group's usual number."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="taster_seats_override"
    )
    seats = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_TASTER_SEATS)])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "taster seats for one meeting"
        verbose_name_plural = "taster seats for one meeting"
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__lte=MAX_TASTER_SEATS), name="meeting_taster_seats_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seats} taster seats at meeting {self.meeting_id}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    ATTENDED = "attended", "Attended"


class CancelledBecause(models.TextChoices):
    TASTER = "taster", "The taster cancelled"
    MEETING = "meeting", "The meeting was cancelled"


class TasterBooking(models.Model):
    """One person's taster seat at one meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="taster_bookings")
    # The meeting's group, copied here so that the database can hold "one open booking per
    # person per group" as a partial unique constraint (constraints cannot follow a join).
    group = models.ForeignKey(BalintGroup, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="taster_bookings"
    )
    seat = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=BookingStatus, default=BookingStatus.BOOKED)
    booked_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_because = models.CharField(max_length=16, choices=CancelledBecause, blank=True)
    invitation = models.ForeignKey(
        "TasterInvitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The invitation the person came through, if any.",
    )
    # When the after-meeting scan handled this booking (the invitation to join was sent, or was
    # not due); the scan looks only at bookings without it.
    followed_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-booked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=Q(status="booked"),
                name="one_open_taster_booking_per_group",
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(status="booked"),
                name="one_open_taster_booking_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["meeting", "seat"],
                condition=Q(status="booked"),
                name="one_taster_per_seat",
            ),
            models.CheckConstraint(
                condition=Q(seat__gte=1) & Q(seat__lte=MAX_TASTER_SEATS),
                name="taster_seat_in_range",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="taster_cancelled_when_cancelled",
            ),
        ]
        indexes = [models.Index(fields=["meeting", "status"])]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}: {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == BookingStatus.BOOKED


class InvitationState(models.TextChoices):
    SENT = "sent", "Sent"
    OPENED = "opened", "Opened"
    BOOKED = "booked", "Booked a seat"
    ATTENDED = "attended", "Attended"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class TasterInvitation(models.Model):
    """An emailed, single-person link inviting someone to taste a group."""

    group = models.ForeignKey(
        BalintGroup, on_delete=models.CASCADE, related_name="taster_invitations"
    )
    email = models.EmailField()
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.CharField(
        "personal message",
        max_length=600,
        blank=True,
        help_text=f"Optional: a line from you in the email. {NO_PATIENT_DETAILS}",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # How many times it was emailed; part of each email's outbox key, so a re-send is a new email.
    send_count = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    booking = models.ForeignKey(
        TasterBooking,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The open or attended booking made through this invitation.",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="taster_invitations",
        help_text="The signed-in person who took up the link; nobody else may use it.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "group",
                Lower("email"),
                condition=Q(revoked_at__isnull=True, booking__isnull=True),
                name="one_pending_taster_invitation_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} invited to taste {self.group}"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def state(self, now: datetime | None = None) -> str:
        """What the inviters see: revoked, attended, booked, expired, opened or sent."""
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.booking_id is not None:
            # `booking` is select_related wherever invitations are listed.
            if self.booking.status == BookingStatus.ATTENDED:
                return InvitationState.ATTENDED
            return InvitationState.BOOKED
        if self.is_expired(now):
            return InvitationState.EXPIRED
        return InvitationState.OPENED if self.opened_at else InvitationState.SENT

    @property
    def state_label(self) -> str:
        return InvitationState(self.state()).label
