"""Changes people must hear about write calendar emails in the same transaction: joining and
leaving a group, meetings added, moved and cancelled by a leader or by the schedule, taster
bookings. Keys make every repeat a no-op."""

from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from balint.outbox.models import Message
from groups import services as groups
from groups.models import LeaderRole, MembershipStatus
from sessions.calendar import notify
from sessions.calendar.ical import meeting_uid
from sessions.meetings.models import Frequency, MeetingStatus
from sessions.meetings.schedule import ScheduleSpec
from sessions.meetings.services import add_extra_meeting, cancel_meeting, move_meeting, set_schedule
from sessions.tasters.services import book_taster_seat, cancel_taster_booking
from tests.calendar.conftest import calendar_of, meeting_on, rows
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def recipients(prefix: str) -> set[str]:
    return {message.to[0] for message in rows(prefix)}


def test_a_new_member_gets_one_email_for_each_upcoming_meeting(hybrid_group, leader):
    first = meeting_on(hybrid_group, in_days(5))
    second = meeting_on(hybrid_group, in_days(33))
    cancelled = meeting_on(hybrid_group, in_days(19), status=MeetingStatus.CANCELLED)
    meeting_on(hybrid_group, in_days(-7))  # past
    newcomer = UserFactory(email="nia@example.org", time_zone="America/New_York")
    request = groups.request_to_join(group=hybrid_group, person=newcomer)

    membership = groups.approve_request(group=hybrid_group, membership_id=request.pk, by=leader)

    messages = sorted(rows("calendar-join:"), key=lambda m: m.pk)
    assert [m.key for m in messages] == [
        f"calendar-join:{membership.pk}:{first.pk}",
        f"calendar-join:{membership.pk}:{second.pk}",
    ]
    uids = []
    for message in messages:
        assert message.to == ["nia@example.org"]
        assert message.ical_method == "REQUEST"
        calendar = calendar_of(message)
        assert calendar["METHOD"] == "REQUEST"
        [event] = calendar.events  # one meeting per email: some apps import only the first
        assert event["LOCATION"] == hybrid_group.room
        uids.append(str(event["UID"]))
    assert uids == [meeting_uid(first), meeting_uid(second)]
    assert meeting_uid(cancelled) not in uids
    message = messages[0]
    assert message.subject.startswith("Your meetings with Cotham GP Balint Group: ")
    assert "each of its next 2 meetings" in message.body_text
    # Her own time first (New York), the group's after it.
    assert "America/New_York" in message.body_text
    assert "The group meets" in message.body_text and "19:30–21:00 (Europe/London)" in (
        message.body_text
    )
    assert "https://meet.example.org/secret-room" in message.body_text


def test_joining_a_group_with_no_meetings_planned_sends_no_calendar_email(group, leader):
    newcomer = UserFactory()
    groups.add_member_by_email(group=group, email=newcomer.email, by=leader)

    assert rows("calendar-join:") == []


def test_leaving_cancels_upcoming_meetings_without_private_details(hybrid_group, member):
    upcoming = meeting_on(hybrid_group, in_days(4))

    membership = groups.leave_group(group=hybrid_group, person=member)

    [message] = rows("calendar-leave:")
    assert message.key == f"calendar-leave:{membership.pk}:{upcoming.pk}"
    calendar = calendar_of(message)
    assert calendar["METHOD"] == "CANCEL"
    [event] = calendar.events
    assert str(event["UID"]) == meeting_uid(upcoming)
    assert event["STATUS"] == "CANCELLED"
    for text in (message.ical.replace("\r\n ", ""), message.body_text, message.body_html):
        assert "secret-room" not in text
        assert "Cotham Health Centre" not in text


def test_a_removed_member_gets_a_cancellation(hybrid_group, member, leader):
    meeting_on(hybrid_group, in_days(4))
    membership = hybrid_group.memberships.get(person=member)

    groups.remove_member(
        group=hybrid_group, membership_id=membership.pk, by=leader, ended_on=timezone.localdate()
    )

    assert calendar_of(rows("calendar-leave:")[0])["METHOD"] == "CANCEL"


def test_a_member_made_leader_keeps_the_meetings(hybrid_group, member, leader):
    meeting_on(hybrid_group, in_days(4))

    groups.appoint_leader(
        group=hybrid_group, email=member.email, role=LeaderRole.CO_LEADER, by=leader
    )

    assert hybrid_group.memberships.get(person=member).status == MembershipStatus.LEFT
    assert rows("calendar-leave:") == []
    assert rows("calendar-lead:") == []


def test_a_new_leader_is_invited_and_a_former_one_uninvited(hybrid_group, leader, staff):
    meeting_on(hybrid_group, in_days(4))
    newcomer = UserFactory()

    leadership = groups.appoint_leader(
        group=hybrid_group, email=newcomer.email, role=LeaderRole.CO_LEADER, by=staff
    )
    groups.remove_leader(group=hybrid_group, leadership_id=leadership.pk, by=staff)

    assert calendar_of(rows("calendar-lead:")[0])["METHOD"] == "REQUEST"
    assert calendar_of(rows("calendar-unlead:")[0])["METHOD"] == "CANCEL"


