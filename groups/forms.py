"""Forms validate what people type; the operations in groups/services.py do the rest."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.text import slugify

from balint.widgets import QuickSelect
from groups import places
from groups.models import (
    MAX_CAPACITY,
    MIN_CAPACITY,
    Audience,
    BalintGroup,
    Format,
    LeaderRole,
)
from groups.services.leading import SETTINGS_FIELDS
from members.timezones import time_zone_choices

NO_PATIENT_DETAILS = "Please do not include any patient details."
# Paths under /groups/ that a group's web address must not take.
RESERVED_SLUGS = frozenset({"mine", "new", "propose", "proposals", "contact"})


class FinderForm(forms.Form):
    """The finder's filters. Invalid values are reported and ignored, never a server error."""

    q = forms.CharField(
        label="Name, town or leader",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. Bristol"}),
    )
    format = forms.ChoiceField(
        label="Format", required=False, choices=[("", "Any format"), *Format.choices]
    )
    audience = forms.ModelChoiceField(
        label="Who it is for",
        required=False,
        queryset=Audience.objects.filter(retired=False),
        to_field_name="slug",
        empty_label="Anyone",
    )
    country = forms.ChoiceField(
        label="Country",
        required=False,
        choices=[("", "Any country"), *places.COUNTRIES],
        widget=QuickSelect,
    )
    region = forms.ChoiceField(
        label="Region, state or province",
        required=False,
        choices=[("", "Anywhere"), *places.grouped_region_choices()],
        widget=QuickSelect,
    )
    # groups/finder_zones.py: how far a group's clock is from the viewer's, now.
    hours = forms.TypedChoiceField(
        label="Time difference from me",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "Any time zone"),
            ("0", "Same time as me"),
            ("1", "Up to 1 hour"),
            ("3", "Up to 3 hours"),
            ("5", "Up to 5 hours"),
            ("8", "Up to 8 hours"),
        ],
        help_text="Useful for online groups: how far their clock is from yours today.",
    )
    my_zone = forms.ChoiceField(
        label="My time zone",
        required=False,
        choices=[("", "As in my profile (or UK time)"), *time_zone_choices()],
        widget=QuickSelect,
    )


class JoinRequestForm(forms.Form):
    note = forms.CharField(
        label="A note to the leaders",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"A line about yourself, e.g. your role and training stage. {NO_PATIENT_DETAILS}",
    )


class DeclineForm(forms.Form):
    message = forms.CharField(
        label="Message to them",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Sent with the reply by email. {NO_PATIENT_DETAILS}",
    )


class RemoveForm(forms.Form):
    ended_on = forms.DateField(
        label="Last day in the group",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Today or earlier.",
    )


# The longest address the database keeps (EmailField's 254); longer ones are refused here.
EMAIL_MAX_LENGTH = 254


class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=EMAIL_MAX_LENGTH,
        help_text="Someone with an account joins at once; anyone else gets an invitation to "
        "sign up and joins when they do.",
    )


class AppointLeaderForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=EMAIL_MAX_LENGTH,
        help_text="Someone without an account is invited by email to sign up, and leads once "
        "they do.",
    )
    role = forms.ChoiceField(
        label="Role",
        choices=LeaderRole.choices,
        initial=LeaderRole.CO_LEADER,
        widget=forms.RadioSelect,
    )


class Fieldset:
    """A titled part of a form that includes/form_fields.html renders on its own (the page
    lists every error once, above all the fieldsets)."""

    errors: dict = {}  # Empty, so form_fields.html does not repeat the summary per fieldset.

    def __init__(self, form: forms.BaseForm, legend: str, names: list[str]):
        self.legend = legend
        self.fields = [form[name] for name in names if name in form.fields]

    def non_field_errors(self) -> list:
        return []

    def hidden_fields(self) -> list:
        return []

    def visible_fields(self) -> list:
        return self.fields

    def __iter__(self):
        return iter(self.fields)


