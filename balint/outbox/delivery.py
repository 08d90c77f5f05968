"""Sending outbox rows: one at a time, or a batch over one connection to the mail server.

Each message is sent under its row's lock, in a transaction of its own that marks it sent: two
workers given the same message never both send it, and a worker killed half-way through a
batch can have sent at most the one message in flight without marking it (acks_late brings the
batch back and the rows already marked are skipped).
"""

import logging
import smtplib
from contextlib import suppress
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.utils import timezone

from balint.outbox.models import Message, MessageStatus

logger = logging.getLogger(__name__)

# The server refused this message (a recipient, the sender, the content); the next one may go.
# A malformed address raises ValueError before anything is sent.
REFUSALS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    ValueError,
)


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


class MessageRefused(DeliveryFailed):
    """The mail server refused this one message."""


class ServerUnavailable(DeliveryFailed):
    """The mail server could not be reached, or dropped the connection."""


def deliver(message_id: int) -> bool:
    """Send one pending message and mark it sent. Returns True if this call sent it, False if
    it was sent already, is being sent by another worker, or has now failed for good; raises
    DeliveryFailed when the mail server refused or could not be reached (the attempt is
    recorded)."""
    mailer = mailers.default
    try:
        return _deliver_one(message_id, mailer)
    finally:
        _close(mailer)


@dataclass
class BatchResult:
    sent: int = 0
    retry: list[int] = field(default_factory=list)


def deliver_batch(message_ids: list[int]) -> BatchResult:
    """Send these messages over one connection, each as `deliver` sends one. Returns how many
    this call sent, and the ids to try again later: those refused this time and, if the server
    could not be reached, the rest of the batch untried (no attempt counted), followed by the
    one that found it down, so that a long outage charges each message in turn."""
    result = BatchResult()
    mailer = mailers.default
    try:
        for position, message_id in enumerate(message_ids):
            try:
                if _deliver_one(message_id, mailer):
                    result.sent += 1
            except MessageRefused:
                result.retry.append(message_id)
            except ServerUnavailable:
                result.retry += [*message_ids[position + 1 :], message_id]
                break
    finally:
        _close(mailer)
    return result


REMOVED = "[removed once sent]"
SECRET_FIELDS = ["body_text", "body_html", "secrets"]


def forget_secrets(message: Message) -> None:
    """Take the message's secrets (a link's token) out of its stored bodies: staff reading the
    outbox, and anyone with a copy of the database, find no working link in a sent message."""
    for secret in message.secrets:
        message.body_text = message.body_text.replace(secret, REMOVED)
        message.body_html = message.body_html.replace(secret, REMOVED)
    message.secrets = []


def _deliver_one(message_id: int, mailer) -> bool:
    """Send one message over `mailer`, whose connection is opened if need be and left open."""
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
            mailer.open()
            mailer.send_messages([build_email(message)])
        except (OSError, ValueError) as error:
            # A connection in an unknown state is not reused: the next message opens another.
            _close(mailer)
            failure = _failure(error)
            message.last_error = str(failure)
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                message.status = MessageStatus.FAILED
                forget_secrets(message)
            message.save(update_fields=["attempts", "last_error", "status", *SECRET_FIELDS])
        else:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            forget_secrets(message)
            message.save(
                update_fields=["status", "sent_at", "attempts", "last_error", *SECRET_FIELDS]
            )
            return True
    # Raised after the block, so that the attempt and its error are committed.
    if message.status == MessageStatus.FAILED:
        logger.error("Message %s failed permanently: %s", message_id, message.last_error)
        return False
    raise failure


def _failure(error: Exception) -> DeliveryFailed:
    """What an error while sending means: this message refused, or the server unavailable."""
    refused = isinstance(error, REFUSALS) and getattr(error, "smtp_code", None) != 421
    kind = MessageRefused if refused else ServerUnavailable
    return kind(f"{type(error).__name__}: {error}"[:2000])


def _close(mailer) -> None:
    # QUIT fails on a connection the server has already dropped; there is nothing left to close.
    with suppress(OSError):
        mailer.close()
