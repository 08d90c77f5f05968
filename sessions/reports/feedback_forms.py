"""Forms of the feedback pages: editing a questionnaire, choosing a results period, opening a
group's round. They validate; the services in feedback.py and questionnaires.py do the rest."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from sessions.reports.feedback import MAX_GROUP_ROUND_DAYS
from sessions.reports.feedback_models import Audience, QuestionKind
from sessions.reports.forms import _date_field, check_order
from sessions.reports.questionnaires import MAX_QUESTIONS

MAX_QUESTION_LENGTH = 300


class QuestionForm(forms.Form):
    key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=32)
    text = forms.CharField(
        label="Question or statement",
        max_length=MAX_QUESTION_LENGTH,
        help_text="Ask about the group experience, never about patients or cases.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    kind = forms.ChoiceField(
        label="Answered as",
        choices=[
            (QuestionKind.AGREEMENT, "Agree or disagree"),
            (QuestionKind.RATING, "Rating, poor to excellent"),
            (QuestionKind.TEXT, "A written answer"),
        ],
    )
    required = forms.BooleanField(label="Everyone must answer this", required=False)


class BaseQuestionFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        if not kept:
            raise forms.ValidationError("A questionnaire needs at least one question.")

    def questions(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]


QuestionFormSet = forms.formset_factory(
    QuestionForm,
    formset=BaseQuestionFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_QUESTIONS,
    validate_max=True,
)


def question_formset(data=None, *, questions: list[dict]) -> BaseQuestionFormSet:
    return QuestionFormSet(data, initial=questions, prefix="q")


class ResultsFilterForm(forms.Form):
    """The results page's period and audience; invalid values are reported, never a 500."""

    audience = forms.ChoiceField(
        label="Answers of",
        required=False,
        choices=[(Audience.TRAINEES, "Trainees"), (Audience.FACILITATORS, "Facilitators")],
    )
    start = _date_field("Sent from", required=False)
    end = _date_field("Sent until", required=False)

    def clean(self):
        check_order(self, "start", "end", "The end date cannot be before the start date.")
        self.cleaned_data["audience"] = self.cleaned_data.get("audience") or Audience.TRAINEES
        return self.cleaned_data


class GroupRoundForm(forms.Form):
    closes_on = _date_field(
        "Open until",
        help_text=f"Answers are taken until the end of this day (at most {MAX_GROUP_ROUND_DAYS} "
        "days from today). Whatever has come in is then published.",
    )

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        today = timezone.localdate()
        if closes_on <= today:
            raise forms.ValidationError("Choose a date after today.")
        if closes_on > today + timedelta(days=MAX_GROUP_ROUND_DAYS):
            raise forms.ValidationError(f"Choose a date within {MAX_GROUP_ROUND_DAYS} days.")
        return closes_on
