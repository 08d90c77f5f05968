from django.contrib import admin

from balint.admin_rules import ReadOnlyAdmin
from groups.agreements.models import AgreementAcceptance, AgreementVersion


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyAdmin):
    """For inspection: leaders write agreements on the site (the group's agreement page)."""

    list_display = ["group", "number", "created_at", "updated_at"]
    list_select_related = ["group"]
    search_fields = ["group__name"]


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["version", "person", "accepted_at"]
    list_select_related = ["version__group", "person"]
