"""Retention: rows past their period are deleted by the daily purge, recent ones are kept, and a
second run deletes nothing more."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from balint.outbox.models import Message, MessageStatus
from groups.models import PendingMembershipInvite
from sessions.programmes.models import PendingEnrolment
from sessions.site.retention import purge_expired_data
from sessions.site.tasks import purge_expired_data as purge_task
from sessions.tasters.models import TasterInvitation
from tests.reports.factories import CohortFactory

pytestmark = pytest.mark.django_db


def ago(days: int):
    return timezone.now() - timedelta(days=days)


def message(key: str, status: str, **fields) -> Message:
    return Message.objects.create(
        key=key, to=["a@example.org"], subject="s", body_text="b", status=status, **fields
    )


def taster_invitation(group, n: int, **fields) -> TasterInvitation:
    return TasterInvitation.objects.create(
        group=group, email=f"t{n}@example.org", token_hash=f"{n:064d}", **fields
    )


def test_the_settings_have_their_documented_defaults():
    assert settings.RETENTION_SENT_MESSAGES_DAYS == 90
    assert settings.RETENTION_EXPIRED_INVITATIONS_DAYS == 30
    assert settings.RETENTION_PENDING_INVITES_DAYS == 180
    job = settings.CELERY_BEAT_SCHEDULE["purge-expired-data"]
    assert job["task"] == "sessions.site.tasks.purge_expired_data"


def test_old_sent_messages_go_and_recent_or_pending_ones_stay():
    message("old-sent", MessageStatus.SENT, sent_at=ago(91))
    message("recent-sent", MessageStatus.SENT, sent_at=ago(89))
    old_failed = message("old-failed", MessageStatus.FAILED)
    Message.objects.filter(pk=old_failed.pk).update(created_at=ago(91))
    old_pending = message("old-pending", MessageStatus.PENDING)
    Message.objects.filter(pk=old_pending.pk).update(created_at=ago(200))

    counts = purge_expired_data()

    assert counts["messages"] == 2
    assert set(Message.objects.values_list("key", flat=True)) == {"recent-sent", "old-pending"}


def test_expired_and_revoked_taster_invitations_go_after_their_period(group):
    taster_invitation(group, 1, expires_at=ago(31))
    taster_invitation(group, 2, expires_at=ago(29))
    taster_invitation(group, 3, expires_at=ago(-5), revoked_at=ago(31))
    taster_invitation(group, 4, expires_at=ago(-5), revoked_at=ago(2))
    taster_invitation(group, 5, expires_at=ago(-5))

    assert purge_expired_data()["taster_invitations"] == 2

    emails = set(TasterInvitation.objects.values_list("email", flat=True))
    assert emails == {"t2@example.org", "t4@example.org", "t5@example.org"}


def test_old_address_invitations_to_groups_and_cohorts_go(group, programme):
    cohort = CohortFactory(programme=programme)
    old = PendingMembershipInvite.objects.create(group=group, email="old@example.org")
    PendingMembershipInvite.objects.create(group=group, email="new@example.org")
    PendingMembershipInvite.objects.filter(pk=old.pk).update(created_at=ago(181))
    old_enrolment = PendingEnrolment.objects.create(
        cohort=cohort, email="old@example.org", enrolled_on=cohort.starts_on
    )
    PendingEnrolment.objects.create(
        cohort=cohort, email="new@example.org", enrolled_on=cohort.starts_on
    )
    PendingEnrolment.objects.filter(pk=old_enrolment.pk).update(created_at=ago(181))

    counts = purge_expired_data()

    assert counts["membership_invites"] == 1 and counts["pending_enrolments"] == 1
    assert list(PendingMembershipInvite.objects.values_list("email", flat=True)) == [
        "new@example.org"
    ]
    assert list(PendingEnrolment.objects.values_list("email", flat=True)) == ["new@example.org"]


def test_the_purge_is_idempotent_and_runs_as_a_task(group, settings):
    settings.RETENTION_SENT_MESSAGES_DAYS = 10
    message("sent", MessageStatus.SENT, sent_at=ago(11))
    taster_invitation(group, 1, expires_at=ago(31))

    first = purge_task.delay().get()
    second = purge_task()

    assert first["messages"] == 1 and first["taster_invitations"] == 1
    assert set(second.values()) == {0}
    assert not Message.objects.exists() and not TasterInvitation.objects.exists()
