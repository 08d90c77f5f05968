"""The audit log: who did what to rosters, meetings, registers, invitations and exports, written
with the change itself, and visible (read-only) to staff."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from balint.audit.models import Area, AuditEvent
from groups import services as groups
from groups.models import MembershipStatus
from sessions.attendance import services as attendance
from sessions.attendance.register import Mark
from sessions.meetings import services as meetings
from sessions.programmes.cohorts import enrol_by_email
from sessions.site.account_closing import close_account
from sessions.site.retention import purge_expired_data
from sessions.tasters.invitations import invite_tasters, revoke_invitation
from sessions.tasters.services import set_meeting_taster_seats
from tests.factories import MembershipFactory, UserFactory
from tests.reports.factories import CohortFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def only_event(**filters) -> AuditEvent:
    (event,) = AuditEvent.objects.filter(**filters)
    return event


def test_a_leaders_roster_decisions_are_logged(group, leader):
    newcomer = UserFactory(display_name="Dr Nia Newcomer")
    request = MembershipFactory(
        group=group, person=newcomer, status=MembershipStatus.REQUESTED, joined_at=None
    )

    groups.approve_request(group=group, membership_id=request.pk, by=leader)

    event = only_event(action="membership.active")
    assert (event.actor, event.area, event.where) == (leader, Area.ROSTER, group.name)
    assert event.summary == "Dr Nia Newcomer: Requested → Member"
    assert (event.object_type, event.object_id) == ("groups.membership", request.pk)


def test_a_request_to_join_is_logged_as_the_person_themselves(group):
    newcomer = UserFactory(display_name="Dr Nia Newcomer")

    groups.request_to_join(group=group, person=newcomer)

    event = only_event(action="membership.requested")
    assert event.actor == newcomer and event.summary == "Dr Nia Newcomer: Requested"


def test_settings_log_which_fields_changed_but_not_their_values(group, leader):
    groups.update_group_settings(
        group=group,
        by=leader,
        changes={
            "capacity": group.capacity + 1,
            "room": "Room 12, secret wing",
            "name": group.name,
        },
    )

    event = only_event(action="group.settings")
    assert event.summary == "Changed the group's settings: capacity, room and address"
    assert "secret wing" not in event.summary


def test_leaders_appointed_and_stood_down_are_logged(group, leader):
    colleague = UserFactory(display_name="Dr Col League", email="col@example.org")
    leadership = groups.appoint_leader(
        group=group, email=colleague.email, role="co_leader", by=leader
    )
    groups.remove_leader(group=group, leadership_id=leadership.pk, by=leader)

    assert only_event(action="leader.appoint").summary == "Appointed Dr Col League as co-leader"
    assert only_event(action="leader.remove").summary == "Stood Dr Col League down as co-leader"


def test_meeting_changes_by_a_leader_are_logged_but_not_the_schedules_own(group, leader):
    meeting = MeetingFactory(group=group)  # made by the system: no entry
    day = (timezone.now() + timedelta(days=40)).date()

    moved = meetings.move_meeting(
        meeting=meeting, by=leader, day=day, start=time(18), duration_minutes=90
    )
    extra = meetings.add_extra_meeting(
        group=group, by=leader, day=day + timedelta(days=1), start=time(18), duration_minutes=90
    )
    meetings.cancel_meeting(meeting=extra, by=leader, reason="Room flooded")

    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "actor", "object_id"))
    assert actions == [
        ("meeting.moved", leader.pk, moved.pk),
        ("meeting.added", leader.pk, extra.pk),
        ("meeting.cancelled", leader.pk, extra.pk),
    ]
    assert only_event(action="meeting.moved").summary.startswith("Moved a meeting: ")


def test_taster_seats_for_one_meeting_are_logged(group, leader):
    meeting = MeetingFactory(group=group)

    set_meeting_taster_seats(meeting=meeting, seats=4, by=leader)

    event = only_event(action="meeting.taster_seats")
    assert event.summary.startswith("Set 4 taster seats for ") and event.area == Area.MEETINGS


def test_a_register_save_is_logged_once_and_an_unchanged_resave_is_not(group, leader, member):
    starts_at = timezone.now() - timedelta(hours=3)
    group.memberships.update(joined_at=starts_at - timedelta(days=30))
    meeting = MeetingFactory(group=group, starts_at=starts_at)
    marks = {leader.pk: Mark("present"), member.pk: Mark("late", presented_case=True)}

    attendance.record_register(meeting=meeting, by=leader, marks=marks)
    attendance.record_register(meeting=meeting, by=leader, marks=marks)

    event = only_event(area=Area.REGISTER)
    assert event.actor == leader and event.summary.endswith(": 2 new marks, 0 changed")


def test_taster_invitations_sent_and_revoked_are_logged(group, leader):
    invite_tasters(group=group, by=leader, addresses="keen@example.org\nnot an address")
    invitation = group.taster_invitations.get()
    revoke_invitation(invitation=invitation, by=leader)

    sent = only_event(action="taster_invitation.send")
    assert sent.summary == "Invited keen@example.org to a taster session"
    assert only_event(action="taster_invitation.revoke").actor == leader


def test_cohort_enrolments_and_invitations_are_logged(programme, programme_admin):
    cohort = CohortFactory(programme=programme)
    trainee = UserFactory(display_name="Dr Tam Trainee", email="tam@example.org")

    enrol_by_email(
        cohort=cohort,
        emails=[trainee.email, "unknown@example.org"],
        enrolled_on=cohort.starts_on,
        by=programme_admin,
    )

    invited = AuditEvent.objects.filter(action="enrolment.invite").order_by("pk")
    assert [e.summary for e in invited] == [
        f"Invited tam@example.org to join {cohort.name}",
        f"Invited unknown@example.org to join {cohort.name}",
    ]
    assert {(e.where, e.actor) for e in invited} == {(programme.name, programme_admin)}


def test_downloading_an_export_is_logged_with_its_filter(client_for, programme, programme_admin):
    client = client_for("programme_admin")

    response = client.get(f"/programmes/{programme.slug}/export/attendance.csv?start=2026-01-01")
    b"".join(response.streaming_content)

    event = only_event(area=Area.EXPORTS)
    assert event.actor == programme_admin and event.action == "export.attendance"
    assert event.summary == "Downloaded the attendance export (CSV), from 2026-01-01"


def test_downloading_a_roster_is_logged(client_for, group, leader):
    response = client_for("leader").get(f"/groups/{group.slug}/roster.csv")
    b"".join(response.streaming_content)

    event = only_event(action="export.roster")
    assert event.actor == leader and event.where == group.name


def test_nothing_is_logged_when_the_change_is_refused(client_for, group, member):
    response = client_for("member").get(f"/groups/{group.slug}/roster.csv")

    assert response.status_code == 403  # a member sees the group, but not its roster
    assert not AuditEvent.objects.exists()


def test_staff_read_the_log_in_the_admin_and_nobody_can_change_it(client_for, group, leader):
    groups.update_group_settings(group=group, by=leader, changes={"capacity": group.capacity + 1})
    event = AuditEvent.objects.get()
    client = client_for("staff")  # staff, not a superuser

    listing = client.get("/admin/audit/auditevent/?area__exact=roster")
    assert listing.status_code == 200
    assert "Changed the group&#x27;s settings: capacity" in listing.text
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert (
        client.post(
            f"/admin/audit/auditevent/{event.pk}/change/", {"summary": "nothing happened"}
        ).status_code
        == 403
    )
    event.refresh_from_db()
    assert event.summary.startswith("Changed")


@pytest.mark.parametrize("persona", ["leader", "member", "programme_admin", "stranger"])
def test_the_log_is_not_for_anyone_else(client_for, persona):
    response = client_for(persona).get("/admin/audit/auditevent/")

    # The admin sends them to its sign-in, which refuses someone signed in who is not staff.
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/audit/auditevent/"
    assert client_for(persona).get(response["Location"]).status_code == 403


def test_a_closed_accounts_name_leaves_the_log(group, leader):
    newcomer = UserFactory(display_name="Dr Nia Newcomer")
    groups.request_to_join(group=group, person=newcomer)

    close_account(person=newcomer)

    assert only_event(action="membership.requested").summary.endswith(": Requested")
    assert not AuditEvent.objects.filter(summary__contains="Nia").exists()


def test_old_entries_are_purged(group, leader, settings):
    groups.update_group_settings(group=group, by=leader, changes={"capacity": group.capacity + 1})
    later = timezone.now() + timedelta(days=settings.RETENTION_AUDIT_LOG_DAYS + 1)

    assert purge_expired_data(now=later)["audit_events"] == 1
    assert not AuditEvent.objects.exists()
