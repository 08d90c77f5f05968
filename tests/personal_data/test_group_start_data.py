"""Messages to leaders and addresses invited to lead are personal data: the words are not kept
once delivered, rows go after their period, and with the sender's closed account."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups.models import LeaderContact, LeaderInvite
from groups.services import appoint_leader
from groups.services.contact import KEEP_DAYS, contact_leaders
from groups.services.proposals import propose_group
from sessions.site.account_closing import close_account
from sessions.site.personal_data import collect_personal_data
from sessions.site.retention import purge_expired_data

pytestmark = pytest.mark.django_db


def test_a_delivered_message_keeps_no_words(group, leader, stranger):
    contact_leaders(group=group, sender=stranger, name="", email="", message="About a taster")

    assert LeaderContact.objects.get().message == ""


def test_old_messages_to_leaders_are_purged_and_recent_ones_kept(group, leader, stranger):
    for _ in range(2):
        contact_leaders(group=group, sender=stranger, name="", email="", message="Hello")
    old = LeaderContact.objects.first()
    LeaderContact.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=KEEP_DAYS + 1)
    )

    assert purge_expired_data()["leader_contacts"] == 1
    assert LeaderContact.objects.count() == 1
    assert purge_expired_data()["leader_contacts"] == 0


def test_old_invitations_to_lead_are_purged(settings, group, leader):
    appoint_leader(group=group, email="new@example.org", role="leader", by=leader)
    days = settings.RETENTION_PENDING_INVITES_DAYS + 1
    LeaderInvite.objects.update(created_at=timezone.now() - timedelta(days=days))

    assert purge_expired_data()["leader_invites"] == 1
    assert not LeaderInvite.objects.exists()


def test_closing_an_account_deletes_its_messages_and_invitations_to_lead(group, leader, stranger):
    contact_leaders(group=group, sender=None, name="Sid", email="SID@example.org", message="Hi")
    contact_leaders(group=group, sender=stranger, name="", email="", message="Hi")
    appoint_leader(group=group, email=stranger.email, role="co_leader", by=leader)
    LeaderInvite.objects.create(group=group, email=stranger.email.upper(), invited_by=leader)
    other = LeaderInvite.objects.create(group=group, email="keep@example.org", invited_by=leader)

    close_account(person=stranger)

    assert not LeaderContact.objects.exists()
    assert list(LeaderInvite.objects.all()) == [other]


def test_the_download_holds_proposals_invitations_to_lead_and_messages(group, leader, stranger):
    propose_group(by=stranger, fields={"name": "Sid's group", "slug": "sids"}, co_leader_emails=[])
    appoint_leader(group=group, email="sid.other@example.org", role="leader", by=leader)
    LeaderInvite.objects.update(email=stranger.email)
    contact_leaders(group=group, sender=stranger, name="", email="", message="Hello")

    data = collect_personal_data(person=stranger)

    assert [p["name"] for p in data["group_proposals"]] == ["Sid's group"]
    assert [i["group"] for i in data["invitations_to_lead"]] == [group.name]
    assert [m["group"] for m in data["messages_to_leaders"]] == [group.name]
