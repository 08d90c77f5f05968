"""Answers given at the same moment all reach the pool (real PostgreSQL row locks).

The pool is one JSON row per round, read, changed and written back: without the round's lock
two submissions would both read it and the second write would drop the first answer. The
negative control replaces the lock with a plain read (`without_the_round_lock`) and slows every
submission between its read and its write: answers must then go missing."""

import threading
import time

import pytest
from django.db import connection, connections

from sessions.reports import feedback as feedback_services
from sessions.reports.feedback import invite_cohort_feedback, submit_feedback
from sessions.reports.feedback_models import Audience, FeedbackRound
from tests.reports.factories import EnrolmentFactory
from tests.reports.test_feedback import link_token

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 8
ANSWER = {"reflect": 4, "understand": 4, "enjoyed": 4, "will_use": 4, "overall": 4}
ROUND_LOCK = (feedback_services, "_lock_round")
BETWEEN_READ_AND_WRITE = (feedback_services, "_valid_answer")


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


@pytest.fixture
def slow_submissions(monkeypatch):
    """Every submission waits after reading the round, as on a busy server."""
    check = getattr(*BETWEEN_READ_AND_WRITE)

    def check_slowly(round_, answers):
        time.sleep(0.3)
        return check(round_, answers)

    monkeypatch.setattr(*BETWEEN_READ_AND_WRITE, check_slowly)


@pytest.fixture
def without_the_round_lock(monkeypatch):
    """The negative control: the round is read without locking it."""
    assert callable(getattr(*ROUND_LOCK))
    monkeypatch.setattr(
        *ROUND_LOCK,
        lambda round_id: FeedbackRound.objects.select_related("version").get(pk=round_id),
    )


@pytest.fixture
def tokens(cohort, mailoutbox):
    for _ in range(PEOPLE):
        EnrolmentFactory(cohort=cohort)
    invite_cohort_feedback(cohort=cohort)
    return [link_token(m) for m in mailoutbox if "facilitating" not in m.subject]


def _submit_all_at_once(tokens) -> list[Exception]:
    errors, start = [], threading.Barrier(len(tokens))

    def submit(token):
        try:
            start.wait()
            submit_feedback(token=token, answers=ANSWER)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _pooled(cohort) -> int:
    return len(FeedbackRound.objects.get(cohort=cohort, audience=Audience.TRAINEES).pending)


def test_answers_given_at_the_same_moment_are_all_pooled(cohort, tokens, slow_submissions):
    assert _submit_all_at_once(tokens) == []
    assert _pooled(cohort) == PEOPLE


def test_without_the_lock_answers_are_lost(
    cohort, tokens, slow_submissions, without_the_round_lock
):
    assert _submit_all_at_once(tokens) == []
    assert _pooled(cohort) < PEOPLE
