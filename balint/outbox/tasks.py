from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from balint.outbox.delivery import DeliveryFailed, deliver, deliver_batch
from balint.outbox.services import pending_message_ids, queue_batches

# Retries wait 10 s, 20 s, 40 s ... up to 5 minutes, with jitter; each message is marked failed
# after settings.OUTBOX_MAX_ATTEMPTS attempts, which ends its retries.
BACKOFF, BACKOFF_MAX = 10, 300


@shared_task(
    acks_late=True,
    autoretry_for=(DeliveryFailed,),
    retry_backoff=BACKOFF,
    retry_backoff_max=BACKOFF_MAX,
    retry_jitter=True,
    max_retries=None,  # deliver() marks the message failed after OUTBOX_MAX_ATTEMPTS
)
def send_message(message_id: int) -> bool:
    """Send one outbox message; safe to run twice (the second run finds it sent)."""
    return deliver(message_id)


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_messages(self, message_ids: list[int]) -> int:
    """Send a batch of outbox messages over one SMTP connection; safe to run twice. Those that
    could not be sent this time are retried together, with backoff."""
    result = deliver_batch(message_ids)
    if result.retry:
        countdown = get_exponential_backoff_interval(
            BACKOFF, self.request.retries, BACKOFF_MAX, full_jitter=True
        )
        raise self.retry(args=(result.retry,), countdown=countdown)
    return result.sent


@shared_task
def sweep_outbox() -> int:
    """Queue again every message left pending, e.g. because the broker was down at commit."""
    ids = pending_message_ids()
    if send_messages.app.conf.task_always_eager:
        for message_id in ids:
            send_message.delay(message_id)
    else:
        queue_batches(ids)
    return len(ids)
