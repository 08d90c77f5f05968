from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count

from members.models import Programme, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "time_zone", "accreditation", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "accreditation"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "time_zone", "accreditation"]}),
        (
            "Permissions",
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "may_create_groups",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]},
        ),
    ]

    # Deleting a person would drop their leaderships (past the "last leader" rule, with no
    # calendar cancellations) and free their places and taster seats with no offer to the
    # waitlist. People close their own account on the site, which keeps those rules; staff
    # deactivate one here (Active off).
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "admin_count", "allowed_email_domains", "created_at"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["admins"]

    # A programme's cohorts, enrolments and their records go with it.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_admin_count=Count("admins"))

    @admin.display(description="Admins", ordering="_admin_count")
    def admin_count(self, obj):
        return obj._admin_count
