"""Two leaders reinstate the same cancelled meeting at the same moment: it comes back once (one
revision, one update per person) and the second leader is told why, thanks to the group's and
the meeting's row locks. The negative control replaces the locks with plain reads, and the race
must show: both act on a cancelled meeting, and the second fails in the database instead.
PostgreSQL only (SQLite serialises every write anyway)."""

import threading
import time

import pytest
from django.db import connection, connections

from balint.outbox.models import Message
from sessions.meetings import services as meeting_services
from sessions.meetings.models import Meeting
from sessions.meetings.services import MeetingError, cancel_meeting, reinstate_meeting
from tests.factories import LeadershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


@pytest.fixture
def slow_change(monkeypatch):
    """Each reinstatement waits after reading the meeting, as on a busy server, so that without
    the locks both would read it cancelled before either writes."""
    real = meeting_services.apply_change

    def apply_slowly(meeting, **kwargs):
        time.sleep(0.5)
        return real(meeting, **kwargs)

    monkeypatch.setattr(meeting_services, "apply_change", apply_slowly)


@pytest.fixture
def without_the_locks(monkeypatch):
    """The negative control: reinstating reads the group and the meeting without locking."""
    monkeypatch.setattr(meeting_services, "lock_group", lambda group_id: None)
    monkeypatch.setattr(
        meeting_services,
        "lock_meeting",
        lambda meeting: Meeting.objects.select_related("group").get(pk=meeting.pk),
    )


def reinstate_twice_at_once(meeting, leaders) -> list[str]:
    outcomes: list[str] = []
    start = threading.Barrier(len(leaders))

    def run(leader):
        try:
            start.wait()
            reinstate_meeting(meeting=Meeting.objects.get(pk=meeting.pk), by=leader)
            outcomes.append("reinstated")
        except MeetingError as error:
            outcomes.append(error.message)
        except Exception as error:  # the negative control: the database refuses the second
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(leader,)) for leader in leaders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.fixture
def two_leaders(group, leader, member):
    co_leader = UserFactory(display_name="Dr Cora Leader", email="cora@example.org")
    LeadershipFactory(group=group, person=co_leader)
    return [leader, co_leader]


@pytest.fixture
def cancelled(meeting, leader):
    cancel_meeting(meeting=meeting, by=leader, reason="Snow.")
    return Meeting.objects.get(pk=meeting.pk)


def test_two_leaders_reinstating_at_once_bring_it_back_once(cancelled, two_leaders, slow_change):
    before = cancelled.revision

    outcomes = reinstate_twice_at_once(cancelled, two_leaders)

    assert outcomes == ["This meeting is not cancelled.", "reinstated"]
    cancelled.refresh_from_db()
    assert cancelled.revision == before + 1
    assert Message.objects.filter(key__startswith="reinstate:").count() == 3  # 2 leaders, 1 member


def test_without_the_locks_the_race_shows(cancelled, two_leaders, slow_change, without_the_locks):
    outcomes = reinstate_twice_at_once(cancelled, two_leaders)

    # Both read it cancelled and both wrote: the second leader gets no answer in words, only
    # the database's refusal of a second change at the same revision.
    assert outcomes == ["IntegrityError", "reinstated"]
