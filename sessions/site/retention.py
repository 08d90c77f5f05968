"""Retention: personal data the site no longer needs is deleted after a period set in settings.

Sent (or failed) emails go after RETENTION_SENT_MESSAGES_DAYS; taster invitations that expired or
were revoked, and address invitations to a group or cohort (taken up or never), after
RETENTION_EXPIRED_INVITATIONS_DAYS and RETENTION_PENDING_INVITES_DAYS; audit log entries (which
name people) after RETENTION_AUDIT_LOG_DAYS. Messages to a group's leaders go after
groups.services.contact.KEEP_DAYS (their words are blanked once delivered). Feedback invitations are
kept: they are the response rate's denominator and carry no address.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from balint.audit.models import AuditEvent
from balint.outbox.models import Message, MessageStatus
from groups.models import LeaderContact, LeaderInvite, PendingMembershipInvite
from groups.services.contact import KEEP_DAYS as CONTACT_KEEP_DAYS
from members.models import ProgrammeAdminInvitation
from sessions.programmes.models import PendingEnrolment
from sessions.tasters.models import TasterInvitation


def _days_ago(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


@transaction.atomic
def purge_expired_data(*, now: datetime | None = None) -> dict[str, int]:
    """Delete rows past their retention period; returns how many of each went. Idempotent."""
    now = now or timezone.now()
    sent_cutoff = _days_ago(now, settings.RETENTION_SENT_MESSAGES_DAYS)
    expired_cutoff = _days_ago(now, settings.RETENTION_EXPIRED_INVITATIONS_DAYS)
    pending_cutoff = _days_ago(now, settings.RETENTION_PENDING_INVITES_DAYS)
    audit_cutoff = _days_ago(now, settings.RETENTION_AUDIT_LOG_DAYS)
    messages = Message.objects.filter(
        Q(status=MessageStatus.SENT, sent_at__lt=sent_cutoff)
        | Q(status=MessageStatus.FAILED, created_at__lt=sent_cutoff)
    )
    tasters = TasterInvitation.objects.filter(
        Q(revoked_at__lt=expired_cutoff) | Q(booking__isnull=True, expires_at__lt=expired_cutoff)
    )
    old_address = Q(accepted_at__lt=pending_cutoff) | Q(
        accepted_at__isnull=True, created_at__lt=pending_cutoff
    )
    return {
        "messages": messages.delete()[0],
        "taster_invitations": tasters.delete()[0],
        "membership_invites": PendingMembershipInvite.objects.filter(old_address).delete()[0],
        "pending_enrolments": PendingEnrolment.objects.filter(old_address).delete()[0],
        "leader_invites": LeaderInvite.objects.filter(old_address).delete()[0],
        "leader_contacts": LeaderContact.objects.filter(
            created_at__lt=_days_ago(now, CONTACT_KEEP_DAYS)
        ).delete()[0],
        "admin_invitations": ProgrammeAdminInvitation.objects.filter(old_address).delete()[0],
        "audit_events": AuditEvent.objects.filter(at__lt=audit_cutoff).delete()[0],
    }
