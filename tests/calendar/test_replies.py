"""Calendar answers applied (sessions/calendar/replies.py), from messages shaped as calendar apps
send them (tests/calendar/replies): Decline sends apologies, Accept withdraws them, Maybe is
shown to the leaders, and nothing else changes anything."""

import email
from datetime import timedelta

import pytest
from django.utils import timezone

from balint.outbox.models import Message
from sessions.attendance.register import expected_people
from sessions.attendance.services import send_apologies, withdraw_apologies
from sessions.calendar.ical import REQUEST, invitation, meeting_uid
from sessions.calendar.replies import apply_message
from sessions.calendar.reply_parsing import UnreadableReply
from sessions.meetings.models import Apology, CalendarReply, MeetingStatus
from tests.calendar.conftest import parse
from tests.calendar.replies import SHAPES, Answer, broken_calendar, gmail, not_a_reply, outlook
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

REPLIES = "replies@balint.example"


@pytest.fixture(autouse=True)
def _replies_on(settings):
    settings.REPLIES_ADDRESS = REPLIES


def organizer_of(meeting, person) -> str:
    """The ORGANIZER address of the person's invitation, as their calendar app keeps it."""
    calendar = parse(
        invitation([meeting], method=REQUEST, person=person, private=True, answers=True)
    )
    return str(calendar.events[0]["ORGANIZER"]).removeprefix("mailto:")


def answer(meeting, person, partstat="DECLINED", *, minutes=0, **changes) -> Answer:
    fields = {
        "uid": meeting_uid(meeting),
        "organizer": organizer_of(meeting, person),
        "attendee": person.email,
        "partstat": partstat,
        "stamp": timezone.now().replace(microsecond=0) + timedelta(minutes=minutes),
        **changes,
    }
    return Answer(**fields)


def read(raw: bytes):
    return apply_message(email.message_from_bytes(raw))


@pytest.fixture
def meeting(group):
    return MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=7))


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_decline_in_each_shape_becomes_one_apology_from_the_calendar(shape, meeting, member):
    raw = SHAPES[shape](answer(meeting, member))

    [outcome] = read(raw)
    read(raw)  # read twice: still one

    assert outcome.applied == "declined"
    [apology] = Apology.objects.filter(meeting=meeting)
    assert (apology.person, apology.from_calendar) == (member, True)
    assert Message.objects.filter(key__startswith="calendar-apologies:").count() == 1


def test_the_person_is_told_their_decline_reached_the_leaders(meeting, member):
    read(outlook(answer(meeting, member)))

    [confirmation] = Message.objects.filter(key__startswith="calendar-apologies:")
    assert confirmation.to == [member.email]
    assert "sent your apologies" in confirmation.body_text
    assert f"/meetings/{meeting.pk}/" in confirmation.body_text


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_an_accept_withdraws_the_apologies(shape, meeting, member):
    read(SHAPES[shape](answer(meeting, member, "DECLINED")))

    [outcome] = read(SHAPES[shape](answer(meeting, member, "ACCEPTED", minutes=1)))

    assert outcome.applied == "accepted"
    assert not Apology.objects.filter(meeting=meeting).exists()


def test_an_accept_withdraws_apologies_sent_on_the_site(meeting, member):
    send_apologies(meeting=meeting, person=member)

    read(gmail(answer(meeting, member, "ACCEPTED")))

    assert not Apology.objects.exists()


def test_a_decline_keeps_apologies_already_sent_on_the_site_as_they_were(meeting, member):
    send_apologies(meeting=meeting, person=member)

    read(gmail(answer(meeting, member)))

    [apology] = Apology.objects.all()
    assert apology.from_calendar is False
    assert not Message.objects.filter(key__startswith="calendar-apologies:").exists()


def test_a_decline_read_again_after_the_apologies_were_withdrawn_changes_nothing(meeting, member):
    raw = outlook(answer(meeting, member))
    read(raw)
    withdraw_apologies(meeting=meeting, person=member)

    [outcome] = read(raw)

    assert outcome.reason == "repeat"
    assert not Apology.objects.exists()


def test_an_older_answer_read_after_a_newer_one_changes_nothing(meeting, member):
    older = outlook(answer(meeting, member, "DECLINED", minutes=-5))
    read(gmail(answer(meeting, member, "ACCEPTED")))

    [outcome] = read(older)

    assert outcome.reason == "older than an answer applied"
    assert not Apology.objects.exists()


