from django import forms

from balint.widgets import QuickSelect
from members.models import User
from members.names import validate_display_name
from members.timezones import DEFAULT_TIME_ZONE, time_zone_choices


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls `signup` after creating the user)."""

    display_name = forms.CharField(
        label="Your name",
        max_length=100,
        validators=[validate_display_name],
        help_text="As colleagues know you, e.g. “Dr Sam Patel”.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        initial=DEFAULT_TIME_ZONE,
        help_text="Meeting times are shown to you in this time zone.",
        widget=QuickSelect,
    )

    def signup(self, request, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.time_zone = self.cleaned_data["time_zone"]
        user.save(update_fields=["display_name", "time_zone"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "time_zone", "reminders"]
        widgets = {"reminders": forms.RadioSelect}
        labels = {"display_name": "Your name"}
