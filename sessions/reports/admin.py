"""The export log, for staff: read-only (a log nobody can edit or delete is worth keeping)."""

from django.contrib import admin

from sessions.reports.models import ExportLog


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "by", "programme", "kind", "file_format", "rows", "filters"]
    list_filter = ["kind", "file_format", "programme"]
    search_fields = ["by__email", "by__display_name", "programme__name"]
    date_hierarchy = "created_at"
    list_select_related = ["by", "programme"]

    # Every member of staff may read the log, with or without model permissions.
    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
