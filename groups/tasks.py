"""Celery tasks for groups. Each loads fresh rows and is safe to run twice."""

from celery import shared_task

from groups.services import end_finished_blocks, expire_offers


@shared_task
def expire_waitlist_offers() -> int:
    """Offers of a place not taken up within WAITLIST_OFFER_DAYS lapse and pass to the next
    person on the waitlist (Celery beat, hourly). Returns how many lapsed."""
    return len(expire_offers())


@shared_task
def end_finished_block_memberships() -> int:
    """Memberships of a cohort's block end by themselves once the block is over (Celery beat,
    hourly; places already count as free on the next day). Returns how many ended."""
    return len(end_finished_blocks())
