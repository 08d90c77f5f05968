"""The linking attack: someone with a full copy of the database, who also knows the order in
which people submitted, tries to pair each answer with its author.

Before this design, `submit_feedback` wrote one answer row and one receipt row in the same
transaction. Even with random UUID keys and no time stamps, both tables grow in submission
order: ordering the answers by storage position (PostgreSQL's `ctid`, SQLite's `rowid`; also
PostgreSQL's `xmin`, the writing transaction) and the receipts (→ invitation → person) the same
way paired every answer with its author. `test_the_attack_links_rows_written_the_old_way` keeps
that as the positive control: it writes the old pattern (one answer row per receipt) and the
attack recovers every pair.

Now an answer is never a row of its own at submission: it goes into the round's one pool row at
a random place, and publication writes the written answers in a shuffled order, all in one
transaction. The same attack, on the pool and on the published rows, pairs no better than
chance. (Out of scope: reading dead tuple versions from PostgreSQL's data files before VACUUM.)
"""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from sessions.reports.feedback import invite_cohort_feedback, publish_round, submit_feedback
from sessions.reports.feedback_models import Audience, FeedbackRound, PublishedText, ResultBatch
from sessions.reports.models import FeedbackInvitation, FeedbackReceipt
from tests.reports.factories import EnrolmentFactory
from tests.reports.test_feedback import link_token

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 20


def _position() -> str:
    return "ctid" if connection.vendor == "postgresql" else "rowid"


def _authors_in_storage_order() -> list[int]:
    """The receipts' people, ordered as the rows are stored (and, on PostgreSQL, by the
    transaction that wrote them)."""
    order = f"r.{_position()}" if connection.vendor != "postgresql" else "r.xmin::text::bigint"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.person_id FROM {FeedbackReceipt._meta.db_table} r "  # noqa: S608
            f"JOIN {FeedbackInvitation._meta.db_table} i ON i.id = r.invitation_id "
            f"ORDER BY {order}, r.{_position()}"
        )
        return [row[0] for row in cursor.fetchall()]


def _texts_in_storage_order() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT text FROM {PublishedText._meta.db_table} "  # noqa: S608
            f"ORDER BY {_position()}"
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def answered(cohort, mailoutbox):
    """PEOPLE trainees answer, one after another, each writing their own id in the comment
    (so the test knows the truth the attacker is after)."""
    for _ in range(PEOPLE):
        EnrolmentFactory(cohort=cohort)
    invite_cohort_feedback(cohort=cohort)
    by_token = {
        link_token(message): FeedbackInvitation.objects.get(person__email=message.to[0]).person_id
        for message in mailoutbox
        if "facilitat" not in message.subject
    }
    submitted = []
    for token, person_id in by_token.items():
        answers = {"reflect": 4, "understand": 4, "enjoyed": 4, "will_use": 4, "overall": 4}
        submit_feedback(token=token, answers={**answers, "comments": f"author {person_id}"})
        submitted.append(person_id)
    return submitted


def _linked(authors: list[int], texts: list[str]) -> int:
    """How many answers the attack pairs with their true author."""
    return sum(text == f"author {person}" for person, text in zip(authors, texts, strict=False))


def test_the_attack_links_rows_written_the_old_way(cohort, answered):
    """Positive control: one answer row written beside each receipt, in submission order (what
    submit_feedback used to do) is linked completely by the attack."""
    round_ = FeedbackRound.objects.get(cohort=cohort, audience=Audience.TRAINEES)
    batch = ResultBatch.objects.create(round=round_, published_at=timezone.now(), answers=0)
    PublishedText.objects.all().delete()
    for person in answered:
        with transaction.atomic():
            PublishedText.objects.create(batch=batch, key="comments", text=f"author {person}")

    assert _authors_in_storage_order() == answered  # the attacker's side of the pairing
    assert _linked(answered, _texts_in_storage_order()) == PEOPLE


def test_the_attack_cannot_link_pooled_answers_to_their_authors(cohort, answered):
    round_ = FeedbackRound.objects.get(cohort=cohort, audience=Audience.TRAINEES)
    # Before publication: the pool is one row; its order is the only order there is.
    pool_texts = [answer["comments"] for answer in round_.pending]
    assert sorted(pool_texts) == sorted(f"author {person}" for person in answered)
    assert (
        _linked(_authors_in_storage_order(), pool_texts) < PEOPLE // 2
    )  # chance pairs ~1; 10 or more by chance: ~1 in 10 million

    publish_round(round_id=round_.pk)

    # After publication: one row per written answer, stored in a shuffled order.
    texts = _texts_in_storage_order()
    assert len(texts) == PEOPLE
    assert (
        _linked(_authors_in_storage_order(), texts) < PEOPLE // 2
    )  # chance pairs ~1; 10 or more by chance: ~1 in 10 million
    # And nothing else is stored per answer: the pool is empty, the counts are totals.
    round_.refresh_from_db()
    assert round_.pending == []
