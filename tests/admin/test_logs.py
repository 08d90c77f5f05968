"""The outbox, the audit log and the export log are read-only in the admin: a deleted outbox row
would let its message be queued again; the logs are evidence."""

import pytest

from balint.audit import services as audit
from balint.outbox.models import Message
from sessions.reports.models import ExportLog
from tests.admin.conftest import assert_refused

pytestmark = pytest.mark.django_db


def test_outbox_messages_are_read_only_in_the_admin(admin_client):
    message = Message.objects.create(
        key="reminder:1:2:24h", to=["a@example.org"], subject="Tomorrow", body_text="Hello"
    )

    assert_refused(admin_client, f"/admin/outbox/message/{message.pk}/change/", {"status": "sent"})
    message.refresh_from_db()
    assert message.status == "pending"


def test_audit_events_are_read_only_in_the_admin(admin_client, group, leader):
    event = audit.record(
        actor=leader, area=audit.Area.ROSTER, action="group.settings", summary="Changed"
    )

    assert_refused(admin_client, f"/admin/audit/auditevent/{event.pk}/change/")


def test_export_logs_are_read_only_in_the_admin(admin_client, programme, programme_admin):
    log = ExportLog.objects.create(
        by=programme_admin, programme=programme, kind="attendance", file_format="csv"
    )

    assert_refused(admin_client, f"/admin/reports/exportlog/{log.pk}/change/")
    assert ExportLog.objects.filter(pk=log.pk).exists()
