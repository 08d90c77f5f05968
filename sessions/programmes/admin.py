"""Cohorts in the Django admin, with their enrolments and open invitations inline: read-only.
The programme's cohort pages create cohorts, enrol (emailing invitations to unknown addresses),
end enrolments and withdraw invitations, with the checks and the audit log; a cohort deleted here
would take its trainees' records with it."""

from django.contrib import admin

from balint.admin_rules import ReadOnlyAdmin, ReadOnlyInline
from sessions.programmes.models import (
    Cohort,
    Enrolment,
    EnrolmentLink,
    EnrolmentRequest,
    PendingEnrolment,
)


class EnrolmentInline(ReadOnlyInline):
    model = Enrolment
    fields = readonly_fields = ["person", "enrolled_on", "left_on"]


class PendingEnrolmentInline(ReadOnlyInline):
    model = PendingEnrolment
    fields = readonly_fields = ["email", "enrolled_on", "invited_by", "accepted_at"]


class EnrolmentLinkInline(ReadOnlyInline):
    """Only the link's dates and who made it: its token exists nowhere but in the link."""

    model = EnrolmentLink
    fields = readonly_fields = [
        "needs_approval",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
    ]


class EnrolmentRequestInline(ReadOnlyInline):
    model = EnrolmentRequest
    fields = readonly_fields = ["person", "created_at", "decided_at", "decided_by", "approved"]


@admin.register(Cohort)
class CohortAdmin(ReadOnlyAdmin):
    list_display = ["name", "programme", "starts_on", "ends_on", "requirement", "counting_rule"]
    list_filter = ["programme"]
    search_fields = ["name", "programme__name"]
    inlines = [EnrolmentInline, PendingEnrolmentInline, EnrolmentLinkInline, EnrolmentRequestInline]
