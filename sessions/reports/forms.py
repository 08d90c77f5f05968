"""Forms for the programme pages: they validate what people type; the services do the rest."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from balint.widgets import QuickSelect
from groups.models import BalintGroup, GroupStatus
from members.models import Programme
from sessions.programmes.models import MAX_REQUIRED_MEETINGS, ApologiesRule, Cohort
from sessions.reports.dashboard import programme_groups
from sessions.reports.summary import ReportFilter

MAX_LINES = 500
EMAIL_MAX_LENGTH = 254


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def check_order(form: forms.Form, start: str, end: str, message: str) -> None:
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if first and last and last < first:
        form.add_error(end, message)


class ReportFilterForm(forms.Form):
    """The dashboard's and the exports' filters. Invalid values are reported, never a 500."""

    cohort = forms.ModelChoiceField(
        label="Cohort", required=False, queryset=Cohort.objects.none(), empty_label="All cohorts"
    )
    group = forms.ModelChoiceField(
        label="Group",
        required=False,
        queryset=BalintGroup.objects.none(),
        to_field_name="slug",
        empty_label="All groups",
        widget=QuickSelect,
    )
    start = _date_field("From", required=False)
    end = _date_field("To", required=False)

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = programme.cohorts.all()
        self.fields["group"].queryset = programme_groups(programme)

    def clean(self):
        check_order(self, "start", "end", "The end date cannot be before the start date.")
        return self.cleaned_data

    def filters(self) -> ReportFilter:
        """The valid filter (nothing narrowed if the form has errors)."""
        if not self.is_valid():
            return ReportFilter()
        data = self.cleaned_data
        return ReportFilter(data["cohort"], data["group"], data["start"], data["end"])


class CountingRuleForm(forms.Form):
    """How a cohort's requirement counts apologies and lateness."""

    apologies = forms.ChoiceField(
        label="Apologies sent before a meeting",
        choices=ApologiesRule.choices,
        widget=forms.RadioSelect,
        initial=ApologiesRule.ABSENCE,
        help_text="Excused: the meeting is left out of the percentage, or lowers the number of "
        "meetings needed by one.",
    )
    late_counts = forms.TypedChoiceField(
        label="Arriving late",
        choices=[("yes", "Counts as attended"), ("no", "Does not count as attended")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )

    def counting_fields(self) -> dict:
        data = self.cleaned_data
        return {"apologies": data["apologies"], "late_counts": data["late_counts"]}


class CohortForm(CountingRuleForm):
    field_order = [
        "name",
        "starts_on",
        "ends_on",
        "requirement",
        "amount",
        "apologies",
        "late_counts",
    ]

    name = forms.CharField(
        label="Name",
        max_length=150,
        help_text="E.g. “Year 4 psychiatry, block 3, Sept–Oct 2026”.",
    )
    starts_on = _date_field("First day")
    ends_on = _date_field("Last day")
    requirement = forms.ChoiceField(
        label="Attendance requirement",
        choices=[
            ("meetings", "A minimum number of meetings"),
            ("percent", "A percentage of the meetings held while enrolled"),
        ],
        widget=forms.RadioSelect,
        initial="percent",
    )
    amount = forms.IntegerField(
        label="Number of meetings or percentage",
        min_value=1,
        max_value=MAX_REQUIRED_MEETINGS,
        help_text="E.g. 6 meetings, or 75 (%).",
    )

    def clean(self):
        check_order(self, "starts_on", "ends_on", "The last day cannot be before the first day.")
        data = self.cleaned_data
        if data.get("requirement") == "percent" and (data.get("amount") or 0) > 100:
            self.add_error("amount", "A percentage cannot be more than 100.")
        return data

    def requirement_fields(self) -> dict:
        data = self.cleaned_data
        if data["requirement"] == "percent":
            return {"required_percent": data["amount"], "required_meetings": None}
        return {"required_meetings": data["amount"], "required_percent": None}


class EnrolForm(forms.Form):
    """Pasted addresses, one per line (or separated by commas or semicolons). Lines that are not
    addresses are kept in `invalid_lines` to report line by line; the valid ones go ahead."""

    emails = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="One per line. Each address is emailed an invitation: the person joins the "
        "cohort when they accept it (or sign up, if they have no account). Until then you see "
        "only the address.",
    )
    enrolled_on = _date_field("Enrolled from", help_text="Meetings before this day do not count.")

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.invalid_lines: list[tuple[int, str, str]] = []

    def clean_emails(self) -> list[str]:
        lines = self.cleaned_data["emails"].splitlines()
        if len(lines) > MAX_LINES:
            raise ValidationError(f"Please paste at most {MAX_LINES} lines at a time.")
        valid = []
        for number, line in enumerate(lines, start=1):
            for item in filter(None, (part.strip() for part in re.split(r"[,;]", line))):
                address = _address(item)
                reason = _problem(address)
                if reason:
                    self.invalid_lines.append((number, item[:100], reason))
                else:
                    valid.append(address)
        if not valid and not self.invalid_lines:
            raise ValidationError("Please paste at least one email address.")
        return valid

    def clean_enrolled_on(self) -> date:
        day = self.cleaned_data["enrolled_on"]
        if not self.cohort.starts_on <= day <= self.cohort.ends_on:
            raise ValidationError("Choose a day within the cohort's dates.")
        return day


def _address(item: str) -> str:
    """ "Dr Sam Patel <sam@example.org>" → "sam@example.org" (as mail programs paste them)."""
    match = re.fullmatch(r".*<([^<>]*)>\s*", item)
    return (match.group(1) if match else item).strip()


def _problem(address: str) -> str:
    if len(address) > EMAIL_MAX_LENGTH:
        return "is too long to be an email address."
    try:
        validate_email(address)
    except ValidationError:
        return "is not an email address."
    return ""


def open_groups(programme: Programme):
    """The programme's groups trainees can be placed in."""
    return programme_groups(programme).exclude(status=GroupStatus.CLOSED)


class PlaceForm(forms.Form):
    group = forms.ModelChoiceField(
        label="Group", queryset=BalintGroup.objects.none(), to_field_name="slug", widget=QuickSelect
    )
    trainees = forms.MultipleChoiceField(
        label="Trainees to place", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, cohort: Cohort, addresses: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = open_groups(cohort.programme).with_places_taken()
        self.fields["group"].label_from_instance = lambda g: (
            f"{g.name} ({g.places_free} of {g.capacity} places free)"
        )
        self.fields["trainees"].choices = list(addresses.items())


class EndEnrolmentForm(forms.Form):
    left_on = _date_field("Last day in the cohort")


class CertificateRangeForm(forms.Form):
    start = _date_field("From")
    end = _date_field("To")

    def clean(self):
        check_order(self, "start", "end", "The end date cannot be before the start date.")
        return self.cleaned_data
