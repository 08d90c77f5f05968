"""Staff's view of groups. Memberships change only through groups/services.py (capacity, history,
emails), so the admin shows them read-only; groups and their leaders are edited here."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from groups.models import (
    Audience,
    BalintGroup,
    Leadership,
    Membership,
    MembershipEvent,
    PendingMembershipInvite,
)


class LeadershipInline(admin.TabularInline):
    model = Leadership
    extra = 1
    autocomplete_fields = ["person"]
    fields = ["person", "role", "since"]
    readonly_fields = ["since"]


class BalintGroupAdminForm(forms.ModelForm):
    class Meta:
        model = BalintGroup
        fields = [
            "name",
            "slug",
            "description",
            "audiences",
            "programme",
            "format",
            "town",
            "region",
            "time_zone",
            "capacity",
            "taster_seats",
            "accepting_members",
            "status",
            "room",
            "meeting_link",
        ]

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk and capacity < self.instance.places_taken:
            raise ValidationError(
                f"{self.instance.places_taken} places are taken; the capacity cannot be lower."
            )
        return capacity


@admin.register(BalintGroup)
class BalintGroupAdmin(admin.ModelAdmin):
    form = BalintGroupAdminForm
    inlines = [LeadershipInline]
    list_display = [
        "name",
        "status",
        "format",
        "region",
        "places",
        "accepting_members",
        "programme",
    ]
    list_filter = ["status", "format", "region", "accepting_members", "audiences", "programme"]
    search_fields = [
        "name",
        "slug",
        "town",
        "leaderships__person__display_name",
        "leaderships__person__email",
    ]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["audiences"]
    list_select_related = ["programme"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "audiences", "programme"]}),
        ("Where and how", {"fields": ["format", "town", "region", "time_zone"]}),
        (
            "Places",
            {"fields": ["capacity", "taster_seats", "accepting_members", "status"]},
        ),
        ("Private: members and leaders only", {"fields": ["room", "meeting_link"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_places_taken()

    @admin.display(description="Places taken", ordering="places_taken_count")
    def places(self, obj: BalintGroup) -> str:
        return f"{obj.places_taken} of {obj.capacity}"


class MembershipEventInline(admin.TabularInline):
    model = MembershipEvent
    extra = 0
    fields = ["status", "at", "by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["person", "group", "status", "requested_at", "joined_at", "ended_on"]
    list_filter = ["status", "group"]
    search_fields = ["person__display_name", "person__email", "group__name"]
    list_select_related = ["person", "group"]
    inlines = [MembershipEventInline]


@admin.register(PendingMembershipInvite)
class PendingMembershipInviteAdmin(ReadOnlyAdmin):
    list_display = ["email", "group", "invited_by", "created_at", "accepted_at"]
    list_filter = ["group"]
    search_fields = ["email", "group__name"]
    list_select_related = ["group", "invited_by"]


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
