"""A US group with two equal facilitators starts on the site, unlisted, and a clinician given
its link joins it: through the pages only.

Staff create the group (United States, Massachusetts) for physicians and nurse practitioners,
naming two facilitators: Dr Ada Reyes, who has an account, and Dr Ben Okafor, who has none and
is invited by email, signs up and leads; Ada makes him an equal leader in one action. Ada sets
the schedule to the 2nd and 4th Thursday and makes the group unlisted. It appears on no public
page (the finder with and without filters, its counts, the home page, the about page), but its
own page opens by link; a nurse practitioner given the link asks to join and Ben approves her.
"""

import re

import pytest
from django.core import mail
from django.utils import timezone

from groups.models import Audience, BalintGroup, LeaderRole, Leadership, Listing, MembershipStatus
from members.models import User
from sessions.meetings.models import Meeting
from tests.factories import BalintGroupFactory, UserFactory, with_totp

pytestmark = pytest.mark.django_db

NAME = "Boston Clinicians Balint Group"
SLUG = "boston-clinicians"
LINK = "https://meet.example.org/boston-clinicians-room"
SIGNUP = {
    "email": "ben.okafor@example.org",
    "display_name": "Dr Ben Okafor",
    "time_zone": "America/New_York",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


def link_in(body: str, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s]*)", body)
    assert match, f"no {path} link in {body!r}"
    return match.group(1)


def audience(slug: str, name: str) -> Audience:
    # The data migration's rows, made again if a transactional test has emptied the table.
    return Audience.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def results_count(page: str) -> str:
    match = re.search(r'<p class="meta" id="results-count">\s*(.*?)\s*</p>', page, re.S)
    assert match, "no results count on the finder"
    return " ".join(match.group(1).split())


