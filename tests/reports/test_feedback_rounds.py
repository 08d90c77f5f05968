"""Questionnaires, versions, "send now", the facilitators' round, reminders and a group's own
rounds: each email once (outbox keys), each answer with the version it answered."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from balint.audit.models import AuditEvent
from balint.outbox.models import Message
from sessions.reports.feedback import (
    FeedbackError,
    close_round,
    invite_cohort_feedback,
    invite_feedback_for_ended_blocks,
    open_group_round,
    publish_round,
    send_reminders,
    submit_feedback,
)
from sessions.reports.feedback_models import Audience, FeedbackRound, QuestionnaireVersion
from sessions.reports.feedback_results import results_for
from sessions.reports.questionnaires import (
    DEFAULT_QUESTIONS,
    current_version,
    questionnaire_for,
    save_questions,
)
from tests.factories import MembershipFactory
from tests.reports.factories import EnrolmentFactory
from tests.reports.test_feedback import link_token

pytestmark = pytest.mark.django_db

AGREE = {"reflect": 5, "understand": 4, "enjoyed": 4, "will_use": 4, "overall": 4}


def _tokens(audience_word: str = "") -> list[str]:
    return [link_token(m) for m in mail.outbox if audience_word in m.subject]


def test_a_new_programme_gets_the_pilots_questionnaire(programme):
    version = current_version(questionnaire_for(audience=Audience.TRAINEES, programme=programme))

    assert version.number == 1 and version.questions == DEFAULT_QUESTIONS[Audience.TRAINEES]
    texts = [q["text"] for q in version.questions]
    assert "The group helped me reflect on my interactions with patients." in texts
    assert [q["required"] for q in version.questions][-1] is False  # the open question


def test_editing_unsent_questions_changes_them_in_place_and_sent_ones_make_a_version(
    programme, programme_admin, cohort, trainee
):
    questionnaire = questionnaire_for(audience=Audience.TRAINEES, programme=programme)
    questions = [*current_version(questionnaire).questions[:2], {"kind": "text", "text": "Why?"}]
    questions = [{"required": True, **q} for q in questions]
    questions[-1]["required"] = False

    save_questions(questionnaire=questionnaire, questions=questions, by=programme_admin)
    assert questionnaire.versions.count() == 1

    invite_cohort_feedback(cohort=cohort)  # version 1 is sent now
    sent = FeedbackRound.objects.get(cohort=cohort, audience=Audience.TRAINEES).version
    save_questions(questionnaire=questionnaire, questions=questions[:1], by=programme_admin)

    newest = current_version(questionnaire)
    assert newest.number == 2 and len(newest.questions) == 1
    sent.refresh_from_db()
    assert len(sent.questions) == 3  # the answers keep the questions they answered
    assert newest.questions[0]["key"] == sent.questions[0]["key"] == "reflect"
    assert AuditEvent.objects.filter(action="feedback.questionnaire_edited").count() == 2


def test_an_optional_question_may_be_left_out_and_a_required_one_may_not(
    cohort, trainee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_cohort_feedback(cohort=cohort)
    (token,) = _tokens("Balint group")

    with pytest.raises(FeedbackError, match="not optional"):
        submit_feedback(token=token, answers={"reflect": 5})
    submit_feedback(token=token, answers=AGREE)  # no comment: optional

    round_ = FeedbackRound.objects.get(cohort=cohort, audience=Audience.TRAINEES)
    assert round_.pending == [AGREE]


def test_send_now_then_the_scan_at_the_blocks_end_invite_each_person_once(
    cohort, trainee, leader, django_capture_on_commit_callbacks, programme_admin
):
    with django_capture_on_commit_callbacks(execute=True):
        assert invite_cohort_feedback(cohort=cohort, by=programme_admin) == 2  # trainee, leader
    cohort.ends_on = timezone.localdate() - timedelta(days=1)
    cohort.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert invite_feedback_for_ended_blocks() == 0

    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2 and any("facilitating" in s for s in subjects)
    assert {m.to[0] for m in mail.outbox} == {trainee.email, leader.email}
    assert AuditEvent.objects.filter(action="feedback.send").count() == 1


def test_facilitators_answer_their_own_questionnaire_reported_separately(
    cohort, trainee, leader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_cohort_feedback(cohort=cohort)
    (facilitator_token,) = _tokens("facilitating")

    submit_feedback(
        token=facilitator_token,
        answers={
            "confidence": 5,
            "leadership": 4,
            "communication": 4,
            "rewarding": 5,
            "overall": 5,
        },
    )

    trainees = FeedbackRound.objects.get(cohort=cohort, audience=Audience.TRAINEES)
    facilitators = FeedbackRound.objects.get(cohort=cohort, audience=Audience.FACILITATORS)
    assert trainees.pending == [] and len(facilitators.pending) == 1
    assert facilitators.version.questionnaire.audience == Audience.FACILITATORS


def test_reminders_go_once_to_those_who_have_not_answered_with_a_link_of_their_own(
    cohort, programme_admin, django_capture_on_commit_callbacks
):
    people = [EnrolmentFactory(cohort=cohort).person for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        invite_cohort_feedback(cohort=cohort)
    first_links = dict(zip([m.to[0] for m in mail.outbox], _tokens(), strict=True))
    submit_feedback(token=first_links[people[0].email], answers=AGREE)
    round_ = FeedbackRound.objects.get(cohort=cohort, audience=Audience.TRAINEES)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(round_=round_, by=programme_admin) == 2
        assert send_reminders(round_=round_, by=programme_admin) == 0

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people[1:])
    assert Message.objects.filter(key__startswith="feedback:reminder:").count() == 2
    reminder_token = link_token(mail.outbox[0])
    submit_feedback(token=reminder_token, answers=AGREE)  # the reminder's link works
    with pytest.raises(FeedbackError, match="already answered"):
        submit_feedback(token=first_links[mail.outbox[0].to[0]], answers=AGREE)
    event = AuditEvent.objects.get(action="feedback.remind", summary__contains="Sent 2")
    assert not any(p.email in event.summary or p.display_name in event.summary for p in people)


def test_the_cohort_page_sends_now_and_reminds_without_naming_anyone(
    client_for, programme, cohort, trainee
):
    client = client_for("programme_admin")
    url = f"/programmes/{programme.slug}/cohorts/{cohort.pk}/feedback/"
    assert b"Send feedback now" in client.get(url).content

    sent = client.post(url + "send/", follow=True).content.decode()
    assert "Feedback sent: 1 person was invited." in sent  # the trainee (no leader here)
    reminded = client.post(url + "trainees/remind/", follow=True).content.decode()

    assert "A reminder went to 1 person who had not answered." in reminded
    assert trainee.display_name not in reminded and trainee.email not in reminded
    assert client.post(url + "nobody/remind/").status_code == 404


def test_a_group_round_asks_the_members_not_the_leaders(
    group, leader, member, django_capture_on_commit_callbacks
):
    others = [MembershipFactory(group=group).person for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        round_, invited = open_group_round(
            group=group, closes_on=timezone.localdate() + timedelta(days=14), by=leader
        )

    assert invited == 6 and leader.email not in {m.to[0] for m in mail.outbox}
    with pytest.raises(FeedbackError, match="already open"):
        open_group_round(group=group, closes_on=timezone.localdate() + timedelta(days=7), by=leader)
    for token in _tokens(group.name)[:5]:
        submit_feedback(
            token=token, answers={"reflect": 4, "understand": 4, "format": 2, "overall": 4}
        )
    publish_round(round_id=round_.pk)

    results = results_for(FeedbackRound.objects.filter(group=group, audience=Audience.MEMBERS))
    assert [str(f) for f in results.figures][2] == "0 of 5 agreed (0.0%)"
    assert str(results.rate) == "5 of 6 (83.3%)"
    assert len(others) == 5


def test_a_group_round_refuses_a_past_closing_date(group, leader):
    with pytest.raises(FeedbackError, match="after today"):
        open_group_round(group=group, closes_on=timezone.localdate(), by=leader)


def test_leaders_open_a_round_and_read_results_on_their_page(client_for, group, member, leader):
    client = client_for("leader")
    url = "/programmes/group-feedback/cotham/"

    bad = client.post(url + "start/", {"closes_on": "not a date"})
    assert bad.status_code == 200 and b"There is a problem" in bad.content
    past = client.post(url + "start/", {"closes_on": "2001-01-01"})
    assert b"Choose a date after today." in past.content
    soon = (timezone.localdate() + timedelta(days=10)).isoformat()
    opened = client.post(url + "start/", {"closes_on": soon}, follow=True).content.decode()

    assert "Feedback round opened: 1 member was invited." in opened
    assert "Remind those who have not answered" in opened
    round_ = FeedbackRound.objects.get(group=group)
    asked = client.get(url + f"rounds/{round_.pk}/close/").content.decode()
    assert "Close and publish now?" in asked and round_.closed_at is None
    closed = client.post(url + f"rounds/{round_.pk}/close/", follow=True).content.decode()
    assert "Closed: its answers are published." in closed
    assert "Ask for feedback" in closed  # a new round may be opened
    assert AuditEvent.objects.filter(action="feedback.close").count() == 1
    again = client.post(url + f"rounds/{round_.pk}/close/", follow=True).content.decode()
    assert "This round has closed already." in again


def test_the_questionnaire_editor_reports_bad_input_and_saves_a_version(
    client_for, programme, cohort, trainee
):
    client = client_for("programme_admin")
    url = f"/programmes/{programme.slug}/feedback/questionnaire/trainees/"
    form = {"q-TOTAL_FORMS": "1", "q-INITIAL_FORMS": "0", "q-0-text": "", "q-0-kind": "x"}

    bad = client.post(url, form)
    assert bad.status_code == 200 and b"There is a problem" in bad.content
    empty = client.post(url, {**form, "q-0-kind": "text", "q-0-text": "", "q-0-DELETE": "on"})
    assert b"at least one question" in empty.content

    invite_cohort_feedback(cohort=cohort)
    saved = client.post(
        url, {**form, "q-0-text": "It was worth the time.", "q-0-kind": "agreement"}, follow=True
    )
    assert b"Questionnaire saved (version 2)." in saved.content
    assert QuestionnaireVersion.objects.filter(number=2).get().questions[0]["required"] is False
    page = client.get(url).content.decode()
    assert "It was worth the time." in page and "Version 2" in page


def test_the_group_page_takes_the_same_queries_for_one_round_and_for_four(
    client_for, group, leader, member
):
    client = client_for("leader")
    url = "/programmes/group-feedback/cotham/"

    def queries_after_a_round() -> int:
        round_, _ = open_group_round(
            group=group, closes_on=timezone.localdate() + timedelta(days=7), by=leader
        )
        close_round(round_id=round_.pk)
        cache.clear()  # cold: nothing kept from the round before
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    first = queries_after_a_round()
    for _ in range(2):
        queries_after_a_round()
    assert queries_after_a_round() == first
