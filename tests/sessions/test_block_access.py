"""A cohort's block membership (`starts_on`/`until`) makes its trainee a member on the block's
days only: before the block starts and after it ends (before the hourly scan has written its
end) they see neither the roster nor the room and the link, send no apologies, and their
calendar feed and home hold only the meetings on the block's days."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.access import roles_in_group
from sessions.attendance.roles import access_meeting, is_expected
from sessions.calendar.ical import meeting_uid
from sessions.calendar.tokens import issue_calendar_token
from tests.calendar.conftest import meeting_on, parse
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = "meet.example.org/secret-room"
ROOM = "Room 3, Cotham Health Centre"

# Block dates as offsets in days from today, for the three moments.
MOMENTS = {
    "before": (5, 40),  # placed for a block that starts in five days
    "during": (-5, 40),
    "after": (-40, -1),  # ended yesterday; the hourly scan has not run
}


@pytest.fixture
def hybrid(group):
    group.format = "hybrid"
    group.save(update_fields=["format"])
    return group


def place(group, moment: str):
    """A trainee with an active block membership for the moment's dates (scan not yet run)."""
    today = timezone.localdate()
    first, last = MOMENTS[moment]
    trainee = UserFactory(display_name="Dr Tia Trainee", email="tia@example.org")
    MembershipFactory(
        group=group,
        person=trainee,
        starts_on=today + timedelta(days=first),
        until=today + timedelta(days=last),
    )
    return trainee


def feed_uids(client, person) -> set[str]:
    token = issue_calendar_token(person=person)
    response = client.get(reverse("calendar:feed", kwargs={"token": token}))
    assert response.status_code == 200
    return {str(event["UID"]) for event in parse(response.content.decode()).events}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_block_trainee_is_a_member_only_during_the_block(client, hybrid, member, moment):
    trainee = place(hybrid, moment)
    # A meeting in two days: inside the block only at the moment "during".
    meeting = meeting_on(hybrid, timezone.localdate() + timedelta(days=2))
    inside = moment == "during"
    client.force_login(trainee)

    group_page = client.get(reverse("groups:detail", kwargs={"slug": hybrid.slug})).content
    meeting_page = client.get(meeting.get_absolute_url()).content.decode()
    apologies = client.post(reverse("meetings:send_apologies", kwargs={"pk": meeting.pk}))
    home = client.get(reverse("home")).content.decode()

    assert (b'id="roster-title"' in group_page) is inside
    assert (LINK in meeting_page) is inside
    assert (ROOM in meeting_page) is inside
    assert apologies.status_code == (302 if inside else 403)
    assert (LINK in home) is inside
    assert (meeting_uid(meeting) in feed_uids(client, trainee)) is inside
    assert roles_in_group(trainee, hybrid).is_member is inside
    assert is_expected(meeting, trainee) is inside
    # A member with no block is a member at every moment (the negative control).
    assert access_meeting(member, meeting.pk).can_send_apologies


def test_a_trainee_placed_ahead_sees_the_room_of_their_blocks_own_meetings(client, hybrid):
    trainee = place(hybrid, "before")
    today = timezone.localdate()
    before_block = meeting_on(hybrid, today + timedelta(days=2))
    in_block = meeting_on(hybrid, today + timedelta(days=12))
    after_block = meeting_on(hybrid, today + timedelta(days=45))
    client.force_login(trainee)

    assert LINK in client.get(in_block.get_absolute_url()).content.decode()
    assert LINK not in client.get(before_block.get_absolute_url()).content.decode()
    assert LINK not in client.get(after_block.get_absolute_url()).content.decode()
    assert feed_uids(client, trainee) == {meeting_uid(in_block)}
    sent = client.post(reverse("meetings:send_apologies", kwargs={"pk": in_block.pk}))
    assert sent.status_code == 302
    # The group's agreement is theirs to read before the block starts.
    agreement = client.get(reverse("meetings:agreement", kwargs={"slug": hybrid.slug}))
    assert agreement.status_code == 200


def test_a_finished_block_keeps_no_access_before_the_scan_ends_it(client, hybrid):
    trainee = place(hybrid, "after")
    next_week = meeting_on(hybrid, timezone.localdate() + timedelta(days=7))
    client.force_login(trainee)

    page = client.get(next_week.get_absolute_url()).content.decode()
    roster = client.get(reverse("groups:detail", kwargs={"slug": hybrid.slug})).content

    assert LINK not in page and ROOM not in page
    assert b'id="roster-title"' not in roster
    assert feed_uids(client, trainee) == set()


@pytest.mark.parametrize("page", ["feed", "home"])
def test_a_block_trainees_pages_make_the_same_queries_for_few_or_many_meetings(
    client, hybrid, page
):
    trainee = place(hybrid, "during")
    today = timezone.localdate()
    client.force_login(trainee)
    token = issue_calendar_token(person=trainee)

    def fetch():
        if page == "feed":
            url = reverse("calendar:feed", kwargs={"token": token})
        else:
            url = reverse("home")
        cache.clear()  # cold: nothing kept from the other request
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return queries

    def meetings(days: range) -> None:
        for day in days:
            meeting_on(hybrid, today + timedelta(days=day))

    meetings(range(1, 4))  # in the block
    meetings(range(41, 43))  # after it
    few = fetch()
    meetings(range(4, 30))
    meetings(range(43, 60))
    many = fetch()

    assert len(many) == len(few)
