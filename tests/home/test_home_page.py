"""The home page: visitors keep the marketing home; everyone signed in gets their own, with
their next meetings (room and link only where the access rules allow) and what needs them now,
by role."""

import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from balint.outbox.models import Message, MessageStatus
from groups.models import GroupStatus, Membership, MembershipStatus
from groups.services import request_to_join
from sessions.attendance.services import send_apologies
from sessions.meetings.models import AttendanceRecord, AttendanceRole, AttendanceStatus
from sessions.meetings.services import cancel_meeting
from sessions.programmes.models import Cohort, CohortPlacement
from sessions.reports.models import FeedbackInvitation, FeedbackKind, FeedbackReceipt
from sessions.tasters.models import TasterInvitation, hash_token
from sessions.tasters.services import book_taster_seat
from tests.factories import (
    PASSWORD,
    BalintGroupFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.home.conftest import meeting_ended, page_of
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

MARKETING = "Talk about the patients who stay with you"
ROOM = "Room 3, Cotham Health Centre"
LINK = "https://meet.example.org/secret-room"


# ------------------------------------------------------------------------ who gets which home


def test_visitors_keep_the_marketing_home(client, meeting):
    page = page_of(client)

    assert MARKETING in page
    assert "Needs you now" not in page and ROOM not in page


@pytest.mark.parametrize(
    "persona", ["stranger", "member", "leader", "programme_admin", "staff", "other_member"]
)
def test_everyone_signed_in_gets_their_own_home(client_for, persona, request):
    response = client_for(persona).get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert MARKETING not in page
    assert f"Hello, {request.getfixturevalue(persona).display_name}" in page
    # It shows rooms and links: no shared cache may keep it.
    assert "private" in response["Cache-Control"]


def test_signing_in_lands_on_the_persons_own_home(client, member):
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Hello, Dr Mo Member" in response.content.decode()


def test_the_home_refuses_posts(client_for):
    assert client_for("member").post("/").status_code == 405


# --------------------------------------------------------------------------- next meetings


def test_members_and_leaders_see_their_next_meeting_with_its_room_and_link(
    client_for, group, meeting
):
    group.format = "hybrid"
    group.save()
    for persona in ("member", "leader"):
        page = page_of(client_for(persona))

        assert "Your next meetings" in page
        assert f'href="/meetings/{meeting.pk}/"' in page
        assert ROOM in page and LINK in page


def test_people_outside_the_group_see_neither_its_meetings_nor_its_room(client_for, meeting):
    for persona in ("stranger", "other_member", "programme_admin", "staff"):
        page = page_of(client_for(persona))

        assert f"/meetings/{meeting.pk}/" not in page
        assert ROOM not in page and LINK not in page


def test_someone_who_only_asked_to_join_does_not_get_the_room(client_for, stranger, group, meeting):
    request_to_join(group=group, person=stranger)

    page = page_of(client_for("stranger"))

    assert ROOM not in page and LINK not in page
    assert "You asked to join" in page


def test_a_booked_taster_sees_their_seat_with_the_room_and_no_contradiction(
    client, taster, meeting
):
    booking = book_taster_seat(meeting=meeting, person=taster)
    client.force_login(taster)

    page = page_of(client)

    assert "Your taster seat" in page
    assert f"/tasters/bookings/{booking.pk}/" in page
    assert ROOM in page  # the group meets in person: its online link is not shown
    assert "Start here" not in page
    assert "have no taster seat booked" not in page


def test_an_online_groups_meeting_shows_the_link_and_not_the_room(client_for, other_group):
    other_group.room = "A room nobody goes to"
    other_group.save()
    meeting = MeetingFactory(group=other_group)

    page = page_of(client_for("other_member"))

    assert f"/meetings/{meeting.pk}/" in page
    assert LINK in page and "A room nobody goes to" not in page


def test_a_cancelled_meeting_is_struck_through_without_its_room(client_for, group, leader, meeting):
    cancel_meeting(meeting=meeting, by=leader, reason="The room is being painted")

    page = page_of(client_for("member"))

    assert 'class="strike"' in page and "Cancelled" in page
    assert "The room is being painted" in page
    assert ROOM not in page and LINK not in page


def test_apologies_sent_show_on_the_meeting(client_for, member, meeting):
    send_apologies(meeting=meeting, person=member)

    assert "You sent apologies" in page_of(client_for("member"))


def test_meeting_times_are_in_the_viewers_time_zone(client_for, member, group):
    member.time_zone = "America/New_York"
    member.save()
    start = timezone.now().replace(hour=18, minute=30, second=0, microsecond=0) + timedelta(days=8)
    MeetingFactory(group=group, starts_at=start)

    page = page_of(client_for("member"))

    new_york = start.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    assert f"{new_york:%H:%M}" in page and "America/New_York" in page


# ------------------------------------------------------------------------- first time, empty


def test_a_brand_new_person_gets_the_first_time_state(client_for):
    page = page_of(client_for("stranger"))

    assert "Start here" in page
    assert 'href="/groups/"' in page
    assert "Book a taster seat" in page
    assert "Needs you now" not in page


def test_a_member_with_nothing_waiting_is_told_so(client_for, member):
    page = page_of(client_for("member"))

    assert "Nothing needs you right now." in page
    assert "Start here" not in page
    assert "No meetings are planned in your groups yet." in page


# --------------------------------------------------------------------------- leaders' needs


def test_leaders_see_the_requests_waiting_and_members_do_not(client_for, group, leader):
    for _ in range(2):
        request_to_join(group=group, person=UserFactory())

    page = page_of(client_for("leader"))
    assert "2 requests to join Cotham GP Balint Group" in page
    assert f'href="/groups/{group.slug}/roster/"' in page

    assert "requests to join" not in page_of(client_for("member"))
    assert "requests to join" not in page_of(client_for("other_leader"))


def test_a_leader_with_nothing_waiting_is_told_so(client_for, leader):
    page = page_of(client_for("leader"))

    assert "Groups you lead" in page
    assert "No requests are waiting and every register is recorded." in page


def test_registers_to_record_show_when_they_lock(client_for, group, leader):
    meeting = meeting_ended(group, days_ago=2)

    page = page_of(client_for("leader"))

    assert f'href="/meetings/{meeting.pk}/register/"' in page
    locks = timezone.localtime(meeting.ends_at + timedelta(days=14))
    assert f'Locks: <time datetime="{meeting.ends_at + timedelta(days=14):%Y-%m-%dT%H:%M}' in page
    assert f"{locks:%-d %B %Y}" in page
    assert "home-need-urgent" not in page  # twelve days left: no warning


def test_a_register_about_to_lock_carries_a_clear_warning(client_for, group, leader):
    meeting_ended(group, days_ago=12.4)  # 38.4 hours left

    page = page_of(client_for("leader"))

    assert "home-need-urgent" in page
    assert "Locks in 38 hours" in page
    assert "1 urgent" in page


def test_recorded_locked_cancelled_and_others_registers_are_not_listed(
    client_for, group, leader, other_group
):
    recorded = meeting_ended(group, days_ago=1)
    AttendanceRecord.objects.create(
        meeting=recorded,
        person=leader,
        role=AttendanceRole.LEADER,
        status=AttendanceStatus.PRESENT,
        recorded_at=timezone.now(),
    )
    locked = meeting_ended(group, days_ago=15)
    cancelled = meeting_ended(group, days_ago=3, status="cancelled")
    elsewhere = meeting_ended(other_group, days_ago=1)

    page = page_of(client_for("leader"))

    for meeting in (recorded, locked, cancelled, elsewhere):
        assert f"/meetings/{meeting.pk}/register/" not in page
    assert f"/meetings/{elsewhere.pk}/register/" in page_of(client_for("other_leader"))


def test_members_are_not_asked_for_registers(client_for, group, member):
    meeting = meeting_ended(group, days_ago=1)

    assert f"/meetings/{meeting.pk}/register/" not in page_of(client_for("member"))


# --------------------------------------------------------------------------- the person's own


def test_a_place_offered_shows_when_it_lapses(client_for, group, stranger, settings):
    Membership.objects.create(
        group=group,
        person=stranger,
        status=MembershipStatus.OFFERED,
        offered_at=timezone.now()
        - timedelta(days=settings.WAITLIST_OFFER_DAYS)
        + timedelta(hours=30, minutes=1),
    )

    page = page_of(client_for("stranger"))

    assert "A place is offered to you in Cotham GP Balint Group" in page
    assert "Lapses:" in page and "The offer lapses in 30 hours" in page
    assert "Start here" not in page


def test_an_open_taster_invitation_to_my_address_shows_until_used(
    client_for, group, leader, stranger
):
    invitation = TasterInvitation.objects.create(
        group=group,
        email="SID@example.org",  # addresses match whatever their case
        inviter=leader,
        token_hash=hash_token("token"),
        expires_at=timezone.now() + timedelta(days=10),
    )
    page = page_of(client_for("stranger"))
    assert "You are invited to try a meeting of Cotham GP Balint Group" in page
    assert "Dr Lena Leader invited you." in page
    assert invitation.token_hash not in page

    invitation.revoked_at = timezone.now()
    invitation.save()
    assert "You are invited" not in page_of(client_for("stranger"))


def test_someone_elses_invitation_is_not_shown(client_for, group, leader, member):
    TasterInvitation.objects.create(
        group=group,
        email="someone.else@example.org",
        inviter=leader,
        token_hash=hash_token("token"),
        expires_at=timezone.now() + timedelta(days=10),
    )

    assert "You are invited" not in page_of(client_for("stranger"))


def test_a_taster_is_asked_to_join_after_the_meeting(client, group, taster):
    meeting = MeetingFactory(group=group)
    book_taster_seat(meeting=meeting, person=taster)
    type(meeting).objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(minutes=90),
    )
    client.force_login(taster)

    page = page_of(client)
    assert "You tried Cotham GP Balint Group: would you like to join?" in page
    assert f'href="/tasters/{group.slug}/join/"' in page

    request_to_join(group=group, person=taster)
    assert "would you like to join" not in page_of(client)


