"""Celery beat tasks for calendars (scheduled in settings.CELERY_BEAT_SCHEDULE). Each scan is
safe to run twice or twice at once: its outbox rows have unique keys."""

from celery import shared_task

from sessions.calendar.leaders import queue_join_request_digests, queue_register_prompts
from sessions.calendar.mailbox import read_mailbox
from sessions.calendar.reminders import queue_due_reminders


@shared_task
def send_due_reminders() -> int:
    """Queue every meeting reminder now due (every five minutes)."""
    return queue_due_reminders()


@shared_task
def send_register_prompts() -> int:
    """Prompt leaders whose register is still empty the morning after a meeting."""
    return queue_register_prompts()


@shared_task
def send_join_request_digests() -> int:
    """Each leader's daily digest of join requests waiting for an answer."""
    return queue_join_request_digests()


@shared_task
def read_calendar_replies() -> int:
    """Apply the calendar answers waiting in the IMAP mailbox (every five minutes; nothing
    without IMAP_HOST). Returns how many messages were read, set aside or not."""
    result = read_mailbox()
    return result.processed + result.set_aside
