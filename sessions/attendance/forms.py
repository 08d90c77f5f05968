"""The register's form. It validates; services write."""

from django import forms

from sessions.attendance.register import Expected, Mark
from sessions.meetings.models import APOLOGY_NOTE_MAX, AttendanceStatus


class RegisterForm(forms.Form):
    """One radio group and one checkbox per expected person; every field is named by person id."""

    def __init__(self, *args, expected: list[Expected], **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected
        for entry in expected:
            initial = entry.initial
            self.fields[f"status_{entry.person.pk}"] = forms.ChoiceField(
                label=str(entry.person),
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                initial=initial.status if initial else None,
                error_messages={"required": f"Choose how {entry.person} attended."},
            )
            self.fields[f"case_{entry.person.pk}"] = forms.BooleanField(
                label="Presented a case",
                required=False,
                initial=initial.presented_case if initial else False,
            )

    def clean(self):
        data = super().clean()
        for entry in self.expected:
            status = data.get(f"status_{entry.person.pk}")
            if data.get(f"case_{entry.person.pk}") and status and not Mark(status).attended:
                self.add_error(
                    f"case_{entry.person.pk}",
                    f"{entry.person} was not there, so cannot have presented a case.",
                )
        return data

    def with_everyone_present(self, data) -> "RegisterForm":
        """The register as posted, with everyone not yet marked marked present: a fresh form
        (no errors yet) for the leader to change the exceptions and save."""
        initial = {}
        for entry in self.expected:
            status, case = f"status_{entry.person.pk}", f"case_{entry.person.pk}"
            chosen = data.get(status)
            initial[status] = (
                chosen if chosen in AttendanceStatus.values else AttendanceStatus.PRESENT
            )
            initial[case] = bool(data.get(case))
        return RegisterForm(expected=self.expected, initial=initial)

    def rows(self) -> list[tuple[Expected, forms.BoundField, forms.BoundField]]:
        return [
            (entry, self[f"status_{entry.person.pk}"], self[f"case_{entry.person.pk}"])
            for entry in self.expected
        ]

    def marks(self) -> dict[int, Mark]:
        return {
            entry.person.pk: Mark(
                self.cleaned_data[f"status_{entry.person.pk}"],
                self.cleaned_data[f"case_{entry.person.pk}"],
            )
            for entry in self.expected
        }


class ApologyForm(forms.Form):
    note = forms.CharField(
        label="A note to the leaders",
        required=False,
        max_length=APOLOGY_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": APOLOGY_NOTE_MAX}),
        help_text=(
            f"Up to {APOLOGY_NOTE_MAX} characters, e.g. that you are away that week. Only the "
            "leaders see it. Please do not write about patients or cases."
        ),
        error_messages={
            "max_length": f"Please keep the note to {APOLOGY_NOTE_MAX} characters or fewer."
        },
    )
