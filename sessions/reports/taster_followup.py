"""After a meeting: bring each booking in line with the register, and invite the taster to ask
to join the group (and, through the reports layer, to give anonymous feedback).

A periodic scan (tasks.py) runs this. It is safe to run any number of times: each booking is
followed up once (`followed_up_at`, set under the booking's row lock) and each email has a unique
outbox key.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from groups.models import CURRENT_STATUSES, Leadership, Membership
from sessions.attendance.register import REGISTER_EDITABLE_FOR
from sessions.meetings.models import ATTENDED, AttendanceRecord, AttendanceStatus, MeetingStatus
from sessions.reports.feedback import invite_feedback_after_taster
from sessions.tasters import emails
from sessions.tasters.models import BookingStatus, TasterBooking

logger = logging.getLogger(__name__)

# Leaders usually write the register at the end of the meeting: wait a little for it, so that
# someone marked absent is not thanked for coming.
FOLLOW_UP_AFTER = timedelta(hours=1)
# Registers can change for 14 days; bookings are kept in line with them as long.
LOOK_BACK = REGISTER_EDITABLE_FOR + timedelta(days=1)
MISSED = [AttendanceStatus.ABSENT, AttendanceStatus.APOLOGIES]


def _record(status: list[str]):
    return AttendanceRecord.objects.filter(
        meeting=OuterRef("meeting_id"), person=OuterRef("person_id"), status__in=status
    )


def sync_attendance(*, now: datetime) -> int:
    """Mark bookings attended where the register says the taster came, and back to booked where
    a leader has since corrected it; nothing else. Returns how many changed."""
    recent = TasterBooking.objects.filter(
        meeting__ends_at__lte=now,
        meeting__ends_at__gt=now - LOOK_BACK,
        meeting__status=MeetingStatus.SCHEDULED,
    )
    came = recent.filter(status=BookingStatus.BOOKED).filter(Exists(_record(ATTENDED)))
    corrected = recent.filter(status=BookingStatus.ATTENDED).exclude(Exists(_record(ATTENDED)))
    return came.update(status=BookingStatus.ATTENDED) + corrected.update(
        status=BookingStatus.BOOKED
    )


def follow_up_after_meetings(*, now: datetime | None = None) -> int:
    """The periodic scan: sync bookings with registers, then follow up every booking whose
    meeting ended at least an hour ago. Returns how many invitations to join were sent."""
    now = now or timezone.now()
    sync_attendance(now=now)
    due = TasterBooking.objects.filter(
        status__in=[BookingStatus.BOOKED, BookingStatus.ATTENDED],
        followed_up_at__isnull=True,
        meeting__status=MeetingStatus.SCHEDULED,
        meeting__ends_at__lte=now - FOLLOW_UP_AFTER,
        meeting__ends_at__gt=now - LOOK_BACK,
    ).values_list("pk", flat=True)
    sent = 0
    for booking_id in list(due):
        # One transaction per booking: one failure does not hold up the others.
        try:
            sent += follow_up(booking_id=booking_id, now=now)
        except Exception:
            logger.exception("Could not follow up taster booking %s", booking_id)
    return sent


@transaction.atomic
def follow_up(*, booking_id: int, now: datetime) -> bool:
    """Follow up one booking after its meeting, once; True if an invitation to join was sent."""
    booking = (
        TasterBooking.objects.select_for_update(of=("self",))
        .select_related("meeting__group", "person")
        .filter(pk=booking_id, followed_up_at__isnull=True)
        .first()
    )
    if booking is None:
        return False  # another scan has just done it
    booking.followed_up_at = now
    booking.save(update_fields=["followed_up_at"])
    meeting, person = booking.meeting, booking.person
    missed = AttendanceRecord.objects.filter(
        meeting=meeting, person=person, status__in=MISSED
    ).exists()
    if missed or not person.is_active:
        return False
    invite_feedback_after_taster(person=person, meeting=meeting)
    if not _may_ask_to_join(booking):
        return False
    emails.join_invitation(booking)
    return True


def _may_ask_to_join(booking: TasterBooking) -> bool:
    group, person = booking.meeting.group, booking.person
    if not group.is_open_to_requests:
        return False
    if Leadership.objects.filter(group=group, person=person).exists():
        return False
    # Someone who has asked already, is waiting or has joined needs no invitation.
    return not Membership.objects.filter(
        group=group, person=person, status__in=CURRENT_STATUSES
    ).exists()