def test_an_added_meeting_invites_the_groups_people_and_nobody_else(
    hybrid_group, leader, member, other_member, stranger
):
    meeting = add_extra_meeting(
        group=hybrid_group, by=leader, day=in_days(8), start=time(19), duration_minutes=90
    )

    assert recipients("invite:") == {leader.email, member.email}
    assert {m.key for m in rows("invite:")} == {
        f"invite:{meeting.pk}:{leader.pk}:r0",
        f"invite:{meeting.pk}:{member.pk}:r0",
    }


def test_a_move_sends_an_update_with_a_higher_sequence(soon, leader, member):
    moved = move_meeting(
        meeting=soon, by=leader, day=in_days(11), start=time(18), duration_minutes=60
    )

    message = Message.objects.get(key=f"update:{soon.pk}:{member.pk}:r1")
    calendar = calendar_of(message)
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.events
    assert (str(event["UID"]), event["SEQUENCE"]) == (meeting_uid(soon), 1)
    assert event.start == moved.starts_at
    assert "has moved" in message.body_text and "19:30–21:00" in message.body_text
    assert len(rows("update:")) == 2  # the member and the leader


def test_a_new_usual_room_updates_the_meetings_that_use_it_in_one_email_per_meeting(
    hybrid_group, leader, member
):
    first = meeting_on(hybrid_group, in_days(5))
    second = meeting_on(hybrid_group, in_days(12))
    elsewhere = meeting_on(hybrid_group, in_days(19))
    elsewhere.place = "The library, for this one"
    elsewhere.save(update_fields=["place"])
    past = meeting_on(hybrid_group, in_days(-7))

    groups.update_group_settings(
        group=hybrid_group, by=leader, changes={"room": "Room 4, Cotham Surgery"}
    )

    updates = rows("update")
    assert {m.to[0] for m in updates} == {leader.email, member.email}
    mine = sorted((m for m in updates if m.to == [member.email]), key=lambda m: m.key)
    events = [event for message in mine for event in calendar_of(message).events]
    assert len(events) == len(mine) == 2
    assert sorted((str(e["UID"]), e["SEQUENCE"]) for e in events) == sorted(
        [(meeting_uid(first), 1), (meeting_uid(second), 1)]
    )
    assert all(event["LOCATION"] == "Room 4, Cotham Surgery" for event in events)
    assert all("now meets somewhere else" in message.body_text for message in mine)
    for meeting in (elsewhere, past):
        meeting.refresh_from_db()
        assert meeting.revision == 0
    first.refresh_from_db()
    assert not first.edited_by_hand  # the schedule still manages it


def test_a_new_link_updates_online_meetings_and_other_settings_send_nothing(
    hybrid_group, leader, member
):
    meeting_on(hybrid_group, in_days(5))

    groups.update_group_settings(group=hybrid_group, by=leader, changes={"capacity": 12})
    assert rows("update") == []

    groups.update_group_settings(
        group=hybrid_group, by=leader, changes={"meeting_link": "https://meet.example.org/new"}
    )
    assert len(rows("update")) == 2


def test_a_cancellation_reaches_everyone_with_its_reason(soon, leader, member):
    cancel_meeting(meeting=soon, by=leader, reason="The room is flooded.")

    message = Message.objects.get(key=f"cancel:{soon.pk}:{member.pk}:r1")
    assert calendar_of(message)["METHOD"] == "CANCEL"
    assert message.ical_method == "CANCEL"
    assert "The room is flooded." in message.body_text
    assert recipients("cancel:") == {leader.email, member.email}


def test_a_rolled_back_change_writes_no_calendar_email(soon, leader):
    with pytest.raises(RuntimeError), transaction.atomic():
        cancel_meeting(meeting=soon, by=leader, reason="Snow.")
        raise RuntimeError("the request failed after the change")

    assert rows("cancel:") == []


def test_calling_a_notification_twice_queues_once(soon, leader, member):
    assert notify.meeting_added(meeting=soon) == 2
    assert notify.meeting_added(meeting=soon) == 0


def weekly(day: date, at: time = time(19, 30), weekday: int | None = None) -> ScheduleSpec:
    return ScheduleSpec(
        frequency=Frequency.WEEKLY,
        weekday=day.weekday() if weekday is None else weekday,
        start_date=day,
        start_time=at,
        duration_minutes=90,
        time_zone="Europe/London",
    )


def test_a_new_schedule_sends_each_person_one_invitation_per_meeting(hybrid_group, leader, member):
    _, result = set_schedule(group=hybrid_group, by=leader, spec=weekly(in_days(1)))

    invites = rows("invite")
    assert result.added > 20
    assert len(invites) == 2 * result.added
    for person in (leader, member):
        theirs = [m for m in invites if m.to == [person.email]]
        uids = [str(event["UID"]) for m in theirs for event in calendar_of(m).events]
        assert len(uids) == len(set(uids)) == result.added
    assert invites[0].subject.startswith("New meeting: ")
    assert f"has {result.added} new meetings" in invites[0].body_text


