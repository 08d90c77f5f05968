from django.contrib import admin

from sessions.tasters.models import MeetingTasterSeats, TasterBooking, TasterInvitation


@admin.register(TasterBooking)
class TasterBookingAdmin(admin.ModelAdmin):
    # Bookings change only through the operations (services.py), which hold the seat rules.
    list_display = ["person", "meeting", "status", "seat", "booked_at", "cancelled_at"]
    list_filter = ["status", "cancelled_because"]
    list_select_related = ["person", "meeting__group"]
    search_fields = ["person__email", "person__display_name", "group__name"]
    date_hierarchy = "booked_at"
    readonly_fields = [
        "meeting",
        "group",
        "person",
        "seat",
        "status",
        "booked_at",
        "cancelled_at",
        "cancelled_because",
        "invitation",
        "followed_up_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(TasterInvitation)
class TasterInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "group", "state_label", "inviter", "sent_at", "expires_at"]
    list_filter = ["group"]
    list_select_related = ["group", "inviter", "booking"]
    search_fields = ["email", "group__name"]
    # The token exists only in the emailed link; its hash is of no use to anyone here.
    exclude = ["token_hash"]
    readonly_fields = [
        "group",
        "email",
        "inviter",
        "message",
        "created_at",
        "expires_at",
        "sent_at",
        "send_count",
        "opened_at",
        "booking",
        "revoked_at",
        "accepted_by",
    ]

    @admin.display(description="State")
    def state_label(self, invitation: TasterInvitation) -> str:
        return invitation.state_label

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(MeetingTasterSeats)
class MeetingTasterSeatsAdmin(admin.ModelAdmin):
    list_display = ["meeting", "seats", "updated_by", "updated_at"]
    list_select_related = ["meeting__group", "updated_by"]
    raw_id_fields = ["meeting"]
    readonly_fields = ["updated_by", "updated_at"]
