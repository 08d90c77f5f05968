import pytest
from django.core.management import call_command

from groups.models import BalintGroup, Leadership, Membership
from members.models import Programme, User
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
    # Four UK groups' schedules and the US group's (sessions/site/demo_group_kinds.py).
    assert len(first["schedules"]) == 5
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
