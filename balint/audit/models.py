from django.conf import settings
from django.db import models


class Area(models.TextChoices):
    ROSTER = "roster", "Rosters"
    MEETINGS = "meetings", "Meetings and schedules"
    REGISTER = "register", "Registers"
    INVITATIONS = "invitations", "Invitations and enrolments"
    EXPORTS = "exports", "Exports"
    PROGRAMMES = "programmes", "Programmes and their admins"
    ACCOUNTS = "accounts", "Accounts and sign-in"


class AuditEvent(models.Model):
    """Who did what to a roster, a meeting, a register, an invitation or an export: written in
    the same transaction as the change it records, never edited afterwards.

    `summary` is a sentence for staff ("Approved Dr Ada Byron's request to join Riverside"); it
    names people and groups, never anything said in a group."""

    at = models.DateTimeField("when", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the system did it (a schedule, a scan, a closed account's erasure).",
    )
    area = models.CharField(max_length=16, choices=Area, db_index=True)
    action = models.CharField(max_length=40, help_text="What was done, e.g. membership.approve.")
    summary = models.CharField(max_length=500)
    where = models.CharField(
        max_length=250, blank=True, help_text="The group or programme it happened in."
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["actor", "-at"], name="audit_actor_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}: {self.summary}"