def test_a_changed_schedule_updates_and_cancels_in_one_email_per_meeting(
    hybrid_group, leader, member
):
    set_schedule(group=hybrid_group, by=leader, spec=weekly(in_days(1)))
    Message.objects.all().delete()

    _, later = set_schedule(group=hybrid_group, by=leader, spec=weekly(in_days(1), time(18)))
    mine = [m for m in Message.objects.all() if m.to == [member.email]]
    assert {m.key.split(":")[0] for m in mine} == {"update"}
    assert all(len(calendar_of(m).events) == 1 for m in mine)
    events = [calendar_of(m).events[0] for m in mine]
    assert len({str(event["UID"]) for event in events}) == len(mine) == later.moved
    assert {event["SEQUENCE"] for event in events} == {1}

    Message.objects.all().delete()
    other_day = (in_days(1).weekday() + 2) % 7
    _, moved_day = set_schedule(
        group=hybrid_group, by=leader, spec=weekly(in_days(1), weekday=other_day)
    )
    mine = {m.key.split(":")[0] for m in Message.objects.all() if m.to == [member.email]}
    assert mine == {"cancel", "invite"}
    cancels = Message.objects.filter(key__startswith="cancel:", to=[member.email])
    assert len(cancels) == moved_day.cancelled
    events = [event for m in cancels for event in calendar_of(m).events]
    assert len({str(event["UID"]) for event in events}) == len(events) == moved_day.cancelled
    assert {event["SEQUENCE"] for event in events} == {2}


def test_a_booked_taster_is_invited_with_the_details_and_uninvited_without(soon, stranger):
    booking = book_taster_seat(meeting=soon, person=stranger)

    notify.taster_booked(booking)
    invite = Message.objects.get(key=f"taster-invite:{booking.pk}")
    assert calendar_of(invite).events[0]["LOCATION"] == soon.group.room
    assert f"/tasters/bookings/{booking.pk}/" in invite.body_text  # how to cancel

    cancel_taster_booking(booking=booking, person=stranger)
    booking.refresh_from_db()
    notify.taster_booking_cancelled(booking)
    cancellation = Message.objects.get(key=f"taster-cancel:{booking.pk}")
    assert calendar_of(cancellation)["METHOD"] == "CANCEL"
    assert "secret-room" not in cancellation.ical.replace("\r\n ", "")


def test_a_cancelled_meetings_taster_gets_one_cancellation_whoever_sends_it(soon, leader, stranger):
    booking = book_taster_seat(meeting=soon, person=stranger)
    notify.meeting_added(meeting=soon)
    assert stranger.email in recipients("invite:")  # booked tasters hear of changes too

    cancelled = cancel_meeting(meeting=soon, by=leader, reason="Snow.")
    booking.refresh_from_db()
    booking.meeting = cancelled
    notify.taster_booking_cancelled(booking)
    notify.taster_booking_cancelled(booking)

    [message] = Message.objects.filter(key__startswith="cancel:", to=[stranger.email])
    assert message.key == f"cancel:{soon.pk}:{stranger.pk}:r1"


def test_taster_functions_take_any_booking_like_object(soon, stranger):
    booking = SimpleNamespace(pk=999, meeting=soon, person=stranger)

    assert notify.taster_booked(booking) == 1
    assert notify.taster_booked(booking) == 0


def test_people_no_longer_in_the_group_hear_nothing_of_its_changes(soon, leader, member):
    groups.leave_group(group=soon.group, person=member)
    MembershipFactory(group=soon.group, status=MembershipStatus.REQUESTED)

    cancel_meeting(meeting=soon, by=leader, reason="Snow.")

    assert recipients("cancel:") == {leader.email}


def test_every_calendar_email_carries_one_meeting(hybrid_group, leader, member, stranger):
    set_schedule(group=hybrid_group, by=leader, spec=weekly(in_days(1)))
    groups.add_member_by_email(group=hybrid_group, email=stranger.email, by=leader)
    set_schedule(group=hybrid_group, by=leader, spec=weekly(in_days(1), time(18)))
    groups.leave_group(group=hybrid_group, person=stranger)

    messages = Message.objects.exclude(ical="")
    assert {m.key.split(":")[0] for m in messages} == {
        "invite",
        "update",
        "calendar-join",
        "calendar-leave",
    }
    for message in messages:
        assert len(calendar_of(message).events) == 1, message.key


def test_joining_a_group_with_half_a_year_planned_takes_a_few_queries(
    hybrid_group, leader, stranger, django_assert_max_num_queries
):
    _, result = set_schedule(group=hybrid_group, by=leader, spec=weekly(in_days(1)))
    Message.objects.all().delete()

    # The same few queries for one meeting or half a year of them (bulk insert).
    with django_assert_max_num_queries(25):
        groups.add_member_by_email(group=hybrid_group, email=stranger.email, by=leader)

    assert len(rows("calendar-join:")) == result.added
