"""enqueue_emails_bulk: many outbox rows in a few queries, each key once, sent after commit."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from balint.outbox.models import Message, MessageStatus
from balint.outbox.services import OutgoingEmail, enqueue_email, enqueue_emails_bulk

pytestmark = pytest.mark.django_db


def hello(n: int, **fields) -> OutgoingEmail:
    return OutgoingEmail(
        key=f"bulk:{n}", to=f"p{n}@example.org", template="hello", context={"name": n}, **fields
    )


def test_bulk_rows_are_sent_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ids = enqueue_emails_bulk([hello(n) for n in range(3)])
        assert mail.outbox == []

    assert len(ids) == 3
    assert sorted(m.subject for m in mail.outbox) == ["Hello 0", "Hello 1", "Hello 2"]
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_keys_queued_before_are_skipped_and_not_sent_again(django_capture_on_commit_callbacks):
    enqueue_email(key="bulk:1", to="x@example.org", template="hello", context={"name": "x"})

    with django_capture_on_commit_callbacks() as callbacks:
        first = enqueue_emails_bulk([hello(0), hello(1), hello(1), hello(2)])
        second = enqueue_emails_bulk([hello(0), hello(2)])

    assert len(first) == 2 and second == []
    assert Message.objects.count() == 3
    assert Message.objects.get(key="bulk:1").to == ["x@example.org"]
    assert len(callbacks) == 1


def test_rows_render_in_the_time_zone_asked_for(settings, tmp_path):
    template = tmp_path / "emails" / "zoned"
    template.mkdir(parents=True)
    (template / "subject.txt").write_text("{% now 'e' %}")
    (template / "body.txt").write_text("{% now 'e' %}")
    (template / "body.html").write_text("")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    enqueue_emails_bulk(
        [OutgoingEmail(key="zone:1", to="a@example.org", template="zoned", time_zone="Asia/Tokyo")]
    )

    assert Message.objects.get(key="zone:1").subject == "JST"


def test_a_rolled_back_transaction_leaves_no_rows():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_emails_bulk([hello(n) for n in range(3)])
        raise RuntimeError("the scan failed")

    assert not Message.objects.exists()


def test_queries_grow_with_batches_not_with_emails():
    with CaptureQueriesContext(connection) as few:
        enqueue_emails_bulk([hello(n) for n in range(10)])
    with CaptureQueriesContext(connection) as many:
        enqueue_emails_bulk([hello(n) for n in range(100, 500)])

    assert len(many) == len(few)
    assert Message.objects.count() == 410
