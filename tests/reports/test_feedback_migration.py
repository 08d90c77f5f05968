"""Answers stored one row each before rounds existed are folded into published batches by the
migration, and the rows that could pair them with their receipts are gone."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

# The cohorts as they were then too (a later migration gave them a counting rule).
BEFORE = [
    ("reports", "0002_cohort_moved_to_programmes"),
    ("programmes", "0002_content_types_follow_the_models"),
]
AFTER = [("reports", "0005_feedback_answers_table_removed")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def migrated_back_then_forward():
    """Whatever the test leaves, the database ends at the latest migration of every app, so the
    flush after it (and the next test on this worker) finds every table."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_earlier_answers_become_one_published_batch_per_cohort(
    programme, member, migrated_back_then_forward
):
    old = _migrate(BEFORE)
    Cohort = old.get_model("programmes", "Cohort")
    cohort = Cohort.objects.create(
        programme_id=programme.pk,
        name="Old block",
        starts_on="2026-01-05",
        ends_on="2026-02-01",
        required_percent=75,
    )
    Invitation = old.get_model("reports", "FeedbackInvitation")
    invitation = Invitation.objects.create(
        token_hash="x" * 64, person_id=member.pk, kind="block", cohort_id=cohort.pk
    )
    old.get_model("reports", "FeedbackReceipt").objects.create(
        id=uuid.uuid4(), invitation=invitation
    )
    Response = old.get_model("reports", "FeedbackResponse")
    for reflect in (5, 4, 2, 5, 4, 5):
        Response.objects.create(
            id=uuid.uuid4(), kind="block", cohort_id=cohort.pk, month="2026-02-01",
            reflect=reflect, understand=4, enjoyed=4, will_use=4, overall=4, comments="Good.",
        )  # fmt: skip

    new = _migrate(AFTER)

    Round = new.get_model("reports", "FeedbackRound")
    round_ = Round.objects.get(cohort_id=cohort.pk)
    assert round_.audience == "trainees" and round_.pending == []
    assert new.get_model("reports", "FeedbackInvitation").objects.get().round_id == round_.pk
    batch = new.get_model("reports", "ResultBatch").objects.get(round=round_)
    assert batch.answers == 6
    counts = new.get_model("reports", "ResultCount").objects.filter(batch=batch, key="reflect")
    assert {c.value: c.count for c in counts} == {2: 1, 4: 2, 5: 3}
    assert new.get_model("reports", "PublishedText").objects.filter(batch=batch).count() == 6
    tables = connection.introspection.table_names()
    assert "reports_feedbackresponse" not in tables
