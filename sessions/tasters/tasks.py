"""Celery tasks for tasters. Each loads fresh rows and is safe to run twice."""

from celery import shared_task

from sessions.tasters.followup import follow_up_after_meetings


@shared_task
def follow_up_tasters() -> int:
    """After meetings: sync bookings with registers and invite tasters to ask to join (for Celery
    beat, every 15 minutes). Returns how many invitations to join were sent."""
    return follow_up_after_meetings()
