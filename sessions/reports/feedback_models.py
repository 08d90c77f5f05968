"""Questionnaires (a programme's or a group's, versioned), feedback rounds, and results that are
published in batches.

Anonymity by construction: an answer is never a row written beside the receipt that says who
answered. Answers wait in their round's pending pool (`FeedbackRound.pending`, one JSON list per
round, each new answer put at a random place in it), so the database holds no per-answer row
whose storage position, id, transaction id or time stamp could be lined up with the receipts'.
Publication folds a pool into counts (`ResultCount`) in one batch; only the open answers are kept
as rows (`PublishedText`), written in a shuffled order in that batch's one transaction, under
random keys, with no time of their own.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from groups.models import BalintGroup
from members.models import Programme
from sessions.programmes.models import Cohort


class Audience(models.TextChoices):
    TRAINEES = "trainees", "Trainees"
    FACILITATORS = "facilitators", "Facilitators"
    MEMBERS = "members", "Group members"
    TASTERS = "tasters", "Taster sessions"


class QuestionKind(models.TextChoices):
    AGREEMENT = "agreement", "Statement (strongly disagree to strongly agree)"
    RATING = "rating", "Rating (poor to excellent)"
    TEXT = "text", "Open question (written answer)"


class Questionnaire(models.Model):
    """A programme's questionnaire for one audience, or a group's own; its questions live in
    its versions, the newest being the one sent from now on."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        BalintGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    audience = models.CharField(max_length=16, choices=Audience)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "audience"],
                condition=Q(programme__isnull=False),
                name="one_questionnaire_per_programme_audience",
            ),
            models.UniqueConstraint(
                fields=["group", "audience"],
                condition=Q(group__isnull=False),
                name="one_questionnaire_per_group_audience",
            ),
            models.CheckConstraint(
                condition=Q(programme__isnull=False, group__isnull=True)
                | Q(programme__isnull=True, group__isnull=False),
                name="questionnaire_has_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"Questionnaire ({self.get_audience_display()}) of {self.programme or self.group}"


class QuestionnaireVersion(models.Model):
    """The questions as they were sent: once a round uses a version it never changes (an edit
    makes the next version), so every answer belongs to the questions it answered.

    `questions` is a list of {"key", "kind", "text", "required"}; a question keeps its key
    from version to version, so results add up across versions."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    questions = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["questionnaire", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="one_version_number_per_questionnaire"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire}, version {self.number}"


class FeedbackRound(models.Model):
    """One questionnaire sent to one audience: a cohort's trainees or its block's facilitators,
    a group's members, or a group's tasters. Open until `closes_on` (tasters: open-ended)."""

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(max_length=16, choices=Audience)
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        BalintGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    opened_on = models.DateField()
    closes_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The pending pool: answers not yet published, in random order (see the module docstring).
    pending = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "audience"],
                condition=Q(cohort__isnull=False),
                name="one_round_per_cohort_audience",
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(audience="tasters"),
                name="one_taster_round_per_group",
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(audience="members", closed_at__isnull=True),
                name="one_open_member_round_per_group",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=["trainees", "facilitators"], cohort__isnull=False)
                | Q(audience__in=["members", "tasters"], group__isnull=False, cohort__isnull=True),
                name="round_has_its_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback round ({self.get_audience_display()}) of {self.cohort or self.group}"


class ResultBatch(models.Model):
    """A publication: the answers of one round's pool, counted at once."""

    round = models.ForeignKey(FeedbackRound, on_delete=models.CASCADE, related_name="batches")
    published_at = models.DateTimeField()
    answers = models.PositiveIntegerField()

    class Meta:
        ordering = ["published_at", "pk"]

    def __str__(self) -> str:
        return f"{self.answers} answers of {self.round}"


class ResultCount(models.Model):
    """How many answers of a batch gave `value` to the question `key`."""

    batch = models.ForeignKey(ResultBatch, on_delete=models.CASCADE, related_name="counts")
    key = models.CharField(max_length=32)
    value = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "key", "value"], name="one_count_per_value"),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}: {self.count}"


class PublishedText(models.Model):
    """One written answer of a batch; shown only from batches of at least five answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    batch = models.ForeignKey(ResultBatch, on_delete=models.CASCADE, related_name="texts")
    key = models.CharField(max_length=32)
    text = models.TextField(max_length=2000)

    def __str__(self) -> str:
        return "Published written answer"
