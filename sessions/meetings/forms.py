"""Forms for schedules and meeting changes. They validate; services write."""

from datetime import datetime

from django import forms

from sessions.meetings.models import (
    MAX_BLOCK_LENGTH,
    MAX_DURATION,
    MIN_DURATION,
    Frequency,
    Schedule,
    Weekday,
    WeekOfMonth,
)
from sessions.meetings.schedule import ScheduleSpec

WEEK_CHOICES = [("", "—"), *WeekOfMonth.choices]
PREVIEW_COUNT = 6


class ScheduleForm(forms.Form):
    frequency = forms.ChoiceField(
        label="How often", choices=Frequency.choices, widget=forms.RadioSelect
    )
    weekday = forms.TypedChoiceField(label="Day of the week", choices=Weekday.choices, coerce=int)
    week_of_month = forms.TypedChoiceField(
        label="Which week of the month",
        choices=WEEK_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="For monthly and twice-a-month meetings, e.g. the 2nd Tuesday.",
    )
    second_week_of_month = forms.TypedChoiceField(
        label="And which other week",
        choices=WEEK_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="For twice a month only, e.g. the 1st and 3rd Wednesday.",
    )
    start_time = forms.TimeField(
        label="Start time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=MIN_DURATION,
        max_value=MAX_DURATION,
        initial=90,
        help_text=f"Between {MIN_DURATION} and {MAX_DURATION} minutes; most groups meet for 60–90.",
    )
    start_date = forms.DateField(
        label="First date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="No meeting is planned before this date.",
    )
    block_length = forms.IntegerField(
        label="Number of weeks in the block",
        min_value=1,
        max_value=MAX_BLOCK_LENGTH,
        required=False,
        help_text="For a block of weekly meetings only, e.g. 4 for a four-week rotation.",
    )

    def __init__(self, *args, time_zone: str, now: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone, self.now = time_zone, now
        self.fields["start_time"].help_text = f"In the group's time zone, {time_zone}."
        self.spec: ScheduleSpec | None = None

    @classmethod
    def initial_from(cls, schedule: Schedule | None) -> dict:
        if schedule is None:
            return {"frequency": Frequency.MONTHLY, "week_of_month": WeekOfMonth.SECOND}
        return {
            field: getattr(schedule, field)
            for field in cls.base_fields
            if getattr(schedule, field) is not None
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self._clean_weeks(data)
        if self.errors:
            return data
        self.spec = ScheduleSpec(time_zone=self.time_zone, **data)
        if not self.spec.next_occurrences(count=1, now=self.now):
            raise forms.ValidationError("This schedule has no meetings after today.")
        return data

    def _clean_weeks(self, data: dict) -> None:
        frequency = data["frequency"]
        if frequency in (Frequency.MONTHLY, Frequency.TWICE_MONTHLY) and not data["week_of_month"]:
            self.add_error("week_of_month", "Choose which week of the month.")
        if frequency == Frequency.TWICE_MONTHLY:
            second = data["second_week_of_month"]
            if not second:
                self.add_error("second_week_of_month", "Choose the other week of the month.")
            elif second == data["week_of_month"]:
                self.add_error("second_week_of_month", "Choose a different week from the first.")
        else:
            data["second_week_of_month"] = None
        if frequency == Frequency.BLOCK and not data["block_length"]:
            self.add_error("block_length", "Say how many weeks the block lasts.")
        elif frequency != Frequency.BLOCK:
            data["block_length"] = None
        if frequency not in (Frequency.MONTHLY, Frequency.TWICE_MONTHLY):
            data["week_of_month"] = None

    def preview(self) -> list:
        return self.spec.next_occurrences(count=PREVIEW_COUNT, now=self.now) if self.spec else []


class MeetingTimeForm(forms.Form):
    """When and where one meeting is: for moving a meeting and for adding an extra one."""

    day = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start = forms.TimeField(
        label="Start time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes", min_value=MIN_DURATION, max_value=MAX_DURATION, initial=90
    )
    place = forms.CharField(
        label="Room and address for this meeting",
        max_length=300,
        required=False,
        help_text="Leave empty for the group's usual room. Shown only to members and leaders.",
    )
    link = forms.URLField(
        label="Online meeting link for this meeting",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Leave empty for the group's usual link. Shown only to members and leaders.",
    )

    def __init__(self, *args, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].help_text = f"In the group's time zone, {time_zone}."


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        help_text="Members see this, e.g. “The leader is unwell.” Please do not include patient "
        "details.",
    )
