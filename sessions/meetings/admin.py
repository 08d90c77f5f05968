from django.contrib import admin

from sessions.meetings.models import Apology, AttendanceRecord, Meeting, MeetingChange, Schedule
from sessions.meetings.schedule import rhythm_in_words


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["group", "rhythm", "rrule", "start_date", "horizon_months", "generated_until"]
    list_select_related = ["group"]
    search_fields = ["group__name", "group__slug"]
    raw_id_fields = ["group"]
    readonly_fields = ["rrule", "generated_until", "updated_at", "updated_by"]

    @admin.display(description="Rhythm")
    def rhythm(self, schedule: Schedule) -> str:
        return rhythm_in_words(schedule)


class MeetingChangeInline(admin.TabularInline):
    model = MeetingChange
    extra = 0
    can_delete = False
    fields = ["revision", "kind", "new_starts_at", "reason", "by", "at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    # Times, place and status change only through the leaders' pages (open to staff too), so
    # that every change raises the revision and is recorded for the calendars.
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
class MeetingChangeAdmin(admin.ModelAdmin):
    list_display = ["meeting", "kind", "revision", "by", "at"]
    list_filter = ["kind"]
    list_select_related = ["meeting__group", "by"]
    search_fields = ["meeting__group__name"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Apology)
class ApologyAdmin(admin.ModelAdmin):
    list_display = ["person", "meeting", "sent_at"]
    list_select_related = ["person", "meeting__group"]
    search_fields = ["person__email", "person__display_name", "meeting__group__name"]
    raw_id_fields = ["meeting", "person"]


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(admin.ModelAdmin):
    list_display = ["person", "meeting", "role", "status", "presented_case", "recorded_by"]
    list_filter = ["role", "status", "presented_case"]
    list_select_related = ["person", "meeting__group", "recorded_by"]
    search_fields = ["person__email", "person__display_name", "meeting__group__name"]
    raw_id_fields = ["meeting", "person", "recorded_by"]
