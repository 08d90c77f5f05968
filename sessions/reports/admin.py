"""The export log, for staff: read-only (a log nobody can edit or delete is worth keeping)."""

from django.contrib import admin

from balint.admin_rules import StaffReadOnlyAdmin
from sessions.reports.models import ExportLog


@admin.register(ExportLog)
class ExportLogAdmin(StaffReadOnlyAdmin):
    list_display = ["created_at", "by", "programme", "kind", "file_format", "rows", "filters"]
    list_filter = ["kind", "file_format", "programme"]
    search_fields = ["by__email", "by__display_name", "programme__name"]
    date_hierarchy = "created_at"
    list_select_related = ["by", "programme"]
