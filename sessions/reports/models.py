"""The export log and anonymous feedback.

Anonymity by design, so that trainees can be frank about their leaders: a `FeedbackResponse` has no
link to a person, no time stamp finer than the month, and a random UUID key, so neither its columns
nor its id's order can be matched with the invitations or receipts. A `FeedbackReceipt` says only
that an invitation was used; it carries no time stamp either, so receipts cannot be matched with
responses by time.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from groups.models import BalintGroup
from members.models import Programme
from sessions.programmes.models import Cohort

MIN_RESPONSES_SHOWN = 5
NO_PATIENT_DETAILS = (
    "Please do not include patient details or anything that could identify a patient or a "
    "colleague."
)


class ExportKind(models.TextChoices):
    ATTENDANCE = "attendance", "Attendance (one row per person per meeting)"
    TRAINEES = "trainees", "Trainees (one row per trainee)"


class ExportLog(models.Model):
    """One export: who asked for what, when, and how many rows it sent."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    programme = models.ForeignKey(Programme, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=16, choices=ExportKind)
    file_format = models.CharField(max_length=8)
    filters = models.JSONField(default=dict, help_text="The filter in words and ids.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Empty while a streamed export is still being sent, or when the download was broken off.
    rows = models.PositiveIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_format} by {self.by} at {self.created_at:%Y-%m-%d %H:%M}"


class FeedbackKind(models.TextChoices):
    BLOCK = "block", "End of a cohort's block"
    TASTER = "taster", "After a taster session"


class FeedbackInvitation(models.Model):
    """A person's link to one questionnaire: for a cohort's block, or a group's taster session.

    It knows who was asked (the response rate needs it), never whether or how they answered:
    that is the receipt's, and the answers' own row has no way back here.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_invitations"
    )
    kind = models.CharField(max_length=8, choices=FeedbackKind)
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        BalintGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "cohort"],
                condition=Q(kind="block"),
                name="one_block_invitation_per_person",
            ),
            models.UniqueConstraint(
                fields=["person", "group"],
                condition=Q(kind="taster"),
                name="one_taster_invitation_per_person",
            ),
            models.CheckConstraint(
                condition=Q(kind="block", cohort__isnull=False, group__isnull=True)
                | Q(kind="taster", cohort__isnull=True, group__isnull=False),
                name="invitation_has_its_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback invitation ({self.kind}) for {self.person}"


class FeedbackReceipt(models.Model):
    """That an invitation was used: one each, no time stamp, a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invitation = models.OneToOneField(
        FeedbackInvitation, on_delete=models.CASCADE, related_name="receipt"
    )

    def __str__(self) -> str:
        return "Feedback receipt"


class Agreement(models.IntegerChoices):
    STRONGLY_DISAGREE = 1, "Strongly disagree"
    DISAGREE = 2, "Disagree"
    NEUTRAL = 3, "Neither agree nor disagree"
    AGREE = 4, "Agree"
    STRONGLY_AGREE = 5, "Strongly agree"


class Rating(models.IntegerChoices):
    POOR = 1, "Poor"
    FAIR = 2, "Fair"
    GOOD = 3, "Good"
    VERY_GOOD = 4, "Very good"
    EXCELLENT = 5, "Excellent"


# The questionnaire's statements: (field name, statement). Order is the form's and the results'.
STATEMENTS = [
    ("reflect", "The group helped me reflect on my interactions with patients."),
    ("understand", "It helped me understand how others think and feel when caring for patients."),
    ("enjoyed", "I enjoyed the group."),
    ("will_use", "I will use what I learned in my work."),
]


def _agreement():
    return models.PositiveSmallIntegerField(
        choices=Agreement, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


class FeedbackResponse(models.Model):
    """One anonymous answer. Deliberately no person, no invitation, no time stamp: only the
    scope (a cohort, or a group for tasters) and the month it was given."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=8, choices=FeedbackKind)
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        BalintGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    month = models.DateField(help_text="The first day of the month the answer was given.")
    reflect = _agreement()
    understand = _agreement()
    enjoyed = _agreement()
    will_use = _agreement()
    overall = models.PositiveSmallIntegerField(
        choices=Rating, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comments = models.TextField(blank=True, max_length=2000, help_text=NO_PATIENT_DETAILS)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="block", cohort__isnull=False, group__isnull=True)
                | Q(kind="taster", cohort__isnull=True, group__isnull=False),
                name="response_has_its_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"Anonymous feedback ({self.kind}, {self.month:%Y-%m})"
