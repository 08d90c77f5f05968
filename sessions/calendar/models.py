"""What calendars need to remember beyond the meetings themselves."""

from django.conf import settings
from django.db import models

from sessions.meetings.models import Meeting


class PersonalSequence(models.Model):
    """How often one person's copy of a meeting changed without the meeting changing: a taster
    booking or cancelling, a member leaving or joining. The SEQUENCE sent to that person is the
    meeting's revision plus `bumps` (sequences.py): both only ever go up, so every CANCEL and
    every later REQUEST for the UID is higher than anything sent before (RFC 5546 §2.1.4)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    bumps = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Two bookings or leavings at once share one counter: the second raises it again.
            models.UniqueConstraint(fields=["meeting", "person"], name="one_sequence_per_person")
        ]

    def __str__(self) -> str:
        return f"meeting {self.meeting_id}, person {self.person_id}: +{self.bumps}"


class FeedKey(models.Model):
    """The random part from which a person's feed token is derived again (tokens.py), so that
    their calendar page can show the link at any time while the database keeps only its hash.
    Without the site's SECRET_KEY it gives nothing away."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_key"
    )
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar feed key of person {self.person_id}"
