"""Celery tasks for the site-wide pieces. Each is safe to run twice."""

from celery import shared_task

from sessions.site import retention


@shared_task
def purge_expired_data() -> dict[str, int]:
    """Delete personal data past its retention period (for Celery beat, daily). Idempotent."""
    return retention.purge_expired_data()
