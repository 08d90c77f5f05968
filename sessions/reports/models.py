"""The export log and anonymous feedback.

Anonymity by construction, so that trainees can be frank about their leaders: an invitation knows
who was asked, a `FeedbackReceipt` only that the invitation was used (no time stamp, a random key).
The answers themselves are never a row written beside the receipt: they wait, shuffled, in their
round's pending pool and are published in batches (see feedback_models.py).
"""

import uuid

from django.conf import settings
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
    FEEDBACK = "feedback", "Feedback results (aggregated, no single answers)"


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
    FACILITATOR = "leaders", "A block's facilitators"
    GROUP = "group", "A group's own round"


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
    round = models.ForeignKey(
        "reports.FeedbackRound",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    # The link in the one reminder (its own token, so the first email's link keeps working).
    reminder_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "cohort"],
                condition=Q(kind="block"),
                name="one_block_invitation_per_person",
            ),
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=Q(round__isnull=False),
                name="one_invitation_per_round_and_person",
            ),
            models.UniqueConstraint(
                fields=["person", "group"],
                condition=Q(kind="taster"),
                name="one_taster_invitation_per_person",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["block", "leaders"], cohort__isnull=False)
                & Q(group__isnull=True)
                | Q(kind__in=["taster", "group"], cohort__isnull=True, group__isnull=False),
                name="invitation_has_its_scope_and_kind",
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


# The newer models of the feedback (questionnaires, rounds, published results), in their own module.
from sessions.reports.feedback_models import (  # noqa: E402, F401
    Audience,
    FeedbackRound,
    PublishedText,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    ResultBatch,
    ResultCount,
)
