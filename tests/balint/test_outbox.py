import pytest
from django.core import mail
from django.db import transaction

from balint.outbox.delivery import DeliveryFailed, deliver
from balint.outbox.models import Message, MessageStatus
from balint.outbox.services import enqueue_email
from tests.services import free_port

pytestmark = pytest.mark.django_db


def test_a_queued_message_is_sent_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = enqueue_email(
            key="hello:1", to="sam@example.org", template="hello", context={"name": "Sam"}
        )
        assert mail.outbox == []

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert [m.subject for m in mail.outbox] == ["Hello Sam"]
    assert mail.outbox[0].alternatives[0].mimetype == "text/html"


def test_the_same_key_is_queued_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue_email(key="hello:2", to=["a@example.org"], template="hello", context={})
        second = enqueue_email(key="hello:2", to=["a@example.org"], template="hello", context={})

    assert first is not None and second is None
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1


def test_delivering_twice_sends_once():
    message = enqueue_email(key="hello:3", to="b@example.org", template="hello", context={})

    assert deliver(message.pk) is True
    assert deliver(message.pk) is False
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_email(key="hello:4", to="c@example.org", template="hello", context={})
        raise RuntimeError("the change failed")

    assert not Message.objects.exists()
    assert mail.outbox == []


def test_calendar_part_is_attached_with_its_method():
    message = enqueue_email(
        key="hello:5",
        to="d@example.org",
        template="hello",
        context={},
        ical="BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n",
        ical_method="CANCEL",
    )

    deliver(message.pk)

    mimetypes = [alternative.mimetype for alternative in mail.outbox[0].alternatives]
    assert "text/calendar; method=CANCEL" in mimetypes


def smtp_to_nowhere(settings) -> None:
    """Mail goes over real SMTP to a port where nothing listens."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }


def test_a_refused_send_stays_pending_with_its_error_for_another_try(settings):
    smtp_to_nowhere(settings)
    message = enqueue_email(key="hello:6", to="e@example.org", template="hello", context={})

    with pytest.raises(DeliveryFailed):
        deliver(message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    assert "Connection refused" in message.last_error or "Errno" in message.last_error


def test_a_message_that_keeps_failing_is_marked_failed_for_staff_to_see(settings):
    smtp_to_nowhere(settings)
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = enqueue_email(key="hello:7", to="f@example.org", template="hello", context={})

    with pytest.raises(DeliveryFailed):
        deliver(message.pk)
    assert deliver(message.pk) is False

    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 2)
    assert deliver(message.pk) is False  # never tried again
