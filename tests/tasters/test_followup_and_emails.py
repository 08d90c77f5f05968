"""The emails tasters get, through the outbox, and the after-meeting scan that invites them to ask
to join (once, however often it runs)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from groups.models import MembershipStatus
from sessions.meetings.models import AttendanceRecord, AttendanceRole, AttendanceStatus
from sessions.meetings.services import cancel_meeting
from sessions.reports.models import FeedbackInvitation
from sessions.reports.tasks import follow_up_tasters
from sessions.reports.taster_followup import follow_up_after_meetings
from sessions.tasters.models import InvitationState, TasterBooking
from sessions.tasters.services import book_taster_seat, cancel_taster_booking
from tests.factories import MembershipFactory, UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def to(person) -> list:
    return [message for message in mail.outbox if person.email in message.to]


def test_a_booking_is_confirmed_by_a_calendar_invite_after_commit(
    meeting, taster, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book_taster_seat(meeting=meeting, person=taster)

    [email] = to(taster)
    assert email.subject.startswith("Your taster seat: Cotham GP Balint Group")
    assert "Room 3, Cotham Health Centre" in email.body
    assert f"{meeting.local_starts_at:%H:%M}" in email.body
    assert any("text/calendar" in mimetype for _, mimetype in email.alternatives)


def test_cancelling_a_booking_takes_it_out_of_the_calendar(
    meeting, taster, django_capture_on_commit_callbacks
):
    booking = book_taster_seat(meeting=meeting, person=taster)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_taster_booking(booking=booking, person=taster)

    [email] = to(taster)
    assert email.subject.startswith("Taster seat cancelled: Cotham GP Balint Group")
    assert any("method=CANCEL" in mimetype for _, mimetype in email.alternatives)


def test_a_rolled_back_booking_sends_nothing(meeting, taster, django_capture_on_commit_callbacks):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        book_taster_seat(meeting=meeting, person=taster)
        raise RuntimeError("the request failed after booking")

    assert not to(taster)
    assert not TasterBooking.objects.exists()


def test_the_invitation_email_carries_the_only_copy_of_the_link(
    invite, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite("ana@example.org", message="We meet in Cotham; do come.")

    [email] = [m for m in mail.outbox if "ana@example.org" in m.to]
    assert "Dr Lena Leader invites you to try Cotham GP Balint Group" in email.subject
    assert f"{settings.SITE_URL}/tasters/invite/{token}/" in email.body
    assert "We meet in Cotham; do come." in email.body
    assert token not in invitation.token_hash


def test_tasters_hear_once_when_their_meeting_is_cancelled(
    meeting, leader, taster, django_capture_on_commit_callbacks
):
    book_taster_seat(meeting=meeting, person=taster)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancel_meeting(meeting=meeting, by=leader, reason="The room is flooded.")

    [email] = to(taster)
    assert "flooded" in email.body
    assert any("method=CANCEL" in mimetype for _, mimetype in email.alternatives)


@pytest.fixture
def tasted(group, taster):
    """A booking for a meeting that ended two hours ago."""
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(hours=3, minutes=30))
    return book_taster_seat(
        meeting=meeting, person=taster, now=meeting.starts_at - timedelta(days=1)
    )


def test_after_the_meeting_the_taster_is_invited_to_join_once(
    tasted, taster, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert follow_up_after_meetings() == 1
        assert follow_up_after_meetings() == 0
        follow_up_tasters()

    joins = [m for m in to(taster) if "Would you like to join" in m.subject]
    assert len(joins) == 1
    assert f"{settings.SITE_URL}/tasters/{tasted.group.slug}/join/" in joins[0].body
    tasted.refresh_from_db()
    assert tasted.followed_up_at is not None
    assert FeedbackInvitation.objects.filter(person=taster, group=tasted.group).count() == 1


def test_not_before_an_hour_after_the_end(group, taster, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(minutes=100))
    book_taster_seat(meeting=meeting, person=taster, now=meeting.starts_at - timedelta(days=1))

    assert follow_up_after_meetings() == 0
    assert follow_up_after_meetings(now=timezone.now() + timedelta(hours=1)) == 1


def test_a_taster_marked_absent_is_not_invited(tasted, leader, taster):
    AttendanceRecord.objects.create(
        meeting=tasted.meeting,
        person=taster,
        role=AttendanceRole.TASTER,
        status=AttendanceStatus.ABSENT,
        recorded_by=leader,
        recorded_at=timezone.now(),
    )

    assert follow_up_after_meetings() == 0
    tasted.refresh_from_db()
    assert tasted.status == "booked" and tasted.followed_up_at is not None
    assert not FeedbackInvitation.objects.exists()


def test_the_register_marks_bookings_attended_and_nothing_else(
    tasted, group, leader, taster, invite
):
    other = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=3))
    absent = book_taster_seat(
        meeting=other, person=UserFactory(), now=other.starts_at - timedelta(days=1)
    )
    record = AttendanceRecord.objects.create(
        meeting=tasted.meeting,
        person=taster,
        role=AttendanceRole.TASTER,
        status=AttendanceStatus.PRESENT,
        recorded_by=leader,
        recorded_at=timezone.now(),
    )

    follow_up_after_meetings()
    tasted.refresh_from_db()
    absent.refresh_from_db()
    assert (tasted.status, absent.status) == ("attended", "booked")

    record.status = AttendanceStatus.ABSENT
    record.save()
    follow_up_after_meetings()
    tasted.refresh_from_db()
    assert tasted.status == "booked"


def test_an_invitation_shows_attended_after_the_register(group, leader, taster, invite):
    invitation, _ = invite(taster.email)
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(hours=3))
    book_taster_seat(
        meeting=meeting,
        person=taster,
        invitation=invitation,
        now=meeting.starts_at - timedelta(days=1),
    )
    AttendanceRecord.objects.create(
        meeting=meeting,
        person=taster,
        role=AttendanceRole.TASTER,
        status=AttendanceStatus.LATE,
        recorded_by=leader,
        recorded_at=timezone.now(),
    )

    follow_up_after_meetings()

    invitation.refresh_from_db()
    assert invitation.state() == InvitationState.ATTENDED


@pytest.mark.parametrize("situation", ["requested", "member", "not_accepting"])
def test_no_invitation_to_join_for_those_who_cannot_ask(tasted, group, taster, situation):
    if situation == "not_accepting":
        group.accepting_members = False
        group.save()
    else:
        status = MembershipStatus.REQUESTED if situation == "requested" else MembershipStatus.ACTIVE
        MembershipFactory(group=group, person=taster, status=status)

    assert follow_up_after_meetings() == 0


def test_cancelled_bookings_and_cancelled_meetings_are_not_followed_up(tasted, taster):
    TasterBooking.objects.update(status="cancelled", cancelled_at=timezone.now())

    assert follow_up_after_meetings() == 0


def test_the_scan_runs_on_celery_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["taster-follow-up"]

    assert entry["task"] == "sessions.reports.tasks.follow_up_tasters"
    assert entry["schedule"] <= 15 * 60
