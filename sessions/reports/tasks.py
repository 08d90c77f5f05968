from celery import shared_task

from sessions.reports.feedback import invite_feedback_for_ended_blocks, publish_due
from sessions.reports.taster_followup import follow_up_after_meetings


@shared_task
def send_feedback_invitations() -> int:
    """Email feedback links to the trainees of cohorts whose block has ended; safe to run twice
    (invitations are unique per person and cohort, their emails have unique outbox keys)."""
    return invite_feedback_for_ended_blocks()


@shared_task
def follow_up_tasters() -> int:
    """After meetings: sync bookings with registers and invite tasters to ask to join (for Celery
    beat, every 15 minutes). Returns how many invitations to join were sent."""
    return follow_up_after_meetings()


@shared_task
def publish_feedback() -> int:
    """The daily publication of feedback results in batches (Celery beat); safe to run twice
    (a published pool is empty). Returns how many batches were published."""
    return publish_due()