def test_feedback_to_give_shows_until_answered(client_for, group, member):
    invitation = FeedbackInvitation.objects.create(
        token_hash=hash_token("fb"), person=member, kind=FeedbackKind.TASTER, group=group
    )
    assert "Anonymous feedback about Cotham GP Balint Group" in page_of(client_for("member"))

    FeedbackReceipt.objects.create(invitation=invitation)
    assert "Anonymous feedback" not in page_of(client_for("member"))


# ------------------------------------------------------------------------ programme admins


def test_programme_admins_see_cohorts_starting_and_ending(client_for, programme, group):
    today = timezone.localdate()
    starting = Cohort.objects.create(
        programme=programme,
        name="Spring block",
        starts_on=today + timedelta(days=3),
        ends_on=today + timedelta(days=60),
        required_meetings=4,
    )
    ending = Cohort.objects.create(
        programme=programme,
        name="Winter block",
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=5),
        required_meetings=4,
    )
    far = Cohort.objects.create(
        programme=programme,
        name="Autumn block",
        starts_on=today + timedelta(days=40),
        ends_on=today + timedelta(days=90),
        required_meetings=4,
    )
    other = Cohort.objects.create(
        programme=ProgrammeFactory(),
        name="Someone else's block",
        starts_on=today + timedelta(days=2),
        ends_on=today + timedelta(days=20),
        required_meetings=4,
    )

    page = page_of(client_for("programme_admin"))

    assert "Spring block starts" in page and "Winter block ends" in page
    assert f'href="/programmes/{programme.slug}/cohorts/{starting.pk}/"' in page
    assert f"/cohorts/{ending.pk}/" in page
    assert "Starts soon and is not placed in a group yet" in page
    assert far.name not in page and other.name not in page
    for persona in ("leader", "member", "staff"):
        assert "Spring block" not in page_of(client_for(persona))

    CohortPlacement.objects.create(cohort=starting, group=group)
    assert "not placed in a group yet" not in page_of(client_for("programme_admin"))


