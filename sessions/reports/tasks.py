from celery import shared_task

from sessions.reports.feedback import invite_feedback_for_ended_blocks


@shared_task
def send_feedback_invitations() -> int:
    """Email feedback links to the trainees of cohorts whose block has ended; safe to run twice
    (invitations are unique per person and cohort, their emails have unique outbox keys)."""
    return invite_feedback_for_ended_blocks()