def test_a_us_group_with_equal_facilitators_is_unlisted_and_joined_by_link(
    client, django_client, django_capture_on_commit_callbacks
):
    staff = with_totp(UserFactory(display_name="Stella Staff", email="stella@example.org"))
    staff.is_staff = True
    staff.save()
    ada = UserFactory(display_name="Dr Ada Reyes", email="ada.reyes@example.org")
    nurse = UserFactory(display_name="Nina Park, NP", email="nina.park@example.org")
    physicians = audience("physicians", "Physicians")
    nps = audience("nurse-practitioners", "Nurse practitioners")
    # A listed US group for physicians, so that every filter below finds something.
    listed = BalintGroupFactory(
        name="Springfield Physicians Balint Group",
        slug="springfield-physicians",
        country="US",
        region="us-ma",
        time_zone="America/New_York",
        format="online",
        audiences=["physicians", "nurse-practitioners"],
    )

    # 1. Staff create the group with its two facilitators: Ada leads, Ben is invited by email.
    client.force_login(staff)
    assert client.get("/groups/new/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/groups/new/",
            {
                "name": NAME,
                "slug": SLUG,
                "programme": "",
                "description": "Twice a month online, for physicians and nurse practitioners.",
                "audiences": [physicians.pk, nps.pk],
                "format": "online",
                "town": "Boston",
                "country": "US",
                "region": "us-ma",
                "time_zone": "America/New_York",
                "capacity": "10",
                "taster_seats": "0",
                "accepting_members": "on",
                "status": "active",
                "room": "",
                "meeting_link": LINK,
                "leader_emails": "ada.reyes@example.org\nben.okafor@example.org",
            },
        )
    assert created.status_code == 302, created.context["form"].errors
    group = BalintGroup.objects.get(slug=SLUG)
    assert (group.country, group.region, group.time_zone) == ("US", "us-ma", "America/New_York")
    assert set(group.audiences.values_list("slug", flat=True)) == {
        "physicians",
        "nurse-practitioners",
    }
    assert group.leaderships.get().person == ada

    # 2. Ben, with no account, follows the invitation, signs up and leads as co-leader.
    invitation = next(m for m in mail.outbox if m.to == ["ben.okafor@example.org"])
    ben_client = django_client
    with django_capture_on_commit_callbacks(execute=True):
        ben_client.post(link_in(invitation.body, "/accounts/signup/"), SIGNUP)
    confirmation = next(m for m in reversed(mail.outbox) if "/accounts/confirm-email/" in m.body)
    with django_capture_on_commit_callbacks(execute=True):
        ben_client.post(link_in(confirmation.body, "/accounts/confirm-email/"))
    ben = User.objects.get(email="ben.okafor@example.org")
    bens = Leadership.objects.get(group=group, person=ben)
    assert bens.role == LeaderRole.CO_LEADER

    # 3. Ada makes Ben an equal leader in one action.
    client.force_login(ada)
    with django_capture_on_commit_callbacks(execute=True):
        changed = client.post(
            f"/groups/{SLUG}/leaders/{bens.pk}/role/", {"role": "leader"}, follow=True
        )
    assert "Dr Ben Okafor is now leader." in changed.text
    roles = dict(Leadership.objects.filter(group=group).values_list("person", "role"))
    assert roles == {ada.pk: LeaderRole.LEADER, ben.pk: LeaderRole.LEADER}
    assert ben_client.get(f"/groups/{SLUG}/settings/").status_code == 200

    # 4. Ada sets the schedule on its page: the 2nd and 4th Thursday, 12:30 Boston time.
    today = timezone.localdate()
    schedule = {
        "frequency": "twice_monthly",
        "weekday": "3",
        "week_of_month": "2",
        "second_week_of_month": "4",
        "start_time": "12:30",
        "duration_minutes": "90",
        "start_date": today.isoformat(),
        "save": "1",
    }
    assert client.get(f"/meetings/groups/{SLUG}/schedule/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(f"/meetings/groups/{SLUG}/schedule/", schedule)
    assert saved.status_code == 302
    meetings = list(Meeting.objects.filter(group=group).order_by("starts_at"))
    assert len(meetings) >= 6
    for meeting in meetings:
        local = meeting.local_starts_at
        assert local.weekday() == 3 and (local.hour, local.minute) == (12, 30)
        assert (local.day - 1) // 7 + 1 in (2, 4)
    assert {(m.local_starts_at.day - 1) // 7 + 1 for m in meetings} == {2, 4}

    # 5. Ada makes it unlisted.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/groups/{SLUG}/listing/", {"listing": "unlisted"})
    group.refresh_from_db()
    assert group.listing == Listing.UNLISTED

    # 6. It is on no public page, for visitors or for someone signed in with no part in it.
    outsider = UserFactory(display_name="Dr Otto Side", email="otto@example.org")
    for viewer in (None, outsider):
        client.logout()
        if viewer:
            client.force_login(viewer)
        unfiltered = client.get("/groups/")
        assert results_count(unfiltered.text) == "1 group"
        filters = [
            {"country": "US"},
            {"region": "us-ma"},
            {"audience": "physicians"},
            {"audience": "nurse-practitioners"},
            {"format": "online"},
            {"country": "US", "region": "us-ma", "audience": "nurse-practitioners"},
        ]
        for query in filters:
            found = client.get("/groups/", query)
            assert found.status_code == 200
            assert results_count(found.text) == "1 group matches your filters", query
            assert listed.name in found.text
        searched = client.get("/groups/", {"q": "Boston"})
        assert results_count(searched.text) == "0 groups match your filters"
        pages = [unfiltered, *[client.get("/groups/", q) for q in filters], searched]
        pages += [client.get("/"), client.get("/about/")]
        for page in pages:
            assert page.status_code == 200
            assert NAME not in page.text and SLUG not in page.text
            assert LINK not in page.text

    # 7. Its own page opens by link; the link to the meeting is for members only.
    client.logout()
    by_link = client.get(f"/groups/{SLUG}/")
    assert by_link.status_code == 200 and NAME in by_link.text
    assert LINK not in by_link.text

    # 8. A nurse practitioner given the link asks to join; Ben approves her.
    client.force_login(nurse)
    page = client.get(f"/groups/{SLUG}/")
    assert LINK not in page.text
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(f"/groups/{SLUG}/join/", {"note": "A nurse practitioner in Boston."})
    assert asked.status_code == 302
    request = group.memberships.get(person=nurse)
    assert request.status == MembershipStatus.REQUESTED
    roster = ben_client.get(f"/groups/{SLUG}/roster/")
    assert "Nina Park, NP" in roster.text
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approved = ben_client.post(f"/groups/{SLUG}/roster/{request.pk}/approve/", follow=True)
    assert "Nina Park, NP is now a member of the group." in approved.text
    request.refresh_from_db()
    assert request.status == MembershipStatus.ACTIVE
    assert any(m.to == ["nina.park@example.org"] for m in mail.outbox)
    # As a member she sees the meeting's link (the group has no agreement to accept); the group
    # stays off the finder for her too.
    meeting_page = client.get(meetings[0].get_absolute_url())
    assert meeting_page.status_code == 200 and LINK in meeting_page.text
    assert NAME not in client.get("/groups/").text
