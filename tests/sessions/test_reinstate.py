"""Reinstating a cancelled meeting: leaders put it back on; every calendar sees the same event
again at a higher SEQUENCE (through the outbox, in the same transaction); taster bookings
cancelled with it come back where they can; the page says so."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from balint.audit.models import AuditEvent
from balint.outbox.models import Message
from sessions.calendar.ical import meeting_uid
from sessions.meetings.models import ChangeKind, MeetingStatus
from sessions.meetings.services import MeetingError, cancel_meeting, reinstate_meeting
from sessions.tasters.models import BookingStatus, TasterBooking
from sessions.tasters.services import book_taster_seat
from tests.calendar.conftest import calendar_of
from tests.conftest import PERSONAS
from tests.factories import UserFactory
from tests.sessions.factories import MeetingFactory
from tests.sessions.test_permissions import MANAGED_MEETING, all_personas, check, success

pytestmark = pytest.mark.django_db


@pytest.fixture
def cancelled(meeting, leader, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cancel_meeting(meeting=meeting, by=leader, reason="The room is flooded.")
    meeting.refresh_from_db()
    return meeting


def sequence_in(message) -> int:
    [event] = calendar_of(message).events
    return int(event["SEQUENCE"])


def test_reinstating_puts_the_meeting_back_in_every_calendar_with_a_higher_sequence(
    cancelled, leader, member
):
    cancels = {m.to[0]: m for m in Message.objects.filter(key__startswith="cancel:")}
    assert set(cancels) == {leader.email, member.email}

    reinstate_meeting(meeting=cancelled, by=leader)

    cancelled.refresh_from_db()
    assert cancelled.status == MeetingStatus.SCHEDULED and cancelled.cancel_reason == ""
    updates = {m.to[0]: m for m in Message.objects.filter(key__startswith="reinstate:")}
    assert set(updates) == {leader.email, member.email}
    for email, update in updates.items():
        assert update.ical_method == "REQUEST"
        assert update.subject.startswith("On again:")
        assert "is on again" in update.body_text
        [event] = calendar_of(update).events
        assert str(event["UID"]) == meeting_uid(cancelled)
        assert str(event["STATUS"]) == "CONFIRMED"
        assert sequence_in(update) > sequence_in(cancels[email])
    assert cancelled.changes.filter(kind=ChangeKind.RESTORED).exists()
    assert AuditEvent.objects.filter(action="meeting.restored").exists()


def test_a_rolled_back_reinstatement_sends_nothing(cancelled, leader):
    with pytest.raises(RuntimeError), transaction.atomic():
        reinstate_meeting(meeting=cancelled, by=leader)
        assert Message.objects.filter(key__startswith="reinstate:").exists()
        raise RuntimeError

    assert not Message.objects.filter(key__startswith="reinstate:").exists()
    cancelled.refresh_from_db()
    assert cancelled.is_cancelled


def test_tasters_get_their_seats_back_unless_they_booked_elsewhere(group, leader, meeting):
    stays = UserFactory(display_name="Dr Tia Taster", email="tia@example.org")
    moves_on = UserFactory(display_name="Dr Tom Taster", email="tom@example.org")
    book_taster_seat(meeting=meeting, person=stays)
    book_taster_seat(meeting=meeting, person=moves_on)
    cancel_meeting(meeting=meeting, by=leader, reason="Snow.")
    later = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=21))
    book_taster_seat(meeting=later, person=moves_on)

    reinstate_meeting(meeting=meeting, by=leader)

    booking = TasterBooking.objects.get(meeting=meeting, person=stays)
    assert booking.status == BookingStatus.BOOKED and booking.cancelled_at is None
    assert not TasterBooking.objects.filter(
        meeting=meeting, person=moves_on, status=BookingStatus.BOOKED
    ).exists()
    told = {m.to[0] for m in Message.objects.filter(key__startswith="reinstate:")}
    assert stays.email in told
    assert moves_on.email not in told


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("scheduled", "not cancelled"),
        ("started", "time has passed"),
        ("closed", "group is closed"),
    ],
)
def test_reinstating_is_refused_when_it_cannot_be(group, leader, meeting, setup, message):
    if setup != "scheduled":
        cancel_meeting(meeting=meeting, by=leader, reason="Snow.")
    if setup == "started":
        meeting.refresh_from_db()
        now = meeting.starts_at + timedelta(minutes=1)
    else:
        now = None
    if setup == "closed":
        group.status = "closed"
        group.save()

    with pytest.raises(MeetingError, match=message):
        reinstate_meeting(meeting=meeting, by=leader, now=now)


def test_the_meeting_page_offers_reinstating_and_shows_the_meeting_on_again(
    client_for, cancelled, leader
):
    client = client_for("leader")
    page = client.get(cancelled.get_absolute_url()).content.decode()
    url = reverse("meetings:reinstate", kwargs={"pk": cancelled.pk})
    assert url in page

    confirm = client.get(url).content.decode()
    assert "No taster bookings ended with the cancellation." in confirm
    response = client.post(url, follow=True)

    html = response.content.decode()
    assert "The meeting is on again and everyone&#x27;s calendar has been updated." in html
    assert "Cancelled: meeting" not in html
    assert "Restored" in html  # the change is listed on the page
    assert reverse("meetings:cancel", kwargs={"pk": cancelled.pk}) in html


def test_the_confirmation_says_what_happens_to_tasters(client_for, leader, meeting):
    book_taster_seat(meeting=meeting, person=UserFactory(email="tia@example.org"))
    cancel_meeting(meeting=meeting, by=leader, reason="Snow.")

    html = client_for("leader").get(reverse("meetings:reinstate", kwargs={"pk": meeting.pk}))

    assert "1 taster booking ended with the cancellation" in html.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "code"), [("get", 200), ("post", 302)])
def test_reinstate_permissions(client_for, request, leader, meeting, persona, method, code):
    all_personas(request)
    cancel_meeting(meeting=meeting, by=leader, reason="Snow.")
    url = reverse("meetings:reinstate", kwargs={"pk": meeting.pk})

    response = getattr(client_for(persona), method)(url)

    check(response, success(MANAGED_MEETING[persona], code))
    meeting.refresh_from_db()
    allowed = method == "post" and MANAGED_MEETING[persona] == 200
    assert meeting.is_cancelled is not allowed
