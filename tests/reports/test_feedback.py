"""Anonymous feedback: one answer per invitation into the round's pool, results published in
batches and hidden below five answers, idempotent invitations, and the response rate as
programmes say it. (The linking attack is in test_feedback_anonymity.py.)"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import models
from django.utils import timezone

from balint.outbox.models import Message
from sessions.reports.feedback import (
    FeedbackError,
    ResponseRate,
    invite_feedback_after_taster,
    invite_feedback_for_ended_blocks,
    publish_due,
    publish_round,
    submit_feedback,
)
from sessions.reports.feedback_models import Audience, FeedbackRound, PublishedText
from sessions.reports.feedback_results import results_for
from sessions.reports.models import FeedbackInvitation, FeedbackReceipt
from sessions.reports.tasks import send_feedback_invitations
from tests.factories import UserFactory
from tests.reports.factories import EnrolmentFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "reflect": 5,
    "understand": 4,
    "enjoyed": 4,
    "will_use": 5,
    "overall": 4,
    "comments": "Thoughtful.",
}


def link_token(message) -> str:
    return re.search(r"/programmes/feedback/([\w-]+)/", message.body).group(1)


@pytest.fixture
def ended(cohort):
    cohort.ends_on = timezone.localdate() - timedelta(days=1)
    cohort.save()
    return cohort


@pytest.fixture
def tokens(ended, django_capture_on_commit_callbacks):
    """Six trainees of the ended cohort, invited; their links' tokens."""
    for _ in range(6):
        EnrolmentFactory(cohort=ended)
    with django_capture_on_commit_callbacks(execute=True):
        invite_feedback_for_ended_blocks()
    return [link_token(message) for message in mail.outbox]


def test_published_answers_have_no_link_to_people_and_no_time_of_their_own():
    for model in (PublishedText,):
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            assert target is None or target._meta.label == "reports.ResultBatch"
            assert not isinstance(field, models.DateTimeField | models.TimeField), field.name
        assert isinstance(model._meta.pk, models.UUIDField)
    names = {field.name for field in FeedbackRound._meta.get_fields()}
    assert "pending" in names and not names & {"person", "receipt", "token_hash"}


def test_receipts_say_only_that_someone_answered():
    fields = {field.name: field for field in FeedbackReceipt._meta.get_fields()}
    assert set(fields) == {"id", "invitation"}
    assert isinstance(FeedbackReceipt._meta.pk, models.UUIDField)
    assert not any(isinstance(f, models.DateTimeField | models.DateField) for f in fields.values())


def test_the_scan_invites_each_trainee_once_and_runs_again_harmlessly(ended, trainee):
    first = send_feedback_invitations.delay().get()
    second = send_feedback_invitations.delay().get()

    assert (first, second) == (1, 0)
    invitation = FeedbackInvitation.objects.get()
    assert invitation.person == trainee
    message = Message.objects.get(key=f"feedback:block:{ended.pk}:{trainee.pk}")
    assert "anonymous" in message.body_text and "patient details" in message.body_text


def test_a_cohort_still_running_or_long_ended_is_not_scanned(cohort, trainee):
    assert invite_feedback_for_ended_blocks() == 0  # still running
    cohort.ends_on = timezone.localdate() - timedelta(days=90)
    cohort.starts_on = cohort.ends_on - timedelta(days=30)
    cohort.save()
    assert invite_feedback_for_ended_blocks() == 0


def _round(cohort) -> FeedbackRound:
    return FeedbackRound.objects.get(cohort=cohort, audience=Audience.TRAINEES)


def test_an_answer_goes_into_the_pool_without_the_person_and_only_once(tokens, ended):
    submit_feedback(token=tokens[0], answers=ANSWERS)

    assert _round(ended).pending == [ANSWERS]
    assert FeedbackReceipt.objects.count() == 1
    with pytest.raises(FeedbackError, match="already answered"):
        submit_feedback(token=tokens[0], answers=ANSWERS)
    with pytest.raises(FeedbackError, match="not valid"):
        submit_feedback(token="forged", answers=ANSWERS)
    assert len(_round(ended).pending) == 1


def test_a_blocks_answers_are_published_whole_when_its_round_closes(tokens, ended):
    for token in tokens[:4]:
        submit_feedback(token=token, answers=ANSWERS)
    submit_feedback(token=tokens[4], answers={**ANSWERS, "reflect": 2, "comments": ""})
    assert publish_due() == 0  # the round is open: nothing is published yet
    hidden = results_for(FeedbackRound.objects.filter(cohort=ended, audience=Audience.TRAINEES))
    assert (hidden.shown, hidden.answers, hidden.awaiting) == (False, 0, 5)

    round_ = _round(ended)
    round_.closes_on = timezone.localdate() - timedelta(days=1)
    round_.save()
    assert publish_due() == 1

    shown = results_for(FeedbackRound.objects.filter(cohort=ended, audience=Audience.TRAINEES))
    assert shown.shown and shown.answers == 5 and _round(ended).pending == []
    reflect = shown.figures[0]
    assert str(reflect) == "4 of 5 agreed (80.0%)"
    assert shown.texts == [("Anything else about the group experience?", ["Thoughtful."] * 4)]


