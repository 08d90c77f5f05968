"""Questionnaires: the default questions for each audience, the current version, editing (an
edit of a version already sent makes the next version), and the form that answers a version."""

import secrets as random_keys

from django import forms
from django.db import transaction

from balint.audit import services as audit
from groups.models import BalintGroup
from members.models import Programme, User
from sessions.reports.feedback_models import (
    Audience,
    FeedbackRound,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
)
from sessions.reports.models import NO_PATIENT_DETAILS, Agreement, Rating

A, R, T = QuestionKind.AGREEMENT, QuestionKind.RATING, QuestionKind.TEXT
MAX_QUESTIONS = 20
MAX_TEXT_ANSWER = 2000


def _q(key: str, kind: str, text: str, required: bool = True) -> dict:
    return {"key": key, "kind": kind, "text": text, "required": required}


# The pilot's statements (seed 004) for trainees; its facilitators' findings for facilitators.
DEFAULT_QUESTIONS = {
    Audience.TRAINEES: [
        _q("reflect", A, "The group helped me reflect on my interactions with patients."),
        _q(
            "understand",
            A,
            "It helped me understand how others think and feel when caring for patients.",
        ),
        _q("enjoyed", A, "I enjoyed the group."),
        _q("will_use", A, "I will use what I learned in my work."),
        _q("overall", R, "Overall, how would you rate the group?"),
        _q("comments", T, "Anything else about the group experience?", required=False),
    ],
    Audience.FACILITATORS: [
        _q(
            "confidence",
            A,
            "Facilitating increased my confidence in my psychotherapeutic knowledge.",
        ),
        _q("leadership", A, "It improved my leadership skills."),
        _q("communication", A, "It improved my communication skills."),
        _q("rewarding", A, "I found facilitating this block rewarding."),
        _q("overall", R, "Overall, how would you rate facilitating this block?"),
        _q("comments", T, "What would make facilitating easier?", required=False),
    ],
    Audience.MEMBERS: [
        _q("reflect", A, "The group helps me reflect on my interactions with patients."),
        _q(
            "understand",
            A,
            "It helps me understand how others think and feel when caring for patients.",
        ),
        _q("format", A, "The way the group meets (time, place or video) suits me."),
        _q("overall", R, "Overall, how would you rate the group?"),
        _q("change", T, "What would you change about the group?", required=False),
    ],
    Audience.TASTERS: [
        _q("reflect", A, "The session helped me reflect on my interactions with patients."),
        _q("understood", A, "I now understand how a Balint group works."),
        _q("overall", R, "Overall, how would you rate the session?"),
        _q("comments", T, "Anything else about the session?", required=False),
    ],
}


def questionnaire_for(
    *, audience: str, programme: Programme | None = None, group: BalintGroup | None = None
) -> Questionnaire:
    """The programme's (or group's) questionnaire for `audience`, made from the defaults the
    first time it is asked for."""
    owner = {"programme": programme} if programme is not None else {"group": group}
    with transaction.atomic():
        questionnaire, created = Questionnaire.objects.get_or_create(audience=audience, **owner)
        if created:
            QuestionnaireVersion.objects.create(
                questionnaire=questionnaire, number=1, questions=DEFAULT_QUESTIONS[audience]
            )
    return questionnaire


def current_version(questionnaire: Questionnaire) -> QuestionnaireVersion:
    return questionnaire.versions.order_by("-number").first()


def version_is_sent(version: QuestionnaireVersion) -> bool:
    return FeedbackRound.objects.filter(version=version).exists()


@transaction.atomic
def save_questions(
    *, questionnaire: Questionnaire, questions: list[dict], by: User
) -> QuestionnaireVersion:
    """Make `questions` the questionnaire's current questions: in place while the current
    version has not been sent, otherwise as the next version (sent questions never change)."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    version = current_version(questionnaire)
    known = {question["key"] for question in version.questions}
    cleaned = [
        _q(
            question.get("key") if question.get("key") in known else random_keys.token_hex(4),
            question["kind"],
            question["text"].strip(),
            bool(question["required"]),
        )
        for question in questions
    ]
    if version_is_sent(version):
        version = QuestionnaireVersion.objects.create(
            questionnaire=questionnaire, number=version.number + 1, questions=cleaned, created_by=by
        )
    else:
        version.questions, version.created_by = cleaned, by
        version.save(update_fields=["questions", "created_by"])
    audit.record(
        actor=by,
        area=audit.Area.INVITATIONS,
        action="feedback.questionnaire_edited",
        summary=f"Edited the {questionnaire.get_audience_display().lower()} questionnaire "
        f"(version {version.number}, {len(cleaned)} questions)",
        where=questionnaire.programme or questionnaire.group,
    )
    return version


def _field(question: dict) -> forms.Field:
    required, label = question["required"], question["text"]
    if question["kind"] == QuestionKind.TEXT:
        return forms.CharField(
            label=label,
            required=required,
            max_length=MAX_TEXT_ANSWER,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=NO_PATIENT_DETAILS,
        )
    choices = Agreement.choices if question["kind"] == QuestionKind.AGREEMENT else Rating.choices
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        required=required,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose one of the answers."},
    )


class AnswerForm(forms.Form):
    """The questions of one version, as a form; its cleaned data is the answer."""

    def __init__(self, *args, version: QuestionnaireVersion, **kwargs):
        super().__init__(*args, **kwargs)
        for question in version.questions:
            self.fields[question["key"]] = _field(question)

    def answer(self) -> dict:
        """The answer as it is pooled: only what was given (an optional question left blank is
        not there)."""
        return {key: value for key, value in self.cleaned_data.items() if value not in ("", None)}
