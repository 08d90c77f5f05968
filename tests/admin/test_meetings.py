"""A schedule saved in the admin goes through set_schedule, as on the site; meetings, their
history, apologies and registers are read-only there."""

from datetime import date, time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from balint.audit.models import AuditEvent
from balint.outbox.models import Message
from groups.models import GroupStatus
from sessions.meetings.models import (
    Apology,
    AttendanceRecord,
    AttendanceRole,
    AttendanceStatus,
    Frequency,
    Meeting,
    MeetingChange,
    Schedule,
    Weekday,
    WeekOfMonth,
)
from sessions.meetings.schedule import ScheduleSpec
from sessions.meetings.services import set_schedule
from tests.admin.conftest import assert_refused, change_form_data
from tests.sessions.factories import MeetingFactory
from tests.sessions.test_views import SCHEDULE, schedule_url

pytestmark = pytest.mark.django_db

ADD = "/admin/meetings/schedule/add/"


def change_url(schedule) -> str:
    return f"/admin/meetings/schedule/{schedule.pk}/change/"


def add_in_admin(client, group):
    data = {**SCHEDULE, "group": group.pk, "horizon_months": "6"}
    return client.post(ADD, data)


def add_on_site(client, group):
    return client.post(schedule_url(group), {**SCHEDULE, "save": "1"})


@pytest.fixture
def schedule(group, leader):
    spec = ScheduleSpec(
        frequency=Frequency.MONTHLY,
        weekday=Weekday.TUESDAY,
        week_of_month=WeekOfMonth.SECOND,
        start_date=date(2026, 1, 1),
        start_time=time(19, 30),
        duration_minutes=90,
        time_zone=group.time_zone,
    )
    return set_schedule(group=group, by=leader, spec=spec)[0]


def save_in_admin(client, schedule, **changes):
    page = client.get(change_url(schedule))
    return client.post(change_url(schedule), change_form_data(page, **changes))


@pytest.mark.parametrize("add", [add_in_admin, add_on_site], ids=["admin", "site"])
def test_a_schedule_added_in_the_admin_makes_the_meetings_as_on_the_site(
    admin_client, group, leader, add
):
    response = add(admin_client, group)

    assert response.status_code == 302
    schedule = Schedule.objects.get(group=group)
    assert schedule.rrule == "FREQ=MONTHLY;BYDAY=2TU"
    assert Meeting.objects.filter(group=group).count() == 6
    assert AuditEvent.objects.filter(action="schedule.set", object_id=schedule.pk).count() == 1
    assert Message.objects.filter(to=[leader.email]).exclude(ical="").exists()


def test_a_new_rhythm_in_the_admin_rebuilds_the_rrule_and_the_meetings(
    admin_client, schedule, group
):
    monthly = Meeting.objects.filter(group=group, status="scheduled").count()

    response = save_in_admin(admin_client, schedule, frequency=Frequency.WEEKLY)

    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.rrule == "FREQ=WEEKLY;BYDAY=TU"
    assert schedule.week_of_month is None
    assert Meeting.objects.filter(group=group, status="scheduled").count() > monthly
    assert AuditEvent.objects.filter(action="schedule.set").count() == 2


def test_the_admin_checks_a_schedule_as_the_site_form_does(admin_client, schedule):
    response = save_in_admin(admin_client, schedule, week_of_month="")

    assert response.status_code == 200
    assert "Choose which week of the month." in response.text
    schedule.refresh_from_db()
    assert schedule.week_of_month == WeekOfMonth.SECOND
    assert AuditEvent.objects.filter(action="schedule.set").count() == 1


def test_a_closed_groups_schedule_is_refused_in_the_admin_with_the_reason(
    admin_client, schedule, group
):
    group.status = GroupStatus.CLOSED
    group.save()

    response = save_in_admin(admin_client, schedule, frequency=Frequency.WEEKLY)

    assert response.status_code == 302
    assert "This group is closed: it has no schedule." in [
        str(message) for message in get_messages(response.wsgi_request)
    ]
    schedule.refresh_from_db()
    assert schedule.rrule == "FREQ=MONTHLY;BYDAY=2TU"


def test_a_longer_horizon_in_the_admin_plans_further_ahead_and_is_audited(
    admin_client, schedule, group
):
    planned = Meeting.objects.filter(group=group).count()

    response = save_in_admin(admin_client, schedule, horizon_months=12)

    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.horizon_months == 12
    assert schedule.generated_until > timezone.now() + timedelta(days=330)
    assert Meeting.objects.filter(group=group).count() > planned
    assert AuditEvent.objects.filter(action="schedule.horizon").exists()


def test_schedules_are_not_deleted_in_the_admin(admin_client, schedule):
    delete = f"/admin/meetings/schedule/{schedule.pk}/delete/"

    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Schedule.objects.filter(pk=schedule.pk).exists()


def test_meetings_are_read_only_in_the_admin(admin_client, group):
    meeting = MeetingFactory(group=group)
    starts_at = meeting.starts_at

    assert_refused(
        admin_client, f"/admin/meetings/meeting/{meeting.pk}/change/", {"status": "cancelled"}
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.starts_at) == ("scheduled", starts_at)


def test_meeting_history_is_read_only_in_the_admin(admin_client, group, leader):
    meeting = MeetingFactory(group=group)
    change = MeetingChange.objects.create(meeting=meeting, revision=0, kind="added", by=leader)

    assert_refused(admin_client, f"/admin/meetings/meetingchange/{change.pk}/change/")
    assert MeetingChange.objects.filter(pk=change.pk).exists()


def test_apologies_are_read_only_in_the_admin(admin_client, group, member):
    apology = Apology.objects.create(meeting=MeetingFactory(group=group), person=member)

    assert_refused(admin_client, f"/admin/meetings/apology/{apology.pk}/change/")
    assert Apology.objects.filter(pk=apology.pk).exists()


def test_register_lines_are_read_only_in_the_admin(admin_client, group, member, leader):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=30))
    line = AttendanceRecord.objects.create(
        meeting=meeting,
        person=member,
        role=AttendanceRole.MEMBER,
        status=AttendanceStatus.PRESENT,
        recorded_by=leader,
        recorded_at=meeting.starts_at,
    )

    assert_refused(
        admin_client,
        f"/admin/meetings/attendancerecord/{line.pk}/change/",
        {"status": AttendanceStatus.ABSENT, "role": "member"},
    )
    line.refresh_from_db()
    assert line.status == AttendanceStatus.PRESENT
    assert not AuditEvent.objects.exists()
