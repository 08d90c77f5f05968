"""The meetings pages: what they show, what they do, and bad input (form errors, never a 500)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.meetings.models import (
    Apology,
    ChangeKind,
    Meeting,
    MeetingChange,
    MeetingStatus,
    Schedule,
)
from sessions.meetings.services import cancel_meeting
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

SCHEDULE = {
    "frequency": "monthly",
    "weekday": "1",
    "week_of_month": "2",
    "start_time": "19:30",
    "duration_minutes": "90",
    "start_date": "2026-01-01",
}


def schedule_url(group) -> str:
    return reverse("meetings:schedule", kwargs={"slug": group.slug})


def test_preview_shows_the_next_dates_and_saves_nothing(client_for, leader, group):
    response = client_for("leader").post(schedule_url(group), {**SCHEDULE, "preview": "1"})

    assert response.status_code == 200
    assert len(response.context["preview"]) == 6
    assert "Monthly, 2nd Tuesday, 19:30–21:00, Europe/London" in response.content.decode()
    assert not Schedule.objects.exists() and not Meeting.objects.exists()


def test_saving_the_schedule_generates_meetings_and_says_so(client_for, leader, group):
    client = client_for("leader")

    response = client.post(schedule_url(group), {**SCHEDULE, "save": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "meetings:group_meetings", kwargs={"slug": group.slug}
    )
    assert Meeting.objects.filter(group=group).count() == 6
    assert "The schedule has been saved: 6 added." in response.content.decode()
    form = client.get(schedule_url(group)).context["form"]
    assert form.initial["week_of_month"] == 2 and str(form.initial["start_time"]) == "19:30:00"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "frequency"),
        ({**SCHEDULE, "frequency": "hourly"}, "frequency"),
        ({**SCHEDULE, "weekday": "9"}, "weekday"),
        ({**SCHEDULE, "weekday": "Tuesday"}, "weekday"),
        ({**SCHEDULE, "start_time": "25:99"}, "start_time"),
        ({**SCHEDULE, "duration_minutes": "20"}, "duration_minutes"),
        ({**SCHEDULE, "duration_minutes": "181"}, "duration_minutes"),
        ({**SCHEDULE, "duration_minutes": "ninety"}, "duration_minutes"),
        ({**SCHEDULE, "start_date": "31/02/2026"}, "start_date"),
        ({**SCHEDULE, "week_of_month": ""}, "week_of_month"),
        ({**SCHEDULE, "week_of_month": "7"}, "week_of_month"),
        ({**SCHEDULE, "frequency": "twice_monthly"}, "second_week_of_month"),
        (
            {**SCHEDULE, "frequency": "twice_monthly", "second_week_of_month": "2"},
            "second_week_of_month",
        ),
        ({**SCHEDULE, "frequency": "block"}, "block_length"),
        ({**SCHEDULE, "frequency": "block", "block_length": "0"}, "block_length"),
        ({**SCHEDULE, "frequency": "block", "block_length": "4", "start_date": "2020-01-01"}, None),
    ],
)
def test_bad_schedules_are_form_errors(client_for, leader, group, data, field):
    response = client_for("leader").post(schedule_url(group), {**data, "save": "1"})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    if field:
        assert field in form.errors
    else:
        assert "no meetings after today" in str(form.non_field_errors())
    assert not Schedule.objects.exists()


def move_url(meeting) -> str:
    return reverse("meetings:move", kwargs={"pk": meeting.pk})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "soon", "start": "19:00", "duration_minutes": "90"}, "Enter a valid date"),
        ({"day": "2031-03-30", "start": "01:30", "duration_minutes": "90"}, "clocks go forward"),
        ({"day": "2020-01-01", "start": "19:00", "duration_minutes": "90"}, "has passed"),
        ({"day": "2031-01-01", "start": "19:00", "duration_minutes": "500"}, "less than or equal"),
        ({"day": "2031-01-01", "start": "7pm", "duration_minutes": "90"}, "Enter a valid time"),
        (
            {"day": "2031-01-01", "start": "19:00", "duration_minutes": "90", "link": "not a url"},
            "Enter a valid URL",
        ),
    ],
)
def test_impossible_moves_are_form_errors(client_for, leader, meeting, data, message):
    response = client_for("leader").post(move_url(meeting), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.revision == 0


def test_moving_a_meeting_shows_the_change_on_its_page(client_for, leader, member, meeting):
    day = (meeting.local_starts_at + timedelta(days=2)).date()

    response = client_for("leader").post(
        move_url(meeting), {"day": day.isoformat(), "start": "18:00", "duration_minutes": "60"}
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.revision == 1 and meeting.local_starts_at.hour == 18
    page = client_for("member").get(meeting.get_absolute_url()).content.decode()
    assert "Moved" in page and "was " in page


def test_cancelling_needs_a_reason(client_for, leader, meeting):
    url = reverse("meetings:cancel", kwargs={"pk": meeting.pk})

    response = client_for("leader").post(url, {"reason": "   "})

    assert response.status_code == 200 and response.context["form"].errors
    assert Meeting.objects.get().status == MeetingStatus.SCHEDULED


def test_a_cancelled_meeting_is_struck_through_with_its_reason_for_members_only(
    client_for, django_client, leader, member, meeting
):
    cancel_meeting(meeting=meeting, by=leader, reason="The leader is unwell.")

    for_member = client_for("member").get(meeting.get_absolute_url()).content.decode()
    for_public = django_client.get(meeting.get_absolute_url()).content.decode()

    assert 'class="strike"' in for_member and "The leader is unwell." in for_member
    assert "Cancelled" in for_public and "The leader is unwell." not in for_public
    change = MeetingChange.objects.get(meeting=meeting)
    assert change.kind == ChangeKind.CANCELLED and change.revision == 1


def test_times_are_shown_in_the_viewers_zone_with_the_groups_zone_noted(client_for, member, group):
    member.time_zone = "America/New_York"
    member.save()
    starts_at = timezone.now().replace(month=1, day=15, hour=19, minute=30, second=0, microsecond=0)
    meeting = MeetingFactory(group=group, starts_at=starts_at + timedelta(days=366))

    page = client_for("member").get(meeting.get_absolute_url()).content.decode()

    assert "14:30–16:00" in page  # New York in January is five hours behind London
    assert "America/New_York" in page
    assert "19:30–21:00 Europe/London" in page


def test_adding_an_extra_meeting(client_for, leader, group):
    day = (timezone.localdate() + timedelta(days=10)).isoformat()

    response = client_for("leader").post(
        reverse("meetings:add_extra", kwargs={"slug": group.slug}),
        {"day": day, "start": "12:30", "duration_minutes": "60", "place": "The library"},
    )

    extra = Meeting.objects.get()
    assert response["Location"] == extra.get_absolute_url()
    assert extra.place == "The library" and extra.changes.get().kind == ChangeKind.ADDED


def test_a_member_sends_and_withdraws_apologies_through_the_page(client_for, member, meeting):
    client = client_for("member")

    sent = client.post(reverse("meetings:send_apologies", kwargs={"pk": meeting.pk}), follow=True)
    assert "Your apologies have been sent" in sent.content.decode()
    assert "Withdraw my apologies" in sent.content.decode()
    assert Apology.objects.filter(person=member).exists()

    client.post(reverse("meetings:withdraw_apologies", kwargs={"pk": meeting.pk}))
    assert not Apology.objects.exists()


def test_apologies_after_the_start_are_refused_with_a_message(client_for, member, group):
    started = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(minutes=1))

    response = client_for("member").post(
        reverse("meetings:send_apologies", kwargs={"pk": started.pk}), follow=True
    )

    assert "apologies can no longer be sent" in response.content.decode()
    assert not Apology.objects.exists()


def test_leaders_see_who_sent_apologies_and_how_many_are_expected(
    client_for, leader, member, meeting
):
    Apology.objects.create(meeting=meeting, person=member)

    page = client_for("leader").get(meeting.get_absolute_url()).content.decode()

    assert "2 expected; 1 sent apologies." in page
    assert "Dr Mo Member" in page
