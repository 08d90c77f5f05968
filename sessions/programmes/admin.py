"""Cohorts in the Django admin, with their enrolments and open invitations inline."""

from django.contrib import admin

from sessions.programmes.models import Cohort, Enrolment, PendingEnrolment


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "enrolled_on", "left_on"]


class PendingEnrolmentInline(admin.TabularInline):
    model = PendingEnrolment
    extra = 0
    fields = ["email", "enrolled_on", "invited_by", "accepted_at"]
    readonly_fields = ["invited_by", "accepted_at"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "starts_on", "ends_on", "requirement"]
    list_filter = ["programme"]
    search_fields = ["name", "programme__name"]
    inlines = [EnrolmentInline, PendingEnrolmentInline]
