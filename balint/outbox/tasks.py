from celery import shared_task

from balint.outbox.services import DeliveryFailed, deliver, pending_message_ids


@shared_task(
    acks_late=True,
    autoretry_for=(DeliveryFailed,),
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=None,  # deliver() marks the message failed after OUTBOX_MAX_ATTEMPTS
)
def send_message(message_id: int) -> bool:
    """Send one outbox message; safe to run twice (the second run finds it sent)."""
    return deliver(message_id)


@shared_task
def sweep_outbox() -> int:
    """Queue again every message left pending, e.g. because the broker was down at commit."""
    ids = pending_message_ids()
    for message_id in ids:
        send_message.delay(message_id)
    return len(ids)
