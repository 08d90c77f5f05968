from django.contrib import admin

from balint.admin_rules import StaffReadOnlyAdmin
from balint.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(StaffReadOnlyAdmin):
    """Read-only for every member of staff: the log is evidence, so nobody edits or deletes it
    here (the retention purge removes old entries)."""

    list_display = ["at", "actor", "area", "action", "summary", "where"]
    list_filter = ["area", "action"]
    search_fields = ["summary", "where", "actor__email", "actor__display_name"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    show_full_result_count = False
