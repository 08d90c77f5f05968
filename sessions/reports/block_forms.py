"""Forms for blocks and history: placing a cohort for its block with its weekly meetings, and
entering a meeting that has already taken place. They validate; the services do the rest."""

from datetime import time

from django import forms
from django.core.exceptions import ValidationError

from groups.models import BalintGroup, GroupStatus
from sessions.meetings.models import MAX_DURATION, MIN_DURATION
from sessions.programmes.blocks import BlockSchedule
from sessions.programmes.models import Cohort
from sessions.reports.dashboard import programme_groups

WEEKDAYS = [
    ("", "No weekly meetings"),
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


def _duration_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Length in minutes",
        initial=90,
        min_value=MIN_DURATION,
        max_value=MAX_DURATION,
        error_messages={
            "min_value": f"A meeting lasts at least {MIN_DURATION} minutes.",
            "max_value": f"A meeting lasts at most {MAX_DURATION} minutes.",
            "invalid": "Give the length as a whole number of minutes, e.g. 90.",
            "required": "Give the length in minutes, e.g. 90.",
        },
    )


def _time_field(label: str, *, required: bool) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Give the time as hours and minutes, e.g. 14:00."},
    )


class BlockPlaceForm(forms.Form):
    group = forms.ModelChoiceField(
        label="Group",
        queryset=BalintGroup.objects.none(),
        to_field_name="slug",
        error_messages={"required": "Choose a group.", "invalid_choice": "Choose a group."},
    )
    weekday = forms.TypedChoiceField(
        label="Weekly meeting day",
        choices=WEEKDAYS,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="The block's meetings are added for each week of the cohort's dates.",
    )
    meeting_time = _time_field("Time (the group's time zone)", required=False)
    duration_minutes = _duration_field()

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        groups = programme_groups(cohort.programme).exclude(status=GroupStatus.CLOSED)
        self.fields["group"].queryset = groups
        self.fields["group"].label_from_instance = lambda g: f"{g.name} ({g.capacity} places)"

    def clean(self):
        data = super().clean()
        missing = data.get("weekday") is not None and not data.get("meeting_time")
        if missing and "meeting_time" not in self.errors:
            self.add_error("meeting_time", "Give the time of the weekly meeting.")
        return data

    def schedule(self) -> BlockSchedule | None:
        data = self.cleaned_data
        if data.get("weekday") is None:
            return None
        return BlockSchedule(data["weekday"], data["meeting_time"], data["duration_minutes"])


class PastMeetingForm(forms.Form):
    day = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": "Give the date as day, month and year, e.g. 2022-03-14.",
            "required": "Give the date of the meeting.",
        },
    )
    start = _time_field("Start time (the group's time zone)", required=True)
    duration_minutes = _duration_field()

    def clean_start(self) -> time:
        start = self.cleaned_data["start"]
        if start is None:
            raise ValidationError("Give the start time, e.g. 14:00.")
        return start


MAX_IMPORT_BYTES = 1_000_000


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: group, date, time, minutes, email, status, presented_case.",
        error_messages={
            "required": "Choose the CSV file to import.",
            "empty": "The file is empty.",
        },
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError("The file is larger than 1 MB: import it in parts.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                "This is not a CSV file in UTF-8. Save it from your spreadsheet as "
                "“CSV UTF-8” and try again."
            ) from None


class ImportConfirmForm(forms.Form):
    """The checked file, sent back to be saved; it is checked again before anything is."""

    text = forms.CharField(widget=forms.HiddenInput, max_length=MAX_IMPORT_BYTES, strip=False)
