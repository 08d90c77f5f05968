"""Before a register locks the leaders are told when (in the prompt email and on the page);
site staff can reopen a locked register for the leaders, through the site, audited. And the
"Everyone present" path without JavaScript: a round trip that saves nothing."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from balint.audit.models import AuditEvent
from sessions.attendance.register import register_closes_at, register_is_open
from sessions.attendance.services import REOPEN_FOR, reopen_register
from sessions.calendar.leaders import queue_register_prompts, register_prompt_due_at
from sessions.meetings.models import AttendanceRecord, AttendanceStatus
from sessions.meetings.services import MeetingError, cancel_meeting
from tests.calendar.conftest import rows
from tests.conftest import PERSONAS
from tests.sessions.factories import MeetingFactory
from tests.sessions.test_permissions import REGISTER_READ, all_personas, check, success

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked(group, leader, member):
    """A meeting 20 days ago: its register locked six days ago."""
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=20))
    group.memberships.update(joined_at=meeting.starts_at - timedelta(days=30))
    return meeting


def register_url(meeting) -> str:
    return reverse("meetings:register", kwargs={"pk": meeting.pk})


def reopen_url(meeting) -> str:
    return reverse("meetings:reopen_register", kwargs={"pk": meeting.pk})


def test_the_prompt_email_tells_leaders_when_the_register_locks(group, leader):
    leader.time_zone = "America/New_York"
    leader.save()
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=1, hours=3))

    queue_register_prompts(now=register_prompt_due_at(meeting) + timedelta(minutes=5))

    [prompt] = rows("leader-register:")
    locks = register_closes_at(meeting).astimezone(ZoneInfo("America/New_York"))
    when = f"{locks:%A} {locks.day} {locks:%B %Y} at {locks:%H:%M}"
    assert f"The register locks on {when}" in prompt.body_text
    assert f"locks on {when}" in prompt.body_html
    assert "only site staff can change it or reopen it" in prompt.body_text


def test_the_register_page_says_until_when_it_can_be_changed(client_for, leader, member, group):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(hours=3))

    html = client_for("leader").get(register_url(meeting)).content.decode()

    assert "then it locks." in html


def test_staff_reopen_a_locked_register_for_the_leaders(client_for, staff, leader, member, locked):
    data = {f"status_{leader.pk}": "present", f"status_{member.pk}": "late"}
    assert client_for("leader").post(register_url(locked), data).status_code == 403

    staff_client = client_for("staff")
    page = staff_client.get(register_url(locked)).content.decode()
    assert "Reopen the register for the leaders" in page
    response = staff_client.post(reopen_url(locked), follow=True)
    assert "The register is open again" in response.content.decode()

    locked.refresh_from_db()
    now = timezone.now()
    assert abs(locked.register_reopened_until - (now + REOPEN_FOR)) < timedelta(minutes=1)
    assert register_is_open(locked, now=now, is_staff=False)
    assert not register_is_open(locked, now=now + REOPEN_FOR + timedelta(hours=1), is_staff=False)
    event = AuditEvent.objects.get(action="register.reopen")
    assert event.actor == staff
    leader_client = client_for("leader")
    page = leader_client.get(register_url(locked)).content.decode()
    assert "Site staff reopened this register" in page
    assert leader_client.post(register_url(locked), data).status_code == 302
    assert AttendanceRecord.objects.filter(meeting=locked).count() == 2


def test_only_a_locked_register_of_a_meeting_that_took_place_can_be_reopened(
    staff, leader, group, locked
):
    open_one = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=2))
    with pytest.raises(MeetingError, match="has not locked"):
        reopen_register(meeting=open_one, by=staff)
    with pytest.raises(MeetingError, match="Only site staff"):
        reopen_register(meeting=locked, by=leader)
    upcoming = MeetingFactory(group=group)
    cancel_meeting(meeting=upcoming, by=leader, reason="Snow.")
    with pytest.raises(MeetingError, match="cancelled"):
        reopen_register(meeting=upcoming, by=staff, now=upcoming.starts_at + timedelta(days=30))
    assert not AuditEvent.objects.filter(action="register.reopen").exists()


REOPEN = {**REGISTER_READ, "leader": 403, "programme_admin": 403}


@pytest.mark.parametrize("persona", PERSONAS)
def test_reopen_permissions(client_for, request, locked, persona):
    all_personas(request)

    response = client_for(persona).post(reopen_url(locked))

    check(response, success(REOPEN[persona], 302))
    locked.refresh_from_db()
    assert (locked.register_reopened_until is not None) is (persona == "staff")


def test_reopen_needs_a_post(client_for, staff, locked):
    assert client_for("staff").get(reopen_url(locked)).status_code == 405


def test_everyone_present_without_javascript_marks_the_unmarked_and_saves_nothing(
    client_for, leader, member, group
):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(hours=3))
    group.memberships.update(joined_at=meeting.starts_at - timedelta(days=30))
    client = client_for("leader")

    response = client.post(
        register_url(meeting),
        {"everyone_present": "1", f"status_{member.pk}": "late", f"case_{member.pk}": "on"},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound  # a fresh form: no errors shown yet
    assert form[f"status_{leader.pk}"].value() == AttendanceStatus.PRESENT
    assert form[f"status_{member.pk}"].value() == AttendanceStatus.LATE
    assert form[f"case_{member.pk}"].value() is True
    assert "Everyone not yet marked is now marked present." in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_leaders_get_a_last_call_two_days_before_an_empty_register_locks(group, leader, member):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=20))
    locks = register_closes_at(meeting)

    assert queue_register_prompts(now=locks - timedelta(days=2, hours=1)) == 0
    assert queue_register_prompts(now=locks - timedelta(days=1)) == 1
    assert queue_register_prompts(now=locks - timedelta(hours=2)) == 0  # once only
    assert queue_register_prompts(now=locks + timedelta(hours=1)) == 0

    [call] = rows("leader-register-locks:")
    assert call.key == f"leader-register-locks:{meeting.pk}:{leader.pk}"
    assert call.subject.startswith("The register locks soon: Cotham GP Balint Group")
    assert "it locks in two days" in call.body_text
    assert f"/meetings/{meeting.pk}/register/" in call.body_text


def test_no_last_call_for_a_register_already_written(group, leader, member):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=20))
    group.memberships.update(joined_at=meeting.starts_at - timedelta(days=30))
    AttendanceRecord.objects.create(
        meeting=meeting,
        person=member,
        role="member",
        status=AttendanceStatus.PRESENT,
        recorded_by=leader,
        recorded_at=meeting.ends_at,
    )

    assert queue_register_prompts(now=register_closes_at(meeting) - timedelta(days=1)) == 0
