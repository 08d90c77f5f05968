"""The meetings layer's events, heard by tasters (connected in TastersConfig.ready)."""

from django.dispatch import receiver

from sessions.meetings.signals import meeting_cancelled, meeting_restored
from sessions.tasters.services import cancel_bookings_for_meeting, restore_bookings_for_meeting


@receiver(meeting_cancelled, dispatch_uid="tasters.meeting_cancelled")
def end_bookings_of_cancelled_meeting(sender, meeting, **kwargs) -> None:
    cancel_bookings_for_meeting(meeting=meeting)


@receiver(meeting_restored, dispatch_uid="tasters.meeting_restored")
def restore_bookings_of_reinstated_meeting(sender, meeting, **kwargs) -> None:
    restore_bookings_for_meeting(meeting=meeting)