class CapacityField(forms.IntegerField):
    def __init__(self, **kwargs):
        message = f"A group has between {MIN_CAPACITY} and {MAX_CAPACITY} places."
        super().__init__(
            min_value=MIN_CAPACITY,
            max_value=MAX_CAPACITY,
            error_messages={"min_value": message, "max_value": message},
            **kwargs,
        )


class GroupSettingsForm(forms.ModelForm):
    capacity = CapacityField(
        label="Number of places",
        initial=BalintGroup._meta.get_field("capacity").default,
        help_text="Members, not counting leaders. Groups work best with 6–12.",
    )

    class Meta:
        model = BalintGroup
        fields = list(SETTINGS_FIELDS)
        labels = {
            "audiences": "Who it is for",
            "accepting_members": "Accepting new members",
            "region": "Region, state or province",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "audiences": forms.CheckboxSelectMultiple,
        }

    FIELDSETS = [
        ("About the group", ["name", "slug", "programme", "description", "audiences", "status"]),
        ("Where it meets", ["format", "country", "region", "town", "time_zone"]),
        ("Size and newcomers", ["capacity", "taster_seats", "accepting_members"]),
        ("Private: only for members and leaders", ["room", "meeting_link"]),
        ("Leaders", ["leader_emails"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and "country" not in self.data:
            # A form posted without the field (made before groups outside the UK existed)
            # keeps the group's country; one posted empty is an error like any other.
            self.data = self.data.copy()
            self.data["country"] = self.instance.country or places.DEFAULT_COUNTRY
        self.fields["region"] = forms.ChoiceField(
            label="Region, state or province",
            required=False,
            choices=[("", "Not set (e.g. online groups)"), *places.grouped_region_choices()],
            help_text="From the country's list; for other countries, name the town or area.",
        )
        # Retired entries are no longer offered, but a group keeps the ones it has.
        chosen = self.instance.audiences.all() if self.instance.pk else Audience.objects.none()
        self.fields["audiences"].queryset = Audience.objects.filter(
            Q(retired=False) | Q(pk__in=chosen.values("pk"))
        )
        if "programme" in self.fields:
            self.fields["programme"].empty_label = "No programme"

    def fieldsets(self) -> list[Fieldset]:
        return [Fieldset(self, legend, names) for legend, names in self.FIELDSETS]

    def clean(self) -> dict:
        data = super().clean()
        country, region = data.get("country"), data.get("region")
        if country and region and places.country_of_region(region) != country:
            self.add_error(
                "region",
                f"{places.region_name(region)} is not in {places.country_name(country)}. "
                "Choose one of its regions, or leave it blank.",
            )
        return data


class GroupCreateForm(GroupSettingsForm):
    """Staff create a group and appoint its leaders."""

    leader_emails = forms.CharField(
        label="Leaders’ email addresses",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line. The first is the leader, the others co-leaders. Anyone "
        "without an account is invited by email to sign up, and leads once they do.",
    )

    class Meta(GroupSettingsForm.Meta):
        fields = ["name", "slug", "programme", *GroupSettingsForm.Meta.fields[1:]]
        labels = {**GroupSettingsForm.Meta.labels, "slug": "Web address"}
        help_texts = {
            "slug": "Used in the group's link, e.g. cotham-gp. Leave blank to make one "
            "from the name."
        }
        error_messages = {
            "slug": {"unique": "Another group already uses this web address. Choose another."}
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("name", ""))[:80]
        if not slug:
            raise ValidationError("Enter a web address using letters, numbers and hyphens.")
        if slug in RESERVED_SLUGS:
            raise ValidationError(f"“{slug}” is reserved. Choose another web address.")
        return slug

    def clean_leader_emails(self) -> list[str]:
        emails = [e for e in re.split(r"[\s,;]+", self.cleaned_data["leader_emails"]) if e]
        unique = list(dict.fromkeys(email.lower() for email in emails))
        for email in unique:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(f"“{email}” is not an email address.") from None
        return unique
