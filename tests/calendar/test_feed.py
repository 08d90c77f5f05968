"""The private calendar feed and the page that makes its link."""

import hashlib
import re
from datetime import UTC, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups import services as groups
from members.models import User
from sessions.calendar.ical import meeting_uid
from sessions.calendar.tokens import issue_calendar_token
from sessions.meetings.models import Meeting
from sessions.meetings.services import cancel_meeting, move_meeting
from sessions.tasters.services import book_taster_seat
from tests.calendar.conftest import LONDON, meeting_on, next_clock_change, parse
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def feed_url(token: str) -> str:
    return reverse("calendar:feed", kwargs={"token": token})


def events_of(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return {str(event["UID"]): event for event in parse(response.content.decode()).events}


@pytest.fixture
def token(member):
    return issue_calendar_token(person=member)


# ------------------------------------------------------------------------------- the page


def test_the_page_asks_visitors_to_sign_in(client):
    response = client.get(reverse("calendar:page"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["calendar:create_link", "calendar:turn_off"])
def test_visitors_cannot_make_or_end_a_link(client, name):
    response = client.post(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_making_a_link_shows_it_and_keeps_only_its_hash(client_for, member):
    client = client_for("member")
    assert "Make my calendar link" in client.get(reverse("calendar:page")).content.decode()

    response = client.post(reverse("calendar:create_link"))

    page = response.content.decode()
    member.refresh_from_db()
    [token] = set(re.findall(r"/calendar/([A-Za-z0-9_-]{43,})\.ics", page))
    assert f'<code id="feed-url">http://localhost:8000/calendar/{token}.ics</code>' in page
    assert f'href="webcal://localhost:8000/calendar/{token}.ics"' in page
    assert member.calendar_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not User.objects.filter(calendar_token_hash=token).exists()
    assert response["Cache-Control"] == "no-store"
    assert "Google Calendar" in page and "Outlook" in page
    assert "Apple Calendar" in page
    again = client.get(reverse("calendar:page")).content.decode()
    assert "Your calendar feed is on" in again
    # Shown again on every later visit (tests/calendar/test_feed_link_again.py).
    assert f'<code id="feed-url">http://localhost:8000/calendar/{token}.ics</code>' in again


def test_the_page_has_no_inline_script_or_style(client_for, member):
    page = client_for("member").post(reverse("calendar:create_link")).content.decode()

    assert "<script>" not in page and "style=" not in page
    assert 'src="/static/js/copy-field.js" defer' in page


def test_a_new_link_ends_the_old_one(client_for, member, token):
    client = client_for("member")
    assert client.get(feed_url(token)).status_code == 200

    client.post(reverse("calendar:create_link"))

    assert client.get(feed_url(token)).status_code == 404


def test_turning_the_feed_off_ends_its_link(client_for, member, token):
    client_for("member").post(reverse("calendar:turn_off"))

    assert client_for("anonymous").get(feed_url(token)).status_code == 404
    member.refresh_from_db()
    assert member.calendar_token_hash is None


@pytest.mark.parametrize(
    "bad", ["x" * 43, "short", "a" * 300, "%00" + "a" * 40, "..", "a/b" + "c" * 40]
)
def test_a_wrong_or_malformed_token_is_a_404(client, token, bad):
    response = client.get(f"/calendar/{bad}.ics")

    assert response.status_code == 404


def test_an_inactive_persons_feed_is_a_404(client, member, token):
    member.is_active = False
    member.save()

    assert client.get(feed_url(token)).status_code == 404


# ------------------------------------------------------------------------------- the feed


def test_a_member_sees_their_groups_meetings_with_details_and_nothing_else(
    client, soon, member, token, other_group
):
    elsewhere = MeetingFactory(group=other_group)

    events = events_of(client.get(feed_url(token)))

    assert set(events) == {meeting_uid(soon)}
    event = events[meeting_uid(soon)]
    assert event["LOCATION"] == "Room 3, Cotham Health Centre"
    assert "secret-room" in event["DESCRIPTION"]
    assert meeting_uid(elsewhere) not in events


def test_a_leader_and_a_booked_taster_see_the_meeting_too(client, soon, leader, stranger):
    book_taster_seat(meeting=soon, person=stranger)

    for person in (leader, stranger):
        events = events_of(client.get(feed_url(issue_calendar_token(person=person))))
        assert events[meeting_uid(soon)]["LOCATION"] == "Room 3, Cotham Health Centre"


def test_someone_with_no_part_gets_an_empty_calendar(client, soon, stranger):
    assert events_of(client.get(feed_url(issue_calendar_token(person=stranger)))) == {}


def test_a_former_member_no_longer_sees_the_groups_meetings(client, soon, member, token):
    groups.leave_group(group=soon.group, person=member)

    assert events_of(client.get(feed_url(token))) == {}


def test_cancelled_meetings_stay_marked_cancelled_for_thirty_days(
    client, hybrid_group, leader, token
):
    later = timezone.localdate() + timedelta(days=40)
    recent = cancel_meeting(meeting=meeting_on(hybrid_group, later), by=leader, reason="Snow.")
    old = meeting_on(hybrid_group, later + timedelta(days=7))
    cancel_meeting(meeting=old, by=leader, reason="Snow.")
    Meeting.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=31))

    events = events_of(client.get(feed_url(token)))

    assert set(events) == {meeting_uid(recent)}
    assert events[meeting_uid(recent)]["STATUS"] == "CANCELLED"
    assert "LOCATION" not in events[meeting_uid(recent)]


def test_recent_past_meetings_stay_and_older_ones_go(client, hybrid_group, token):
    recent = meeting_on(hybrid_group, timezone.localdate() - timedelta(days=10))
    meeting_on(hybrid_group, timezone.localdate() - timedelta(days=40))

    assert set(events_of(client.get(feed_url(token)))) == {meeting_uid(recent)}


def test_a_repeat_request_gets_304_until_something_changes(client, soon, leader, token):
    first = client.get(feed_url(token))
    etag = first["ETag"]

    repeat = client.get(feed_url(token), headers={"If-None-Match": etag})
    assert repeat.status_code == 304
    assert repeat.content == b""
    assert repeat["ETag"] == etag

    move_meeting(
        meeting=soon,
        by=leader,
        day=timezone.localdate() + timedelta(days=12),
        start=time(18),
        duration_minutes=90,
    )
    changed = client.get(feed_url(token), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert events_of(changed)[meeting_uid(soon)]["SEQUENCE"] == 1
    assert first["Cache-Control"] == "private, no-cache"


def test_a_weekly_series_across_a_clock_change_keeps_its_wall_clock_time(
    client, hybrid_group, token
):
    change = next_clock_change()
    series = [meeting_on(hybrid_group, change + timedelta(days=days)) for days in (-10, -3, 4, 11)]

    events = events_of(client.get(feed_url(token)))

    for meeting in series:
        start = events[meeting_uid(meeting)].start
        assert start == meeting.starts_at
        assert start.astimezone(LONDON).time() == time(19, 30)
    utc_hours = {events[meeting_uid(m)].start.astimezone(UTC).hour for m in series}
    assert len(utc_hours) == 2


def test_the_feed_makes_the_same_number_of_queries_for_5_or_50_meetings(
    client, hybrid_group, token
):
    def meetings(days: range) -> None:
        for day in days:
            meeting_on(hybrid_group, timezone.localdate() + timedelta(days=day))

    meetings(range(1, 6))
    with CaptureQueriesContext(connection) as few:
        assert len(events_of(client.get(feed_url(token)))) == 5
    meetings(range(6, 51))
    with CaptureQueriesContext(connection) as many:
        assert len(events_of(client.get(feed_url(token)))) == 50

    assert len(many) == len(few) <= 3
