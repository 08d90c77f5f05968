from django.contrib import admin

from balint.admin_rules import ReadOnlyAdmin
from balint.outbox.delivery import REMOVED
from balint.outbox.models import Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """Read-only. A row's unique key is what stops the same message going out twice: deleted,
    the next scan would queue it again (a second reminder, a second invitation)."""

    list_display = ["subject", "recipients", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "ical_method"]
    search_fields = ["key", "subject", "to"]
    date_hierarchy = "created_at"
    # A message waiting to be sent still holds its link's token: shown here without it.
    fields = readonly_fields = [
        *(
            field.name
            for field in Message._meta.fields
            if field.name not in ("id", "body_text", "body_html", "secrets")
        ),
        "text",
        "html",
    ]

    @admin.display(description="Text")
    def text(self, obj):
        return _without_secrets(obj.body_text, obj.secrets)

    @admin.display(description="HTML")
    def html(self, obj):
        return _without_secrets(obj.body_html, obj.secrets)

    @admin.display(description="To")
    def recipients(self, obj):
        return ", ".join(obj.to)


def _without_secrets(body: str, secrets: list[str]) -> str:
    for secret in secrets:
        body = body.replace(secret, REMOVED)
    return body
