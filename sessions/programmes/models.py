"""Cohorts of a programme's trainees, their enrolments and the groups a cohort is placed in.

A cohort (or block) is a named set of trainees for a period, with an attendance requirement: a
minimum number of meetings or a percentage of the meetings held while each trainee was enrolled.

These models were first created by the members and groups apps; they keep those apps' tables
(`Meta.db_table`), so moving them here changed no table, only Django's idea of their app.
"""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from members.models import AddressInvitation

MAX_REQUIRED_MEETINGS = 200


class ApologiesRule(models.TextChoices):
    """How a cohort's requirement treats a meeting a trainee sent apologies for."""

    ABSENCE = "absence", "Apologies count as absences"
    EXCUSED = "excused", "Apologies are excused"


class Cohort(models.Model):
    """Trainees of a programme for a period, e.g. "Year 4 psychiatry, block 3, Sept–Oct 2026"."""

    programme = models.ForeignKey(
        "members.Programme", on_delete=models.CASCADE, related_name="cohorts"
    )
    name = models.CharField(max_length=150)
    starts_on = models.DateField("first day")
    ends_on = models.DateField("last day")
    # Exactly one of the two is set (a database constraint below).
    required_meetings = models.PositiveSmallIntegerField(
        "minimum meetings",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REQUIRED_MEETINGS)],
    )
    required_percent = models.PositiveSmallIntegerField(
        "minimum percentage of meetings held",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    # How the requirement counts marks: one rule for every page, export and certificate
    # (attendance.policy_of reads these two fields and nothing else does).
    apologies = models.CharField(
        "apologies", max_length=8, choices=ApologiesRule, default=ApologiesRule.ABSENCE
    )
    late_counts = models.BooleanField("late counts as attended", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "members_cohort"
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="cohort_name_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="cohort_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=(
                    Q(required_meetings__isnull=False, required_percent__isnull=True)
                    | Q(required_meetings__isnull=True, required_percent__isnull=False)
                ),
                name="cohort_has_one_requirement",
            ),
            models.CheckConstraint(
                condition=Q(required_percent__isnull=True)
                | Q(required_percent__gte=1, required_percent__lte=100),
                name="cohort_percent_in_range",
            ),
            models.CheckConstraint(
                condition=Q(required_meetings__isnull=True) | Q(required_meetings__gte=1),
                name="cohort_meetings_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def requirement(self) -> str:
        """The requirement in words, e.g. "at least 6 meetings" or "at least 75% of meetings"."""
        if self.required_percent is not None:
            return f"at least {self.required_percent}% of the meetings held"
        plural = "" if self.required_meetings == 1 else "s"
        return f"at least {self.required_meetings} meeting{plural}"

    @property
    def counting_rule(self) -> str:
        """How marks count, in words, e.g. "apologies excused; late counts as attended"."""
        apologies = (
            "apologies excused"
            if self.apologies == ApologiesRule.EXCUSED
            else "apologies count as absences"
        )
        late = "late counts as attended" if self.late_counts else "late does not count"
        return f"{apologies}; {late}"

    def has_ended(self, today: date) -> bool:
        return self.ends_on < today


class Enrolment(models.Model):
    """A trainee's place in a cohort, from `enrolled_on` until `left_on` (inclusive)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    enrolled_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "members_enrolment"
        ordering = ["cohort", "person__display_name"]
        constraints = [
            # One current enrolment per person and cohort; someone who left may come back.
            models.UniqueConstraint(
                fields=["cohort", "person"],
                condition=Q(left_on__isnull=True),
                name="one_current_enrolment_per_person",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("enrolled_on")),
                name="enrolment_leaves_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["person", "cohort"])]

    def __str__(self) -> str:
        return f"{self.person} in {self.cohort}"

    @property
    def is_current(self) -> bool:
        return self.left_on is None


class PendingEnrolment(AddressInvitation):
    """An address with no account yet: it is enrolled when someone signs up with it."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="pending")
    enrolled_on = models.DateField()
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "members_pendingenrolment"
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                "cohort",
                Lower("email"),
                condition=Q(accepted_at__isnull=True),
                name="one_pending_enrolment_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.cohort}"


class CohortPlacement(models.Model):
    """A cohort's trainees are placed (as members) in this group."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="placements")
    group = models.ForeignKey(
        "groups.BalintGroup", on_delete=models.CASCADE, related_name="cohort_placements"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The block's schedule (sessions/programmes/blocks.py): a meeting on this weekday (Monday
    # is 0) at this time, in the group's zone, every week of the cohort's dates. Empty: none.
    weekday = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[(n, day) for n, day in enumerate(calendar.day_name)],
        validators=[MaxValueValidator(6)],
    )
    meeting_time = models.TimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        db_table = "groups_cohortplacement"
        ordering = ["cohort", "group__name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "group"], name="one_placement_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} in {self.group}"


class EnrolmentLink(models.Model):
    """A cohort's self-enrolment link: whoever holds it may enrol (or ask to, when it needs the
    admin's approval) until it expires or is revoked. Only the token's SHA-256 is stored: the
    link is shown once, and a leaked database or backup opens nothing."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    needs_approval = models.BooleanField("needs the administrator's approval", default=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A new link replaces the old one: two live links of one cohort would leave the
            # admin unsure which one they revoked.
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_enrolment_link_per_cohort",
            ),
        ]

    def __str__(self) -> str:
        return f"Enrolment link for {self.cohort}"

    @property
    def last_day(self) -> date:
        """The last day it works, in the current time zone (it stops at the next midnight)."""
        return timezone.localdate(self.expires_at - timedelta(microseconds=1))


class EnrolmentRequest(models.Model):
    """Someone asked to join a cohort through a link that needs approval; an admin approves
    (they are enrolled) or declines."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="requests")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_requests"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "person"],
                condition=Q(decided_at__isnull=True),
                name="one_open_enrolment_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} asks to join {self.cohort}"