def test_a_programme_admin_with_nothing_due_is_told_so(client_for, programme):
    page = page_of(client_for("programme_admin"))

    assert "Your programmes" in page
    assert "No cohort starts or ends in the next two weeks." in page


# -------------------------------------------------------------------------------- staff


def test_staff_see_what_waits_for_staff_and_nobody_else_does(client_for, group, leader):
    Message.objects.create(
        key="failed", to=["x@example.org"], subject="S", body_text="B", status=MessageStatus.FAILED
    )
    late = Message.objects.create(key="late", to=["y@example.org"], subject="S", body_text="B")
    Message.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(hours=2))
    Message.objects.create(key="fresh", to=["z@example.org"], subject="S", body_text="B")
    leaderless = BalintGroupFactory(name="Exeter GP Balint Group")
    BalintGroupFactory(name="Closed and leaderless", status=GroupStatus.CLOSED)
    orphan = ProgrammeFactory(name="Orphan scheme")

    page = page_of(client_for("staff"))

    assert "1 email failed for good in the last week" in page
    assert "/admin/outbox/message/?status__exact=failed" in page
    assert "1 email waiting for more than an hour" in page
    assert "Exeter GP Balint Group has no leader" in page
    assert f'href="/groups/{leaderless.slug}/settings/"' in page
    assert "Closed and leaderless" not in page
    assert "Orphan scheme has no programme admin" in page
    assert f"/admin/members/programme/{orphan.pk}/change/" in page
    for persona in ("leader", "member", "programme_admin", "stranger"):
        other = page_of(client_for(persona))
        assert "Waiting for staff" not in other and "failed for good" not in other


def test_staff_with_nothing_waiting_are_told_so(client_for, leader, programme):
    page = page_of(client_for("staff"))

    assert "Waiting for staff" in page
    assert "Nothing waits for staff" in page
