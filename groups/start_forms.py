"""The forms of starting a group and of reaching its leaders (groups/forms.py has the rest)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from groups.forms import EMAIL_MAX_LENGTH, GroupCreateForm
from groups.models import LeaderRole, Listing

NO_CASE_CONTENT = (
    "Please do not write about patients or cases: no names, no clinical details, nothing said "
    "in a group."
)


class ProposalForm(GroupCreateForm):
    """The form staff create groups with, for the person who will lead the group: they are its
    first leader and name any others; the programme is for staff to set."""

    co_leader_emails = forms.CharField(
        label="Other leaders’ email addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line. Anyone without an account is invited by email to sign up, "
        "and leads once they do.",
    )
    co_leader_role = forms.ChoiceField(
        label="Their role",
        choices=[
            (LeaderRole.LEADER, "Leaders of equal standing with you"),
            (LeaderRole.CO_LEADER, "Co-leaders"),
        ],
        initial=LeaderRole.LEADER,
        widget=forms.RadioSelect,
    )

    class Meta(GroupCreateForm.Meta):
        fields = [
            name for name in GroupCreateForm.Meta.fields if name not in {"programme", "status"}
        ] + ["listing"]
        labels = {**GroupCreateForm.Meta.labels, "listing": "Who can find the group"}
        widgets = {**GroupCreateForm.Meta.widgets, "listing": forms.RadioSelect}

    FIELDSETS = [
        (legend, [name for name in names if name not in {"programme", "status"}])
        for legend, names in GroupCreateForm.FIELDSETS
        if legend != "Leaders"
    ] + [
        ("Finding the group", ["listing"]),
        ("Other leaders", ["co_leader_emails", "co_leader_role"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["leader_emails"]

    def clean_co_leader_emails(self) -> list[str]:
        text = self.cleaned_data["co_leader_emails"]
        emails = list(dict.fromkeys(e.lower() for e in re.split(r"[\s,;]+", text) if e))
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(f"“{email}” is not an email address.") from None
        if len(emails) > 3:
            raise ValidationError("Name at most three other leaders; add more later if needed.")
        return emails


class DecideProposalForm(forms.Form):
    note = forms.CharField(
        label="A note to the proposer (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Sent with the decision by email.",
    )


class AllowCreatorForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        max_length=EMAIL_MAX_LENGTH,
        help_text="They need an account. Their groups start at once, without waiting for staff.",
    )


class LeaderRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=LeaderRole.choices)


class ListingForm(forms.Form):
    listing = forms.ChoiceField(
        label="Who can find the group",
        choices=Listing.choices,
        widget=forms.RadioSelect,
        help_text="An unlisted group is never shown in the finder or any public list; it "
        "opens for people you send its link to or invite.",
    )


class ContactLeadersForm(forms.Form):
    """A message to a group's leaders; visitors also give their name and address."""

    name = forms.CharField(label="Your name", max_length=100)
    email = forms.EmailField(
        label="Your email address",
        max_length=EMAIL_MAX_LENGTH,
        help_text="We email you a link to confirm it; then your message goes to the leaders, "
        "who reply to this address.",
    )
    message = forms.CharField(
        label="Your message",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write a message to the leaders."},
        help_text=f"For example, to ask about a taster or when the group meets. {NO_CASE_CONTENT}",
    )

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if signed_in:
            del self.fields["name"]
            del self.fields["email"]

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise ValidationError("Write a message to the leaders.")
        return message
