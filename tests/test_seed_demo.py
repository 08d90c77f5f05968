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
    # Four UK groups' schedules and the US group's (sessions/site/demo_group_kinds.py).
    assert len(first["schedules"]) == 5
    assert first["meetings"] and first["attendance"] and first["apologies"]
    assert any(status == "cancelled" for _, _, status, _, _ in first["meetings"])
    assert first["taster_bookings"]
    states = {state for _, _, state, _ in first["taster_invitations"]}
    assert {"sent", "opened", "booked", "expired", "revoked"} <= states
    # The pilot-like programme (sessions/site/demo_pilot.py): three blocks over, one running.
    pilot = [cohort for cohort in first["cohorts"] if cohort[0] == "year-4-pilot"]
    assert [name for _, name, *_ in pilot] == [
        "Block 1",
        "Block 2",
        "Block 3",
        "Block 4 (running now)",
    ]
    output = capsys.readouterr().out
    assert "admin@example.org" in output and "balint-demo-2026" in output


def test_demo_logins_work(client):
    call_command("seed_demo")

    response = client.post(
        "/accounts/login/", {"login": "member@example.org", "password": "balint-demo-2026"}
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def _sign_in(client, email: str) -> None:
    client.force_login(User.objects.get(email=email))


def test_seed_demo_runs_again_after_the_demo_was_used(client):
    """The README says the run command is safe to run again: after people have used the demo
    (a request approved, one declined, a taster seat booked and cancelled, an account closed),
    loading the demo again must neither fail nor undo what they did."""
    call_command("seed_demo")
    cotham = BalintGroup.objects.get(slug="cotham-gp-balint")
    online = BalintGroup.objects.get(slug="online-multiprofessional-balint")
    approved = Membership.objects.get(group=cotham, person__email="demo8@example.org")
    declined = Membership.objects.get(group=online, person__email="demo2@example.org")

    _sign_in(client, "judith.marlow@example.org")
    response = client.post(f"/groups/cotham-gp-balint/roster/{approved.pk}/approve/")
    assert response.status_code == 302
    _sign_in(client, "priya.raman@example.org")
    response = client.post(f"/groups/online-multiprofessional-balint/roster/{declined.pk}/decline/")
    assert response.status_code == 302
    booking = TasterBooking.objects.get(person__email="trainee@example.org", status="booked")
    _sign_in(client, "trainee@example.org")
    response = client.post(f"/tasters/bookings/{booking.pk}/cancel/")
    assert response.status_code == 302
    _sign_in(client, "member@example.org")
    response = client.post("/me/data/close/", {"password": "balint-demo-2026"})
    assert response.status_code == 302
    used = world()

    call_command("seed_demo")

    approved.refresh_from_db()
    declined.refresh_from_db()
    assert approved.status == "active"
    assert declined.status == "declined"
    assert not Membership.objects.filter(
        group=cotham, person__email="demo8@example.org", status="requested"
    ).exists()
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    # The closed account stays closed; the demo login is there again for the next person.
    assert User.objects.filter(display_name="Former member", is_active=False).count() == 1
    assert client.login(email="member@example.org", password="balint-demo-2026")
    again = world()
    assert set(used["memberships"]) - set(again["memberships"]) == set()
    call_command("seed_demo")
    assert world() == again


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
