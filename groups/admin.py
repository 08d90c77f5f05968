"""Staff's view of groups. Whatever has a rule or a side effect goes through groups.services, as
on the site: a group's settings are saved by `update_group_settings` (calendars follow a new room
or link, a raised capacity offers places to the waitlist, the change is audited). Leaders,
memberships and invitations are read-only here: they change on the site, where the operations
send the emails and calendar invitations and keep the "last leader" rule."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from balint.admin_rules import ReadOnlyAdmin, ReadOnlyInline, RefusalShownInAdmin
from balint.audit import services as audit
from groups import places, services
from groups.models import (
    Audience,
    BalintGroup,
    GroupProposal,
    LeaderInvite,
    Leadership,
    Membership,
    MembershipEvent,
    PendingMembershipInvite,
)


class LeadershipInline(ReadOnlyInline):
    """Read-only: appointing and standing down go through the group's settings page, which
    sends the calendar invitations and cancellations, audits, and keeps the last leader."""

    model = Leadership
    fields = ["person", "role", "since"]
    readonly_fields = fields


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
            "country",
            "region",
            "time_zone",
            "capacity",
            "taster_seats",
            "accepting_members",
            "status",
            "room",
            "meeting_link",
        ]

    region = forms.ChoiceField(
        required=False, choices=[("", "Not set"), *places.grouped_region_choices()]
    )

    def clean(self) -> dict:
        data = super().clean()
        country, region = data.get("country"), data.get("region")
        if country and region and places.country_of_region(region) != country:
            self.add_error("region", "This region is not in the group's country.")
        return data

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk and capacity < self.instance.places_taken:
            raise ValidationError(
                f"{self.instance.places_taken} places are taken; the capacity cannot be lower."
            )
        return capacity


@admin.register(BalintGroup)
class BalintGroupAdmin(RefusalShownInAdmin, admin.ModelAdmin):
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
    list_filter = ["status", "format", "country", "accepting_members", "audiences", "programme"]
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
    readonly_fields = ["leaders_on_the_site"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "audiences", "programme"]}),
        ("Leaders", {"fields": ["leaders_on_the_site"]}),
        ("Where and how", {"fields": ["format", "town", "country", "region", "time_zone"]}),
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

    @admin.display(description="Appoint or stand down")
    def leaders_on_the_site(self, obj: BalintGroup) -> str:
        url = reverse("groups:settings", kwargs={"slug": obj.slug})
        return format_html(
            '<a href="{}">The group\'s settings page</a>: leaders are appointed and stood down '
            "there, so that they get their calendar invitations and the group keeps a leader.",
            url,
        )

    # Groups are created on the site (staff's "New group" page) with their leaders: a group
    # made here would have none. Deleting one would drop its meetings and memberships with no
    # word to anyone: close it instead (status "closed").
    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: BalintGroup, form, change: bool) -> None:
        """The settings a leader may change go through `update_group_settings`, as on the
        site; the web address and the programme, which only staff change, are saved beside."""
        changes = {name: form.cleaned_data[name] for name in services.SETTINGS_FIELDS}
        with transaction.atomic():
            group = services.update_group_settings(group=obj, by=request.user, changes=changes)
            staff_only = [name for name in ("slug", "programme") if name in form.changed_data]
            if staff_only:
                for name in staff_only:
                    setattr(group, name, form.cleaned_data[name])
                group.save(update_fields=staff_only)
                audit.record_in_group(
                    group,
                    by=request.user,
                    area=audit.Area.ROSTER,
                    action="group.settings",
                    summary=f"Changed the group's {' and '.join(staff_only)} in the admin",
                )
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change: bool) -> None:
        # The audiences were saved by the operation. The leaders' formset is view-only: Django
        # saves nothing posted to it (it is still "saved" for the admin's change message).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class MembershipEventInline(ReadOnlyInline):
    model = MembershipEvent
    fields = ["status", "at", "by"]
    readonly_fields = fields


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


@admin.register(LeaderInvite)
class LeaderInviteAdmin(ReadOnlyAdmin):
    """Read-only: leaders invite through the settings page, which emails and audits."""

    list_display = ["email", "group", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "group__name"]
    list_select_related = ["group", "invited_by"]


@admin.register(GroupProposal)
class GroupProposalAdmin(ReadOnlyAdmin):
    """Read-only: staff decide in the queue (groups:proposals), which creates the group and
    tells the proposer. Messages to leaders are not shown here: they are the sender's words."""

    list_display = ["name", "proposer", "state", "created_at", "decided_by", "decided_at"]
    list_filter = ["state"]
    search_fields = ["name", "proposer__email"]
    list_select_related = ["proposer", "decided_by"]
