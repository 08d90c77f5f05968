"""A group's agreement, in versions, and each person's acceptance of a version.

The agreement is about how the group works (confidentiality, what stays in the room, cameras on,
no recording), never about cases or patients; its help text says so. Leaders mark a change as
material to start a new version, which everyone accepts again; a small correction (a typo) edits
the current version and keeps the acceptances.
"""

from django.conf import settings
from django.db import models

from groups.models import BalintGroup

MAX_AGREEMENT_LENGTH = 4000


class AgreementVersion(models.Model):
    group = models.ForeignKey(
        BalintGroup, on_delete=models.CASCADE, related_name="agreement_versions"
    )
    number = models.PositiveIntegerField()
    text = models.TextField(max_length=MAX_AGREEMENT_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["group", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="one_agreement_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.group}: agreement, version {self.number}"


class AgreementAcceptance(models.Model):
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.CASCADE, related_name="acceptances"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "person"], name="one_acceptance_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} accepted {self.version}"
