"""Celery beat tasks for calendars (scheduled in settings.CELERY_BEAT_SCHEDULE). Each scan is
safe to run twice or twice at once: its outbox rows have unique keys."""

from celery import shared_task
from django.core.cache import cache

from sessions.calendar.leaders import queue_join_request_digests, queue_register_prompts
from sessions.calendar.mailbox import read_mailbox
from sessions.calendar.reminders import queue_due_reminders

MAILBOX_LOCK = "calendar:reading-mailbox"
MAILBOX_LOCK_SECONDS = 10 * 60


@shared_task
def send_due_reminders() -> int:
    """Queue every meeting reminder now due (every five minutes)."""
    return queue_due_reminders()


@shared_task
def send_register_prompts() -> int:
    """Prompt leaders whose register is still empty the morning after a meeting, and two days
    before it locks."""
    return queue_register_prompts()


@shared_task
def send_join_request_digests() -> int:
    """Each leader's daily digest of join requests waiting for an answer."""
    return queue_join_request_digests()


@shared_task
def read_calendar_replies() -> int:
    """Apply the calendar answers waiting in the IMAP mailbox (every five minutes; nothing
    without IMAP_HOST). Returns how many messages were read, set aside or not."""
    # One reader at a time (beat may fire again while a slow server is still being read): each
    # answer is applied once anyway, but two readers would both try to move the same messages.
    if not cache.add(MAILBOX_LOCK, True, MAILBOX_LOCK_SECONDS):
        return 0
    try:
        result = read_mailbox()
    finally:
        cache.delete(MAILBOX_LOCK)
    return result.processed + result.set_aside
