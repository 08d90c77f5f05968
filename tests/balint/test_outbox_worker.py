"""The outbox with real parts: a Celery worker process, Redis, and an SMTP server."""

import time

import pytest
from django.db import transaction

from balint.outbox.models import Message, MessageStatus
from balint.outbox.services import OutgoingEmail, enqueue_email, enqueue_emails_bulk
from balint.outbox.tasks import sweep_outbox
from tests.services import RedisServer, using_broker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def queue_hello(key: str) -> Message:
    with transaction.atomic():
        return enqueue_email(key=key, to="sam@example.org", template="hello", context={"name": key})


def wait_until_sent(count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while Message.objects.filter(status=MessageStatus.SENT).count() < count:
        assert time.monotonic() < deadline, "messages were not marked sent in time"
        time.sleep(0.1)


def test_a_worker_sends_a_committed_message_over_smtp(broker_url, start_worker, smtp_server):
    start_worker(broker_url)

    with using_broker(broker_url):
        queue_hello("worker:1")

    [received] = smtp_server.wait_for(1)
    assert received["Subject"] == "Hello worker:1"
    assert received["X-Balint-Message-Key"] == "worker:1"
    wait_until_sent(1)


def test_a_message_committed_while_redis_is_down_is_sent_once_by_the_sweeper(
    start_worker, smtp_server, settings
):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    redis = RedisServer()
    with using_broker(redis.url):
        started = time.monotonic()
        message = queue_hello("down:1")  # nothing listens on redis.url yet
        assert time.monotonic() - started < 10, "a dead broker must not hold up the change"
        assert Message.objects.get(pk=message.pk).status == MessageStatus.PENDING

        with redis:
            start_worker(redis.url)
            sweep_outbox()
            sweep_outbox()  # a second sweep while the first is in flight sends nothing more

            received = smtp_server.wait_for(1)
            wait_until_sent(1)
            time.sleep(1)

    assert [m["X-Balint-Message-Key"] for m in smtp_server.messages()] == ["down:1"]
    assert len(received) == 1


def test_killing_the_worker_loses_no_message(start_worker, smtp_server, settings):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    keys = [f"kill:{n}" for n in range(20)]
    with RedisServer() as redis, using_broker(redis.url):
        worker = start_worker(redis.url, visibility_timeout=3)
        for key in keys:
            queue_hello(key)
        smtp_server.wait_for(3)
        worker.kill()

        start_worker(redis.url, visibility_timeout=3)
        sweep_outbox()
        wait_until_sent(len(keys), timeout=60)

    delivered = [m["X-Balint-Message-Key"] for m in smtp_server.wait_for(len(keys))]
    assert set(delivered) == set(keys)
    # A repeat is possible only for the one message whose SMTP send completed just before the
    # kill, and before its row was marked sent.
    assert len(delivered) <= len(keys) + 1


def test_a_batch_queued_while_the_mail_server_is_down_is_retried_and_sent_once_it_is_back(
    broker_url, start_worker, smtp_server
):
    smtp_server.stop()
    keys = [f"retry:{n}" for n in range(3)]
    start_worker(broker_url)

    with using_broker(broker_url):
        with transaction.atomic():
            enqueue_emails_bulk(
                OutgoingEmail(key=key, to="sam@example.org", template="hello") for key in keys
            )
        deadline = time.monotonic() + 30
        while not Message.objects.filter(attempts__gte=1).exists():
            assert time.monotonic() < deadline, "the worker never tried to send"
            time.sleep(0.1)
        smtp_server.start()
        wait_until_sent(len(keys), timeout=60)

    delivered = [m["X-Balint-Message-Key"] for m in smtp_server.wait_for(len(keys))]
    assert sorted(delivered) == keys
