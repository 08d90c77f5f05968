from django.db import models


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed permanently"


class Message(models.Model):
    """One email, rendered when the change that causes it is written, sent at most once."""

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="What this message is for, e.g. reminder:<meeting>:<person>:24h. "
        "Unique, so the same message can never be queued twice.",
    )
    to = models.JSONField(help_text="A list of addresses.")
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    ical = models.TextField(blank=True, help_text="An iCalendar attachment, if any.")
    ical_method = models.CharField(max_length=16, blank=True)
    secrets = models.JSONField(
        default=list,
        blank=True,
        help_text="Strings in the bodies (a link's token) removed once the message is sent or "
        "has failed for good, so that no stored message holds a working link.",
    )
    status = models.CharField(
        max_length=16, choices=MessageStatus, default=MessageStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending"),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)} ({self.status})"