def test_a_maybe_is_shown_to_the_leaders_on_the_meeting_page_and_the_register(
    client, meeting, member, leader, django_assert_num_queries
):
    read(outlook(answer(meeting, member, "TENTATIVE")))

    assert CalendarReply.objects.get(meeting=meeting, person=member).answer == "tentative"
    with django_assert_num_queries(5):  # as many as before calendar answers
        expected = expected_people(meeting)
    [entry] = [e for e in expected if e.person == member]
    assert entry.maybe and not entry.sent_apologies
    client.force_login(leader)
    assert "Maybe (calendar)" in client.get(f"/meetings/{meeting.pk}/").text
    client.force_login(member)
    assert "Maybe (calendar)" not in client.get(f"/meetings/{meeting.pk}/").text


def test_leaders_see_which_apologies_came_from_a_calendar(client, meeting, member, leader):
    read(outlook(answer(meeting, member)))

    [entry] = [e for e in expected_people(meeting) if e.person == member]
    assert entry.sent_apologies and entry.apologies_from_calendar and not entry.maybe
    client.force_login(leader)
    assert "Apologies (calendar)" in client.get(f"/meetings/{meeting.pk}/").text


def test_a_maybe_after_a_decline_withdraws_only_the_calendars_apologies(meeting, member):
    read(outlook(answer(meeting, member, "DECLINED")))

    read(outlook(answer(meeting, member, "TENTATIVE", minutes=1)))

    assert not Apology.objects.exists()


def test_a_counter_proposal_changes_nothing(meeting, member):
    [outcome] = read(outlook(answer(meeting, member, method="COUNTER")))

    assert outcome.reason == "METHOD:COUNTER is not a reply"
    assert not Apology.objects.exists() and not CalendarReply.objects.exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"sender": "someone.else@example.org"}, "the sender is not the person invited"),
        ({"attendee": "someone.else@example.org"}, "the sender is not the person invited"),
        (
            {"attendee": "someone.else@example.org", "sender": "mo@example.org"},
            "the ATTENDEE is not the person invited",
        ),
        ({"uid": "meeting-999999@elsewhere.example"}, "the UID is not the signed meeting's"),
        ({"organizer": "replies+1.2.aaaaaaaaaaaaaaaaaaaa@balint.example"}, "ORGANIZER"),
        ({"organizer": "noreply@balint.example"}, "ORGANIZER"),
    ],
)
def test_a_forged_or_mismatched_reply_changes_nothing(meeting, member, change, reason):
    [outcome] = read(outlook(answer(meeting, member, **change)))

    assert outcome.reason.startswith(reason)
    assert not Apology.objects.exists() and not CalendarReply.objects.exists()


def test_a_reply_with_another_persons_token_changes_nothing(meeting, member, leader):
    forged = answer(meeting, member, organizer=organizer_of(meeting, leader))

    [outcome] = read(outlook(forged))

    assert outcome.reason == "the sender is not the person invited"
    assert not Apology.objects.exists()


def test_a_reply_with_another_meetings_token_changes_nothing(meeting, member, group):
    other = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=14))

    [outcome] = read(outlook(answer(meeting, member, organizer=organizer_of(other, member))))

    assert outcome.reason == "the UID is not the signed meeting's"
    assert not Apology.objects.exists()


def test_a_decline_for_a_meeting_that_has_started_changes_nothing(group, member):
    past = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(hours=1))

    [outcome] = read(outlook(answer(past, member)))

    assert outcome.reason == "the meeting has started"
    assert not Apology.objects.exists() and not CalendarReply.objects.exists()


def test_a_decline_for_a_cancelled_meeting_changes_nothing(meeting, member):
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status"])

    [outcome] = read(outlook(answer(meeting, member)))

    assert outcome.reason == "the meeting is cancelled"
    assert not Apology.objects.exists()


def test_a_decline_from_someone_no_longer_expected_changes_nothing(meeting, stranger):
    [outcome] = read(outlook(answer(meeting, stranger)))

    assert outcome.reason == "Only the group's members and leaders can send apologies."
    assert not Apology.objects.exists() and not CalendarReply.objects.exists()


@pytest.mark.parametrize("raw", [not_a_reply, "broken"])
def test_a_message_with_no_readable_answer_is_refused_as_unreadable(raw, meeting, member):
    message = broken_calendar(answer(meeting, member)) if raw == "broken" else raw()

    with pytest.raises(UnreadableReply):
        read(message)
