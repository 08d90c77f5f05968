import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
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
) -> Message | None:
    """Render `templates/emails/<template>/{subject.txt,body.txt,body.html}` into an outbox row
    and send it after the surrounding transaction commits. Returns None if `key` was queued
    before (so calling twice queues once)."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
    try:
        with transaction.atomic():
            message = Message.objects.create(
                key=key,
                to=[to] if isinstance(to, str) else list(to),
                subject=subject[:300],
                body_text=render_to_string(f"emails/{template}/body.txt", context),
                body_html=render_to_string(f"emails/{template}/body.html", context),
                ical=ical,
                ical_method=ical_method,
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: _enqueue_send(message.pk))
    return message


def _enqueue_send(message_id: int) -> None:
    from balint.outbox.tasks import send_message

    try:
        send_message.delay(message_id)
    except Exception:
        # The broker is down: the row stays pending and the sweeper sends it later.
        logger.warning("Could not queue message %s; the sweeper will send it", message_id)


def build_email(message: Message) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=message.to,
        headers={"X-Balint-Message-Key": message.key},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    if message.ical:
        method = message.ical_method or "REQUEST"
        email.attach_alternative(message.ical, f"text/calendar; method={method}")
    return email


class DeliveryFailed(Exception):
    """Sending failed this time; the message stays pending for another attempt."""


def deliver(message_id: int) -> bool:
    """Send one pending message and mark it sent, under a row lock so that two workers running
    the same task never both send it. Returns True if this call sent it; raises DeliveryFailed
    when the mail server refused or could not be reached (the attempt is recorded)."""
    with transaction.atomic():
        # skip_locked: another worker holding this row is sending it right now.
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=MessageStatus.PENDING)
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        try:
            build_email(message).send()
        except (smtplib.SMTPException, OSError) as error:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                message.status = MessageStatus.FAILED
            message.save(update_fields=["attempts", "last_error", "status"])
            failed = message.status == MessageStatus.PENDING
        else:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["status", "sent_at", "attempts", "last_error"])
            return True
    if failed:
        raise DeliveryFailed(message.last_error)
    logger.error("Message %s failed permanently: %s", message_id, message.last_error)
    return False


def pending_message_ids(*, now=None, limit: int = 1000) -> list[int]:
    """Pending messages old enough that their own task should have sent them by now."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    return list(
        Message.objects.filter(status=MessageStatus.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
