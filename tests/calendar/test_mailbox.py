"""Calendar answers read from a real IMAP mailbox (Dovecot, started here): each client's Decline
becomes one apology however often it is read, Accept withdraws it, a forged answer changes
nothing, and a message with no answer is set aside without stopping the next one. One test
runs the beat task through a real Celery worker."""

import imaplib
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from sessions.calendar.mailbox import read_mailbox
from sessions.calendar.tasks import MAILBOX_LOCK, read_calendar_replies
from sessions.meetings.models import Apology
from tests.calendar.replies import CLIENTS, gmail, not_a_reply, outlook, thunderbird
from tests.calendar.test_replies import REPLIES, answer
from tests.services import DovecotServer, using_broker
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.services


@pytest.fixture
def dovecot():
    with DovecotServer() as server:
        yield server


def imap_environment(server: DovecotServer, *, folders: bool = True) -> dict[str, str]:
    return {
        "REPLIES_ADDRESS": REPLIES,
        "IMAP_HOST": "127.0.0.1",
        "IMAP_PORT": str(server.port),
        "IMAP_USE_SSL": "false",
        "IMAP_USER": server.user,
        "IMAP_PASSWORD": server.password,
        "IMAP_FOLDER": "INBOX",
        "IMAP_PROCESSED_FOLDER": "Processed" if folders else "",
        "IMAP_FAILED_FOLDER": "Failed" if folders else "",
    }


@pytest.fixture
def mailbox(settings, dovecot):
    for name, value in imap_environment(dovecot).items():
        setattr(settings, name, int(value) if name == "IMAP_PORT" else value)
    settings.IMAP_USE_SSL = False
    return dovecot


def imap(server: DovecotServer) -> imaplib.IMAP4:
    client = imaplib.IMAP4("127.0.0.1", server.port)
    client.login(server.user, server.password)
    return client


def deliver(server: DovecotServer, *messages: bytes) -> None:
    client = imap(server)
    for raw in messages:
        status, _ = client.append("INBOX", None, None, raw)
        assert status == "OK"
    client.logout()


def in_folder(server: DovecotServer, folder: str, criteria: str = "ALL") -> int:
    client = imap(server)
    status, _ = client.select(folder, readonly=True)
    found = client.search(None, criteria)[1][0].split() if status == "OK" else []
    client.logout()
    return len(found)


@pytest.fixture
def meeting(group):
    return MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=7))


@pytest.mark.django_db
@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_a_decline_from_each_client_becomes_one_apology_however_often_it_is_read(
    client, mailbox, meeting, member
):
    raw = CLIENTS[client](answer(meeting, member))
    deliver(mailbox, raw, raw)  # delivered twice

    first, second = read_mailbox(), read_mailbox()

    assert (first.processed, first.set_aside, second.processed) == (2, 0, 0)
    [apology] = Apology.objects.all()
    assert (apology.person, apology.from_calendar) == (member, True)
    assert in_folder(mailbox, "INBOX") == 0
    assert in_folder(mailbox, "Processed") == 2


@pytest.mark.django_db
def test_an_accept_read_later_withdraws_the_apology(mailbox, meeting, member):
    deliver(mailbox, gmail(answer(meeting, member, "DECLINED")))
    read_mailbox()
    assert Apology.objects.exists()

    deliver(mailbox, outlook(answer(meeting, member, "ACCEPTED", minutes=1)))
    read_mailbox()

    assert not Apology.objects.exists()


@pytest.mark.django_db
def test_a_forged_reply_changes_nothing_and_is_filed_as_read(mailbox, meeting, member, leader):
    forged = answer(meeting, member, sender=leader.email, attendee=leader.email)
    deliver(mailbox, thunderbird(forged))

    result = read_mailbox()

    assert (result.processed, result.set_aside) == (1, 0)
    assert not Apology.objects.exists()
    assert in_folder(mailbox, "Processed") == 1


@pytest.mark.django_db
def test_an_unreadable_message_is_set_aside_and_the_next_one_is_still_applied(
    mailbox, meeting, member
):
    deliver(mailbox, not_a_reply(), b"\x00\xff not even headers", outlook(answer(meeting, member)))

    result = read_mailbox()

    assert (result.processed, result.set_aside) == (1, 2)
    assert Apology.objects.filter(person=member).count() == 1
    assert in_folder(mailbox, "Failed") == 2
    assert in_folder(mailbox, "Processed") == 1
    assert in_folder(mailbox, "INBOX") == 0


@pytest.mark.django_db
def test_without_folders_messages_stay_marked_seen_or_flagged_and_are_not_read_again(
    settings, mailbox, meeting, member
):
    settings.IMAP_PROCESSED_FOLDER = settings.IMAP_FAILED_FOLDER = ""
    deliver(mailbox, not_a_reply(), outlook(answer(meeting, member)))

    first, second = read_mailbox(), read_mailbox()

    assert (first.processed, first.set_aside) == (1, 1)
    assert (second.processed, second.set_aside) == (0, 0)
    assert in_folder(mailbox, "INBOX", "SEEN") == 2
    assert in_folder(mailbox, "INBOX", "FLAGGED") == 1


@pytest.mark.django_db
def test_without_imap_host_the_task_reads_nothing(settings):
    settings.IMAP_HOST = ""

    assert read_calendar_replies() == 0


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_applies_a_decline_through_a_real_worker(
    monkeypatch, dovecot, broker_url, start_worker, settings, group, member
):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=7))
    for name, value in imap_environment(dovecot).items():
        monkeypatch.setenv(name, value)  # the worker's settings read them
    settings.REPLIES_ADDRESS = REPLIES
    deliver(dovecot, gmail(answer(meeting, member)))
    start_worker(broker_url)

    with using_broker(broker_url):
        read_calendar_replies.delay()
        deadline = time.monotonic() + 30
        while not Apology.objects.filter(meeting=meeting, person=member).exists():
            assert time.monotonic() < deadline, "the worker applied no answer in 30 s"
            time.sleep(0.2)
            connection.close()  # SQLite: see the worker's commit

    assert Apology.objects.get(meeting=meeting).from_calendar
    assert in_folder(dovecot, "Processed") == 1


@pytest.mark.django_db
def test_a_second_reader_waits_for_the_first(mailbox, meeting, member):
    """While one run holds the mailbox, a second (beat firing again) reads nothing."""
    deliver(mailbox, outlook(answer(meeting, member, "DECLINED")))
    cache.add(MAILBOX_LOCK, True, 60)
    try:
        assert read_calendar_replies() == 0
        assert not Apology.objects.filter(meeting=meeting, person=member).exists()
    finally:
        cache.delete(MAILBOX_LOCK)

    assert read_calendar_replies() == 1
    assert Apology.objects.filter(meeting=meeting, person=member).exists()