def _taster_tokens(group, count: int, capture) -> list[str]:
    meeting = MeetingFactory(group=group)
    with capture(execute=True):
        for _ in range(count):
            invite_feedback_after_taster(person=UserFactory(), meeting=meeting)
    return [link_token(message) for message in mail.outbox]


TASTER = {"reflect": 4, "understood": 5, "overall": 4}


def test_a_single_submission_never_changes_the_published_results(
    group, django_capture_on_commit_callbacks
):
    """The reviewers' attack: compare the page before and after one more answer. Open-ended
    rounds (tasters') are published five or more at a time, so the sixth waits."""
    tokens = _taster_tokens(group, 6, django_capture_on_commit_callbacks)
    for token in tokens[:5]:
        submit_feedback(token=token, answers=TASTER)
    assert publish_due() == 1
    rounds = FeedbackRound.objects.filter(group=group, audience=Audience.TASTERS)
    before = results_for(rounds)

    submit_feedback(token=tokens[5], answers={**TASTER, "reflect": 1})
    assert publish_due() == 0

    after = results_for(rounds)
    assert [str(f) for f in after.figures] == [str(f) for f in before.figures]
    assert after.answers == before.answers == 5 and after.awaiting == 1


def test_closing_a_round_publishes_what_is_left_and_takes_no_more(tokens, ended):
    submit_feedback(token=tokens[0], answers=ANSWERS)
    round_ = _round(ended)
    round_.closes_on = timezone.localdate() - timedelta(days=1)
    round_.save()

    assert publish_due() == 1

    round_.refresh_from_db()
    assert round_.closed_at is not None and round_.pending == []
    results = results_for(FeedbackRound.objects.filter(cohort=ended, audience=Audience.TRAINEES))
    # One answer: counted, but no figure and no written answer is shown.
    assert (results.answers, results.shown, results.figures, results.texts) == (1, False, [], [])
    assert PublishedText.objects.count() == 1
    with pytest.raises(FeedbackError, match="closed"):
        submit_feedback(token=tokens[1], answers=ANSWERS)


def test_the_response_rate_reads_as_the_programmes_report_it():
    assert str(ResponseRate(72, 143)) == "72 of 143 (50.3%)"
    assert str(ResponseRate(0, 0)) == "No invitations sent yet"


def test_the_questionnaire_page_takes_one_answer_and_hides_nothing_it_should_not(
    client, tokens, ended
):
    url = f"/programmes/feedback/{tokens[0]}/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"patient details" in page.content
    assert b"helped me reflect on my interactions with patients" in page.content

    # Garbage is a form error, never a 500.
    bad = client.post(url, {"reflect": "9", "overall": "x", "comments": "y" * 3000})
    assert bad.status_code == 200 and b"There is a problem" in bad.content
    assert _round(ended).pending == []

    answered = client.post(url, ANSWERS)
    assert answered.status_code == 302 and answered["Location"] == "/programmes/feedback/thanks/"
    assert b"answered already" in client.get(url).content
    assert client.get("/programmes/feedback/not-a-token/").status_code == 404


def test_the_results_page_follows_the_threshold(client_for, programme, tokens, ended):
    client = client_for("programme_admin")
    url = f"/programmes/{programme.slug}/cohorts/{ended.pk}/feedback/"
    for token in tokens[:4]:
        submit_feedback(token=token, answers=ANSWERS)
    publish_round(round_id=_round(ended).pk)
    page = client.get(url).content.decode()
    assert "4 of 6 (66.7%)" in page and "0 published so far" in page and "Thoughtful." not in page

    submit_feedback(token=tokens[4], answers=ANSWERS)
    publish_round(round_id=_round(ended).pk)

    page = client.get(url).content.decode()
    assert "5 of 6 (83.3%)" in page and "Thoughtful." in page
    dashboard = client.get(f"/programmes/{programme.slug}/").content.decode()
    assert "5 of 6 (83.3%)" in dashboard


def test_a_taster_is_invited_once_per_group(group, django_capture_on_commit_callbacks):
    taster = UserFactory()
    first, second = (
        MeetingFactory(group=group),
        MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=30)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_feedback_after_taster(person=taster, meeting=first)
        again = invite_feedback_after_taster(person=taster, meeting=second)

    assert invitation.group == group and again is None
    assert len(mail.outbox) == 1 and group.name in mail.outbox[0].subject
    submit_feedback(
        token=link_token(mail.outbox[0]), answers={"reflect": 4, "understood": 5, "overall": 5}
    )
    round_ = FeedbackRound.objects.get(group=group, audience=Audience.TASTERS)
    assert (
        round_.pending == [{"reflect": 4, "understood": 5, "overall": 5}] and round_.cohort is None
    )
