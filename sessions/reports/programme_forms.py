"""Forms for running a programme in the site (its details and admins) and for joining a cohort
(self-enrolment links, requests). They validate what people type; the services do the rest."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from members.models import Programme
from sessions.programmes.enrolment import MAX_LINK_DAYS
from sessions.programmes.models import Cohort

DESCRIPTION_MAX_LENGTH = 2000


class ProgrammeForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=Programme._meta.get_field("name").max_length,
        help_text="E.g. “Severn GP Training Scheme”.",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Who the programme is for and how its groups run. Its admins and staff see it.",
    )


class NewProgrammeForm(ProgrammeForm):
    slug = forms.SlugField(
        label="Web address",
        required=False,
        max_length=Programme._meta.get_field("slug").max_length,
        help_text="Letters, numbers and hyphens, e.g. “severn-gp”. Left empty, it is made from "
        "the name. It cannot be changed later.",
    )


class AdminForm(forms.Form):
    email = forms.CharField(
        label="Email address",
        max_length=254,
        help_text="Someone without an account is invited to sign up, and becomes an admin when "
        "they have confirmed this address.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError("Please give an email address, e.g. name@example.org.") from None
        return email


class LinkForm(forms.Form):
    expires_on = forms.DateField(
        label="Works until",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The last day the link works.",
    )
    needs_approval = forms.BooleanField(
        label="Each person who uses it waits for an admin's approval",
        required=False,
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault(
            "initial",
            {"expires_on": min(max(cohort.ends_on, today), today + timedelta(days=MAX_LINK_DAYS))},
        )
        super().__init__(*args, **kwargs)

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day < today:
            raise ValidationError("Choose today or a later day.")
        if day > today + timedelta(days=MAX_LINK_DAYS):
            raise ValidationError("A link can last at most a year.")
        return day


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
