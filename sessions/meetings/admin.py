"""Staff's view of schedules and meetings. A schedule is saved through `set_schedule`, as on the
site, so the RRULE, the meetings and the calendars follow; meetings, apologies and registers are
read-only here (leaders' pages, open to staff, change them through the operations that keep the
rules, the revision and the audit log)."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from balint.admin_rules import ReadOnlyAdmin, ReadOnlyInline, RefusalShownInAdmin
from balint.audit import services as audit
from sessions.meetings.forms import ScheduleForm
from sessions.meetings.models import Apology, AttendanceRecord, Meeting, MeetingChange, Schedule
from sessions.meetings.schedule import generate_meetings, rhythm_in_words
from sessions.meetings.services import set_schedule


class ScheduleAdminForm(forms.ModelForm):
    """Checks the rule as the leaders' schedule form does, and keeps its spec for the save."""

    class Meta:
        model = Schedule
        fields = [
            "group",
            "frequency",
            "weekday",
            "week_of_month",
            "second_week_of_month",
            "block_length",
            "start_date",
            "start_time",
            "duration_minutes",
            "horizon_months",
        ]

    def clean(self):
        data = super().clean()
        group = data.get("group") or getattr(self.instance, "group", None)
        if self.errors or group is None:
            return data
        rule = {name: data.get(name) for name in ScheduleForm.base_fields}
        site_form = ScheduleForm(rule, time_zone=group.time_zone, now=timezone.now())
        if not site_form.is_valid():
            for field, errors in site_form.errors.items():
                for error in errors:
                    self.add_error(None if field == "__all__" else field, error)
            return data
        self.spec = site_form.spec
        return data


@admin.register(Schedule)
class ScheduleAdmin(RefusalShownInAdmin, admin.ModelAdmin):
    form = ScheduleAdminForm
    list_display = ["group", "rhythm", "rrule", "start_date", "horizon_months", "generated_until"]
    list_select_related = ["group"]
    search_fields = ["group__name", "group__slug"]
    raw_id_fields = ["group"]
    readonly_fields = ["rrule", "generated_until", "updated_at", "updated_by"]

    @admin.display(description="Rhythm")
    def rhythm(self, schedule: Schedule) -> str:
        return rhythm_in_words(schedule)

    def get_readonly_fields(self, request, obj=None):
        # A schedule belongs to its group for good.
        return [*self.readonly_fields, "group"] if obj else self.readonly_fields

    # Deleting a schedule would leave its meetings without the rule that made them.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: Schedule, form, change: bool) -> None:
        """Through `set_schedule`, as the leaders' form: the RRULE is rebuilt, the meetings
        follow and calendars hear. The horizon, which only staff set, is applied after."""
        horizon = form.cleaned_data["horizon_months"]
        with transaction.atomic():
            schedule, _ = set_schedule(group=obj.group, by=request.user, spec=form.spec)
            if schedule.horizon_months != horizon:
                schedule.horizon_months = horizon
                schedule.save(update_fields=["horizon_months"])
                audit.record_in_group(
                    schedule,
                    by=request.user,
                    area=audit.Area.MEETINGS,
                    action="schedule.horizon",
                    summary=f"Planned meetings {horizon} months ahead",
                )
                generate_meetings(schedule_id=schedule.pk)
        obj.pk = schedule.pk
        obj.refresh_from_db()


class MeetingChangeInline(ReadOnlyInline):
    model = MeetingChange
    fields = ["revision", "kind", "new_starts_at", "reason", "by", "at"]
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    # Times, place and status change only through the leaders' pages (open to staff too), so
    # that every change raises the revision and is recorded for the calendars. Meetings are
    # added and cancelled there too: one deleted here would vanish from no one's calendar.
    list_display = [
        "group",
        "starts_at",
        "status",
        "revision",
        "edited_by_hand",
        "created_from_schedule",
    ]
    list_filter = ["status", "edited_by_hand", "created_from_schedule"]
    list_select_related = ["group"]
    search_fields = ["group__name", "group__slug"]
    date_hierarchy = "starts_at"
    readonly_fields = [
        "group",
        "starts_at",
        "ends_at",
        "place",
        "link",
        "status",
        "cancel_reason",
        "revision",
        "edited_by_hand",
        "created_from_schedule",
        "occurrence_starts_at",
        "created_at",
        "updated_at",
    ]
    inlines = [MeetingChangeInline]


@admin.register(MeetingChange)
class MeetingChangeAdmin(ReadOnlyAdmin):
    """The history calendars are built from: nobody edits or deletes it."""

    list_display = ["meeting", "kind", "revision", "by", "at"]
    list_filter = ["kind"]
    list_select_related = ["meeting__group", "by"]
    search_fields = ["meeting__group__name"]


# Apologies and the register are read-only: the meeting pages change them (staff may correct a
# register after its 14 days there), with the checks and the audit log.
@admin.register(Apology)
class ApologyAdmin(ReadOnlyAdmin):
    list_display = ["person", "meeting", "sent_at"]
    list_select_related = ["person", "meeting__group"]
    search_fields = ["person__email", "person__display_name", "meeting__group__name"]


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(ReadOnlyAdmin):
    list_display = ["person", "meeting", "role", "status", "presented_case", "recorded_by"]
    list_filter = ["role", "status", "presented_case"]
    list_select_related = ["person", "meeting__group", "recorded_by"]
    search_fields = ["person__email", "person__display_name", "meeting__group__name"]
