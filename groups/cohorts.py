"""Which groups a programme's cohort is placed in (imported by groups/models.py).

The cohort belongs to the members layer; placing it in a group is this layer's business, so the
relation lives here and points down at `members.Cohort`.
"""

from django.conf import settings
from django.db import models


class CohortPlacement(models.Model):
    """A cohort's trainees are placed (as members) in this group."""

    cohort = models.ForeignKey(
        "members.Cohort", on_delete=models.CASCADE, related_name="placements"
    )
    group = models.ForeignKey(
        "groups.BalintGroup", on_delete=models.CASCADE, related_name="cohort_placements"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["cohort", "group__name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "group"], name="one_placement_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} in {self.group}"
