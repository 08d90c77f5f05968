from django.contrib import admin

from balint.outbox.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipients", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "ical_method"]
    search_fields = ["key", "subject", "to"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Message._meta.fields]

    @admin.display(description="To")
    def recipients(self, obj):
        return ", ".join(obj.to)

    def has_add_permission(self, request):
        return False
