"""Forms validate what people type; the operations in services.py and invitations.py do the rest."""

from django import forms

from groups.models import MAX_TASTER_SEATS
from sessions.tasters.invitations import MAX_ADDRESSES, split_addresses
from sessions.tasters.models import NO_PATIENT_DETAILS

USUAL = "usual"


class InviteForm(forms.Form):
    addresses = forms.CharField(
        label="Email addresses",
        max_length=30_000,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        help_text=(
            "One address, or a list pasted from a spreadsheet or an email: one a line, or "
            f"separated by commas. Up to {MAX_ADDRESSES} at a time."
        ),
    )
    message = forms.CharField(
        label="A personal message",
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Added to the invitation email, e.g. why you think they might enjoy the group. "
        f"{NO_PATIENT_DETAILS}",
    )

    def clean_addresses(self) -> str:
        text = self.cleaned_data["addresses"]
        entries = split_addresses(text)
        if not entries:
            raise forms.ValidationError("Please enter at least one email address.")
        if len(entries) > MAX_ADDRESSES:
            raise forms.ValidationError(
                f"That is {len(entries)} addresses: please invite at most {MAX_ADDRESSES} "
                "at a time."
            )
        return text

    def clean_message(self) -> str:
        return self.cleaned_data["message"].strip()


class SeatsForm(forms.Form):
    seats = forms.ChoiceField(label="Number of seats")

    def __init__(self, *args, usual: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seats"].choices = [
            (USUAL, f"The group’s usual number ({usual})"),
            *[(str(n), str(n)) for n in range(MAX_TASTER_SEATS + 1)],
        ]

    def clean_seats(self) -> int | None:
        value = self.cleaned_data["seats"]
        return None if value == USUAL else int(value)
