"""The Bristol GP group (seed 001) starts on the site and a GP finds it, through the pages only.

Judith proposes the monthly Cotham group; staff approve it; her co-facilitator Judy, who has no
account, is invited by email, signs up and leads with equal standing; Judith sets the monthly
schedule; a GP finds the group in the finder, books a taster seat and writes to the leaders,
whose addresses stay hidden from her.
"""

import re

import pytest
from django.core import mail
from django.utils import timezone

from balint.outbox.models import Message
from groups.models import Audience, BalintGroup, LeaderRole, Leadership
from members.models import User
from sessions.meetings.models import Meeting
from tests.factories import UserFactory, with_totp

pytestmark = pytest.mark.django_db

PROPOSAL = {
    "name": "Cotham GP Balint Group",
    "slug": "",
    "description": "A monthly group for GPs in Bristol. New GPs are welcome to a free taster.",
    "format": "in_person",
    "town": "Cotham, Bristol",
    "region": "south_west",
    "time_zone": "Europe/London",
    "capacity": "10",
    "taster_seats": "2",
    "accepting_members": "on",
    "room": "The library, Cotham Health Centre",
    "meeting_link": "",
    "listing": "listed",
    "co_leader_emails": "judy.malone@example.org",
    "co_leader_role": "leader",
}
SIGNUP = {
    "email": "judy.malone@example.org",
    "display_name": "Dr Judy Malone",
    "time_zone": "Europe/London",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


def link_in(body: str, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s]*)", body)
    assert match, f"no {path} link in {body!r}"
    return match.group(1)


def test_the_bristol_group_starts_and_a_gp_finds_it_and_writes_to_its_leaders(
    client, django_client, django_capture_on_commit_callbacks
):
    judith = UserFactory(display_name="Dr Judith Marlow", email="judith@example.org")
    staff = with_totp(UserFactory(display_name="Stella Staff", email="stella@example.org"))
    staff.is_staff = True
    staff.save()
    gp = UserFactory(display_name="Dr Gita Patel", email="gita@example.org")
    # The data migration's row, made again if a transactional test has emptied the table.
    gps = Audience.objects.get_or_create(slug="gps", defaults={"name": "GPs"})[0]

    # 1. Judith proposes the group with the form staff use; nothing is public yet.
    client.force_login(judith)
    assert client.get("/groups/propose/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/groups/propose/", {**PROPOSAL, "audiences": [gps.pk]})
    assert response.status_code == 302
    assert not BalintGroup.objects.exists()
    assert "Cotham GP Balint Group" not in django_client.get("/groups/").text
    assert any(m.to == ["stella@example.org"] for m in mail.outbox)

    # 2. Staff approve it from their queue; Judith leads it and is told.
    client.force_login(staff)
    queue = client.get("/groups/proposals/")
    assert "Cotham GP Balint Group" in queue.text
    proposal = queue.context["pending"][0]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/groups/proposals/{proposal.pk}/approve/")
    group = BalintGroup.objects.get(slug="cotham-gp-balint-group")
    assert group.leaderships.get().person == judith
    told = [m for m in mail.outbox if m.to == ["judith@example.org"]]
    assert told and "is approved" in told[-1].subject

    # 3. Judy, with no account, is invited by email, signs up and leads with equal standing.
    invitation = next(m for m in mail.outbox if m.to == ["judy.malone@example.org"])
    assert "/accounts/signup/" in invitation.body
    judy_client = django_client
    with django_capture_on_commit_callbacks(execute=True):
        judy_client.post(link_in(invitation.body, "/accounts/signup/"), SIGNUP)
    confirmation = next(m for m in reversed(mail.outbox) if "/accounts/confirm-email/" in m.body)
    with django_capture_on_commit_callbacks(execute=True):
        judy_client.post(link_in(confirmation.body, "/accounts/confirm-email/"))
    judy = User.objects.get(email="judy.malone@example.org")
    roles = dict(Leadership.objects.filter(group=group).values_list("person", "role"))
    assert roles == {judith.pk: LeaderRole.LEADER, judy.pk: LeaderRole.LEADER}
    assert judy_client.get("/groups/cotham-gp-balint-group/settings/").status_code == 200

    # 4. Judith sets the monthly schedule: the second Tuesday at 19:30; 2 taster seats each.
    client.force_login(judith)
    today = timezone.localdate()
    schedule = {
        "frequency": "monthly",
        "weekday": "1",
        "week_of_month": "2",
        "start_time": "19:30",
        "duration_minutes": "90",
        "start_date": today.isoformat(),
        "save": "1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/meetings/groups/cotham-gp-balint-group/schedule/", schedule)
    meetings = Meeting.objects.filter(group=group).order_by("starts_at")
    assert meetings.count() == 6
    assert all(m.local_starts_at.weekday() == 1 for m in meetings)
    assert all(8 <= m.local_starts_at.day <= 14 for m in meetings)

    # 5. A GP finds it in the finder, books a taster seat and writes to the leaders.
    client.logout()
    finder = client.get("/groups/", {"region": "south_west"})
    assert "Cotham GP Balint Group" in finder.text
    client.force_login(gp)
    page = client.get("/groups/cotham-gp-balint-group/")
    assert "2 per meeting" in page.text and "Write to the leaders" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(f"/tasters/meetings/{meetings[0].pk}/book/")
    assert booked.status_code == 302
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/groups/cotham-gp-balint-group/contact/",
            {"message": "Could I come to a taster in the spring?"},
            follow=True,
        )
    assert "Your message is on its way to the leaders." in sent.text
    to_leaders = sorted(m.to[0] for m in mail.outbox)
    assert to_leaders == ["judith@example.org", "judy.malone@example.org"]
    assert all("gita@example.org" in m.body for m in mail.outbox)
    assert all("Could I come to a taster in the spring?" in m.body for m in mail.outbox)
    # The leaders' addresses are never shown to the GP.
    for text in (sent.text, client.get("/groups/cotham-gp-balint-group/contact/").text):
        assert "judith@example.org" not in text and "judy.malone@example.org" not in text
    assert Message.objects.filter(key__startswith="leader-contact:").count() == 2
