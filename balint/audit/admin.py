from django.contrib import admin

from balint.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for every member of staff: the log is evidence, so nobody edits or deletes it
    here (the retention purge removes old entries)."""

    list_display = ["at", "actor", "area", "action", "summary", "where"]
    list_filter = ["area", "action"]
    search_fields = ["summary", "where", "actor__email", "actor__display_name"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    show_full_result_count = False

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
