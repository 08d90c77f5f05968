import logging
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from balint.outbox.models import Message, MessageStatus

logger = logging.getLogger(__name__)


def enqueue_email(
    *,
    key: str,
    to: str | list[str],
    template: str,
    context: dict,
    ical: str = "",
    ical_method: str = "",
    secrets: Iterable[str] = (),
) -> Message | None:
    """Render `templates/emails/<template>/{subject.txt,body.txt,body.html}` into an outbox row
    and send it after the surrounding transaction commits. Returns None if `key` was queued
    before (so calling twice queues once). `secrets` (e.g. a link's token) are removed from the
    stored bodies once the message is sent."""
    message = _render(OutgoingEmail(key, to, template, context, ical, ical_method))
    message.secrets = [secret for secret in secrets if secret]
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return None
    transaction.on_commit(lambda: _enqueue_send(message.pk))
    return message


@dataclass(frozen=True)
class OutgoingEmail:
    """One email for `enqueue_emails_bulk`: `enqueue_email`'s arguments, and the time zone its
    dates and times are rendered in (the recipient's; None keeps the current one)."""

    key: str
    to: str | list[str]
    template: str
    context: dict = field(default_factory=dict)
    ical: str = ""
    ical_method: str = ""
    time_zone: str | None = None


BULK_BATCH_SIZE = 500


def enqueue_emails_bulk(emails: Iterable[OutgoingEmail]) -> list[int]:
    """Render and insert an outbox row for every email whose key is new, and send them after the
    surrounding transaction commits. A few queries per 500 emails, never one per email; keys
    queued before are skipped, so calling twice queues once. Returns the ids of the new rows."""
    unique = list({email.key: email for email in emails}.values())
    ids: list[int] = []
    for start in range(0, len(unique), BULK_BATCH_SIZE):
        ids += _insert_batch(unique[start : start + BULK_BATCH_SIZE])
    if ids:
        transaction.on_commit(lambda: _enqueue_sends(ids))
    return ids


def _insert_batch(batch: list[OutgoingEmail]) -> list[int]:
    keys = [email.key for email in batch]
    queued = set(Message.objects.filter(key__in=keys).values_list("key", flat=True))
    new = [email for email in batch if email.key not in queued]
    if not new:
        return []
    # Another process may insert one of these keys between the check above and this insert (two
    # scans at once): the unique key refuses the second row without failing the whole batch.
    Message.objects.bulk_create([_render(email) for email in new], ignore_conflicts=True)
    new_keys = [email.key for email in new]
    return list(
        Message.objects.filter(key__in=new_keys, status=MessageStatus.PENDING).values_list(
            "pk", flat=True
        )
    )


def _render(email: OutgoingEmail) -> Message:
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **email.context}
    zone = timezone.override(email.time_zone) if email.time_zone else nullcontext()
    with zone:
        subject = render_to_string(f"emails/{email.template}/subject.txt", context)
        body_text = render_to_string(f"emails/{email.template}/body.txt", context)
        body_html = render_to_string(f"emails/{email.template}/body.html", context)
    return Message(
        key=email.key,
        to=[email.to] if isinstance(email.to, str) else list(email.to),
        subject=" ".join(subject.split())[:300],
        body_text=body_text,
        body_html=body_html,
        ical=email.ical,
        ical_method=email.ical_method,
    )


def _enqueue_send(message_id: int) -> None:
    from balint.outbox.tasks import send_message

    try:
        send_message.delay(message_id)
    except Exception:
        # The broker is down: the row stays pending and the sweeper sends it later.
        logger.warning(
            "Could not queue message %s; the sweeper will send it", message_id, exc_info=True
        )


def _enqueue_sends(message_ids: list[int]) -> None:
    from balint.outbox.tasks import send_message

    if send_message.app.conf.task_always_eager:
        # In-process (development, most tests): one message at a time, as they were written.
        for message_id in message_ids:
            _enqueue_send(message_id)
        return
    try:
        queue_batches(message_ids)
    except Exception:
        # The broker is down. Stop at the first failure rather than wait out the publish retry
        # policy once per batch: the rows stay pending and the sweeper sends them later.
        logger.warning("Could not queue %s messages; the sweeper will send them", len(message_ids))


# Messages per task: each task sends its batch over one SMTP connection. Small enough that the
# two workers' processes share a burst evenly and that a batch redelivered after its worker died
# (it skips what was sent) is little to repeat.
SEND_BATCH_SIZE = 50


def queue_batches(message_ids: list[int]) -> None:
    """Queue tasks that send these messages, SEND_BATCH_SIZE to a task, over one connection to
    the broker (thousands of reminders are due at once). Raises if the broker is down."""
    from balint.outbox.tasks import send_messages

    with send_messages.app.producer_or_acquire() as producer:
        for start in range(0, len(message_ids), SEND_BATCH_SIZE):
            batch = message_ids[start : start + SEND_BATCH_SIZE]
            send_messages.apply_async((batch,), producer=producer)


def pending_message_ids(*, now=None, limit: int = 1000) -> list[int]:
    """Pending messages old enough that their own task should have sent them by now."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    return list(
        Message.objects.filter(status=MessageStatus.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
