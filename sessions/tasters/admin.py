"""Staff's view of taster bookings and invitations (read-only: they change through the site's
operations, which hold the seat rules and send the emails) and of one meeting's taster seats
(saved through `set_meeting_taster_seats`, as on the meeting page)."""

from django.contrib import admin

from balint.admin_rules import ReadOnlyAdmin, RefusalShownInAdmin
from sessions.tasters import services
from sessions.tasters.models import MeetingTasterSeats, TasterBooking, TasterInvitation


@admin.register(TasterBooking)
class TasterBookingAdmin(ReadOnlyAdmin):
    # Bookings change only through the operations (services.py), which hold the seat rules: one
    # deleted here would free its seat with no word to the taster or the leaders.
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


@admin.register(TasterInvitation)
class TasterInvitationAdmin(ReadOnlyAdmin):
    # Sent, resent and revoked on the group's taster page, with the audit log.
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


@admin.register(MeetingTasterSeats)
class MeetingTasterSeatsAdmin(RefusalShownInAdmin, admin.ModelAdmin):
    list_display = ["meeting", "seats", "updated_by", "updated_at"]
    list_select_related = ["meeting__group", "updated_by"]
    raw_id_fields = ["meeting"]
    readonly_fields = ["updated_by", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "meeting"] if obj else self.readonly_fields

    # Going back to the group's usual number is a change with rules too (not below the tasters
    # booked already): the meeting page does it.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: MeetingTasterSeats, form, change: bool) -> None:
        """Through `set_meeting_taster_seats`, as the meeting page: only meetings to come, never
        fewer seats than tasters booked, and audited."""
        services.set_meeting_taster_seats(meeting=obj.meeting, seats=obj.seats, by=request.user)
        saved = MeetingTasterSeats.objects.get(meeting=obj.meeting)
        obj.pk, obj.updated_by, obj.updated_at = saved.pk, saved.updated_by, saved.updated_at
