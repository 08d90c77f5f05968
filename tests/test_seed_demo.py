from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from groups.models import BalintGroup, Leadership, Membership
from members.models import Programme, User
from sessions.attendance.register import register_is_open
from sessions.meetings.models import Apology, AttendanceRecord, Meeting, MeetingChange, Schedule
from sessions.tasters.models import TasterBooking, TasterInvitation
from tests.reports.world import reports_world

pytestmark = pytest.mark.django_db


def world() -> dict:
    return {
        "people": sorted(User.objects.values_list("email", "display_name", "is_staff")),
        "programmes": sorted(Programme.objects.values_list("slug", "name")),
        "groups": sorted(BalintGroup.objects.values_list("slug", "status", "capacity", "format")),
        "leaders": sorted(Leadership.objects.values_list("group__slug", "person__email", "role")),
        "memberships": sorted(
            Membership.objects.values_list("group__slug", "person__email", "status")
        ),
        "schedules": sorted(Schedule.objects.values_list("group__slug", "rrule", "start_date")),
        "meetings": sorted(
            Meeting.objects.values_list(
                "group__slug", "starts_at", "status", "revision", "edited_by_hand"
            )
        ),
        "meeting_changes": sorted(
            MeetingChange.objects.values_list("meeting__starts_at", "kind", "revision")
        ),
        "apologies": sorted(Apology.objects.values_list("meeting__starts_at", "person__email")),
        "attendance": sorted(
            AttendanceRecord.objects.values_list(
                "meeting__starts_at", "person__email", "role", "status", "presented_case"
            )
        ),
        "taster_bookings": sorted(
            TasterBooking.objects.values_list(
                "meeting__starts_at", "person__email", "status", "seat", "invitation__email"
            )
        ),
        "taster_invitations": sorted(
            (i.group.slug, i.email, i.state(), i.token_hash)
            for i in TasterInvitation.objects.select_related("group", "booking")
        ),
        **reports_world(),
    }


def test_seed_demo_twice_gives_the_same_world(capsys):
    call_command("seed_demo")
    first = world()
    call_command("seed_demo")

    assert world() == first
    assert len(first["groups"]) >= 4
    assert first["leaders"] and first["memberships"] and first["programmes"]
    assert len(first["schedules"]) == 4
    assert first["meetings"] and first["attendance"] and first["apologies"]
    assert any(status == "cancelled" for _, _, status, _, _ in first["meetings"])
    assert first["taster_bookings"]
    states = {state for _, _, state, _ in first["taster_invitations"]}
    assert {"sent", "opened", "booked", "expired", "revoked"} <= states
    output = capsys.readouterr().out
    assert "admin@example.org" in output and "balint-demo-2026" in output


def test_demo_logins_work(client):
    call_command("seed_demo")

    response = client.post(
        "/accounts/login/", {"login": "member@example.org", "password": "balint-demo-2026"}
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_the_demo_leader_has_a_register_to_do_that_has_not_locked():
    call_command("seed_demo")
    now = timezone.now()
    judith = User.objects.get(email="judith.marlow@example.org")
    past = Meeting.objects.filter(
        group__slug="cotham-gp-balint", status="scheduled", ends_at__lte=now
    ).order_by("-starts_at")
    latest = past.first()

    assert Leadership.objects.filter(group=latest.group, person=judith).exists()
    assert not AttendanceRecord.objects.filter(meeting=latest).exists()
    assert register_is_open(latest, now=now, is_staff=False)
    # Still open for days to come, not about to lock.
    assert register_is_open(latest, now=now + timedelta(days=7), is_staff=False)
