"""Sending outbox rows in batches: one SMTP connection a batch, each row sent once under its own
lock, a refused message retried without holding up the rest, an unreachable server charging
only the message that found it down."""

import pytest
from aiosmtpd.controller import Controller

from balint.outbox.delivery import MessageRefused, deliver, deliver_batch
from balint.outbox.models import Message, MessageStatus
from balint.outbox.services import enqueue_email
from tests.services import free_port

pytestmark = pytest.mark.django_db


class RefusingHandler:
    """Accepts every message except to addresses starting with "refuse", and notes from which
    connection (the client's address and port) each message came."""

    def __init__(self):
        self.received: list[tuple[tuple, list[str]]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((session.peer, envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def smtp_on(settings, port: int) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def smtp(settings):
    """A real SMTP server in this process that refuses some recipients; the outbox sends to it."""
    handler = RefusingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    smtp_on(settings, controller.port)
    yield handler
    controller.stop()


def queued(*addresses: str) -> list[int]:
    return [
        enqueue_email(key=f"batch:{n}", to=to, template="hello", context={"name": n}).pk
        for n, to in enumerate(addresses)
    ]


def test_a_batch_is_sent_over_one_connection_and_every_row_marked_sent(smtp):
    ids = queued(*(f"p{n}@example.org" for n in range(5)))

    result = deliver_batch(ids)

    assert (result.sent, result.retry) == (5, [])
    assert len(smtp.received) == 5
    assert len({peer for peer, _ in smtp.received}) == 1
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_a_batch_delivered_twice_sends_each_message_once(smtp):
    ids = queued("a@example.org", "b@example.org")

    deliver_batch(ids)
    again = deliver_batch(ids)

    assert (again.sent, again.retry) == (0, [])
    assert sorted(to for _, [to] in smtp.received) == ["a@example.org", "b@example.org"]


def test_a_refused_message_is_retried_later_and_the_rest_of_the_batch_is_sent(smtp):
    first, refused, malformed, last = queued(
        "a@example.org", "refuse.me@example.org", "not an address", "d@example.org"
    )

    result = deliver_batch([first, refused, malformed, last])

    assert (result.sent, result.retry) == (2, [refused, malformed])
    assert sorted(to for _, [to] in smtp.received) == ["a@example.org", "d@example.org"]
    row = Message.objects.get(pk=refused)
    assert (row.status, row.attempts) == (MessageStatus.PENDING, 1)
    assert row.last_error.startswith("SMTPRecipientsRefused")
    assert Message.objects.get(pk=malformed).last_error.startswith("ValueError")


def test_a_message_refused_every_time_is_marked_failed_and_no_longer_retried(smtp, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    [refused] = queued("refuse.me@example.org")

    assert deliver_batch([refused]).retry == [refused]
    assert deliver_batch([refused]).retry == []

    row = Message.objects.get(pk=refused)
    assert (row.status, row.attempts) == (MessageStatus.FAILED, 2)


def test_when_the_server_is_down_only_the_message_that_found_it_down_counts_an_attempt(
    settings,
):
    smtp_on(settings, free_port())  # nothing listens there
    first, second, third = queued("a@example.org", "b@example.org", "c@example.org")

    result = deliver_batch([first, second, third])

    # The untried come first next time, so that a long outage charges each message in turn.
    assert (result.sent, result.retry) == (0, [second, third, first])
    attempts = dict(Message.objects.values_list("pk", "attempts"))
    assert attempts == {first: 1, second: 0, third: 0}


def test_a_single_message_goes_over_a_connection_of_its_own_and_a_refusal_raises(smtp):
    ok, refused = queued("a@example.org", "refuse.me@example.org")

    assert deliver(ok) is True
    with pytest.raises(MessageRefused):
        deliver(refused)

    assert Message.objects.get(pk=refused).attempts == 1
