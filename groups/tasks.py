"""Celery tasks for groups. Each loads fresh rows and is safe to run twice."""

from celery import shared_task

from groups.services import expire_offers


@shared_task
def expire_waitlist_offers() -> int:
    """Offers of a place not taken up within WAITLIST_OFFER_DAYS lapse and pass to the next
    person on the waitlist (Celery beat, hourly). Returns how many lapsed."""
    return len(expire_offers())
