"""What the taster pages show: booking and its confirmation, the group page and the finder, My
meetings, the meeting page and register for leaders, the invitation pages; bad input never 500."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from groups.models import Membership
from sessions.meetings.services import cancel_meeting
from sessions.tasters.invitations import revoke_invitation
from sessions.tasters.models import TasterBooking, TasterInvitation
from sessions.tasters.services import book_taster_seat, set_meeting_taster_seats
from tests.factories import UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_booking_from_the_book_page_confirms_with_time_place_and_how_to_cancel(
    client, meeting, taster
):
    taster.time_zone = "America/New_York"
    taster.save()
    client.force_login(taster)

    response = client.post(f"/tasters/meetings/{meeting.pk}/book/", follow=True)

    booking = TasterBooking.objects.get()
    assert response.redirect_chain == [(f"/tasters/bookings/{booking.pk}/", 302)]
    page = text(response)
    assert "Your taster seat at Cotham GP Balint Group is booked." in page
    local = meeting.starts_at.astimezone(timezone.get_default_timezone())
    assert f"{local:%H:%M}" in page and "Europe/London" in page  # the group's time noted
    new_york = meeting.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert f"{new_york:%H:%M}" in page and "America/New_York" in page  # the viewer's own time
    assert "Room 3, Cotham Health Centre" in page
    assert "How to cancel" in page and f"/tasters/bookings/{booking.pk}/cancel/" in page


def test_an_online_booking_says_the_link_was_sent(client, other_group, taster):
    meeting = MeetingFactory(group=other_group)
    client.force_login(taster)

    response = client.post(f"/tasters/meetings/{meeting.pk}/book/", follow=True)

    assert "Online: the link has been sent to you by email" in text(response)


def test_a_full_meeting_answers_this_meeting_is_full(client, meeting, taster):
    for person in UserFactory.create_batch(2):
        book_taster_seat(meeting=meeting, person=person)
    client.force_login(taster)

    response = client.post(f"/tasters/meetings/{meeting.pk}/book/")

    assert response.status_code == 200
    assert "This meeting is full" in text(response)
    assert not TasterBooking.objects.filter(person=taster).exists()


def test_cancelling_from_the_booking_page(client, meeting, taster):
    booking = book_taster_seat(meeting=meeting, person=taster)
    client.force_login(taster)

    response = client.post(f"/tasters/bookings/{booking.pk}/cancel/", follow=True)

    page = text(response)
    assert "Your taster booking has been cancelled" in page
    assert "You cancelled it on" in page
    assert not TasterBooking.objects.filter(status="booked").exists()


def test_the_meeting_page_shows_the_room_and_link_only_to_booked_tasters(
    client, django_client, meeting, taster, stranger
):
    booking = book_taster_seat(meeting=meeting, person=taster)
    client.force_login(taster)
    django_client.force_login(stranger)

    assert "Room 3, Cotham Health Centre" in text(client.get(meeting.get_absolute_url()))
    assert "Room 3" not in text(django_client.get(meeting.get_absolute_url()))

    booking.status, booking.cancelled_at = "cancelled", timezone.now()
    booking.save()
    assert "Room 3" not in text(client.get(meeting.get_absolute_url()))


def test_the_group_page_offers_taster_seats_to_newcomers_only(
    client_for, django_client, group, meeting, taster
):
    page = group.get_absolute_url()

    assert "Book a taster seat" in text(django_client.get(page))
    assert "2 of 2 free" in text(client_for("stranger").get(page))
    assert "Book a taster seat" not in text(client_for("member").get(page))


def test_the_group_page_shows_the_viewers_own_seat_and_full_meetings(
    client, group, meeting, later_meeting, leader, taster
):
    book_taster_seat(meeting=meeting, person=taster)
    set_meeting_taster_seats(meeting=later_meeting, seats=0, by=leader)
    client.force_login(taster)

    page = text(client.get(group.get_absolute_url()))

    assert "Your taster seat" in page and "Book a taster seat" not in page

    client.force_login(UserFactory())
    book_taster_seat(meeting=meeting, person=UserFactory())
    assert "Taster seats full" in text(client.get(group.get_absolute_url()))


def test_the_finder_offers_a_taster_seat_at_the_next_meeting(django_client, group, meeting):
    page = text(django_client.get("/groups/"))

    assert f"/tasters/meetings/{meeting.pk}/book/" in page


def test_my_meetings_lists_my_taster_bookings(client, meeting, taster):
    booking = book_taster_seat(meeting=meeting, person=taster)
    client.force_login(taster)

    page = text(client.get("/meetings/mine/"))

    assert "Your taster seat" in page and f"/tasters/bookings/{booking.pk}/" in page


def test_leaders_see_booked_tasters_on_the_meeting_page_and_in_the_register(
    client, group, leader, member, taster
):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(minutes=30))
    book_taster_seat(meeting=meeting, person=taster)
    client.force_login(leader)

    assert "Dr Tia Taster" in text(client.get(meeting.get_absolute_url()))
    assert "Dr Tia Taster" in text(client.get(f"/tasters/meetings/{meeting.pk}/"))
    TasterBooking.objects.update(booked_at=timezone.now() - timedelta(days=1))
    type(meeting).objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5), ends_at=timezone.now() + timedelta(hours=1)
    )
    register = text(client.get(f"/meetings/{meeting.pk}/register/"))
    assert "Dr Tia Taster" in register and "Taster" in register


def test_a_leader_changes_one_meetings_seats(client, meeting, leader):
    client.force_login(leader)

    response = client.post(f"/tasters/meetings/{meeting.pk}/", {"seats": "5"}, follow=True)

    assert "This meeting now has 5 taster seats." in text(response)
    client.post(f"/tasters/meetings/{meeting.pk}/", {"seats": "usual"})
    assert "has <strong>2</strong> taster seats" in text(
        client.get(f"/tasters/meetings/{meeting.pk}/")
    )


def test_the_invitations_page_reports_each_line_and_lists_states(client, group, leader, member):
    client.force_login(leader)

    response = client.post(
        f"/tasters/{group.slug}/invitations/",
        {"addresses": f"ana@example.org\nnonsense\n{member.email}", "message": "Do come."},
    )

    page = text(response)
    assert response.status_code == 200
    assert "1 invitation sent. 2 addresses not invited" in page
    assert "This is not a valid email address." in page
    assert "Already a member of this group." in page
    assert "ana@example.org" in page and "Sent" in page


def test_an_all_valid_list_redirects_back_to_the_list(client, group, leader):
    client.force_login(leader)

    response = client.post(
        f"/tasters/{group.slug}/invitations/", {"addresses": "a@example.org, b@example.org"}
    )

    assert response.status_code == 302
    assert TasterInvitation.objects.count() == 2


def test_the_landing_page_for_a_newcomer_offers_a_prefilled_signup(django_client, invite):
    _, token = invite("new.gp@example.org", message="We would love to see you.")

    page = text(django_client.get(f"/tasters/invite/{token}/"))

    assert "Try a meeting of Cotham GP Balint Group" in page
    assert "Dr Lena Leader invites you" in page
    assert "We would love to see you." in page
    assert "What is a Balint group?" in page
    assert "/accounts/signup/?email=new.gp%40example.org&amp;next=%2Ftasters%2Finvite%2F" in page


def test_the_landing_page_lets_a_signed_in_taster_book_in_one_click(
    client, invite, meeting, taster
):
    invitation, token = invite(taster.email)
    client.force_login(taster)
    page = text(client.get(f"/tasters/invite/{token}/"))
    assert f'action="/tasters/meetings/{meeting.pk}/book/"' in page

    response = client.post(f"/tasters/meetings/{meeting.pk}/book/")

    booking = TasterBooking.objects.get()
    assert response["Location"] == f"/tasters/bookings/{booking.pk}/"
    invitation.refresh_from_db()
    assert invitation.booking == booking and booking.invitation == invitation


@pytest.mark.parametrize(
    ("problem", "status", "words"),
    [
        ("forged", 404, "This invitation link does not work"),
        ("expired", 410, "This invitation has expired"),
        ("revoked", 410, "This invitation has been withdrawn"),
        ("taken", 403, "This invitation has been used"),
    ],
)
def test_bad_links_say_what_to_do_next_and_show_nobodys_details(
    client, invite, leader, taster, problem, status, words
):
    invitation, token = invite("private.person@example.org", message="A personal note.")
    if problem == "forged":
        token = token[:-3] + "xyz"
    elif problem == "expired":
        TasterInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    elif problem == "revoked":
        revoke_invitation(invitation=invitation, by=leader)
    else:
        client.force_login(UserFactory())
        client.get(f"/tasters/invite/{token}/")
    client.force_login(taster)

    response = client.get(f"/tasters/invite/{token}/")

    page = text(response)
    assert response.status_code == status
    assert words in page
    assert "private.person@example.org" not in page and "A personal note." not in page
    assert "Find a group" in page


def test_the_join_page_asks_to_join_through_the_groups_layer(client, group, taster):
    client.force_login(taster)

    page = text(client.get(f"/tasters/{group.slug}/join/"))
    assert f'action="/groups/{group.slug}/join/"' in page

    client.post(f"/groups/{group.slug}/join/", {"note": ""})
    assert Membership.objects.filter(person=taster, status="requested").exists()
    assert "You have asked to join this group already" in text(
        client.get(f"/tasters/{group.slug}/join/")
    )


# Bad input never gives a 500.


@pytest.mark.parametrize(
    "token", ["x", "a" * 5000, "%E2%98%83", "..%2F..%2Fetc", "null", "demo-taster-1"]
)
def test_any_token_gives_a_page_not_an_error(client, token):
    assert client.get(f"/tasters/invite/{token}/").status_code == 404


@pytest.mark.parametrize(
    ("data", "report"),
    [
        ({}, "This field is required."),
        ({"addresses": ""}, "This field is required."),
        ({"addresses": "x" * 40_000}, "Ensure this value has at most 30000 characters"),
        (
            {"addresses": "a@example.org", "message": "m" * 5000},
            "Ensure this value has at most 600 characters",
        ),
        ({"addresses": "\x00@example.org"}, "Null characters are not allowed."),
        ({"addresses": '<>, <<a@b>>, "@", @, a@, @b.org'}, "6 addresses not invited: see below."),
    ],
)
def test_the_invite_form_reports_bad_input(client, group, leader, data, report):
    client.force_login(leader)

    response = client.post(f"/tasters/{group.slug}/invitations/", data)

    # The page again, saying what was wrong: a field's error, or a line for each address.
    assert response.status_code == 200
    assert report in response.text
    if "not invited" in report:
        assert response.text.count("This is not a valid email address.") == 6
    else:
        assert response.context["form"].errors
    assert not TasterInvitation.objects.exists()


@pytest.mark.parametrize("seats", ["", "abc", "-1", "7", "99999999999999999999"])
def test_the_seats_form_reports_bad_input(client, meeting, leader, seats):
    client.force_login(leader)

    response = client.post(f"/tasters/meetings/{meeting.pk}/", {"seats": seats})

    assert response.status_code == 200
    assert "There is a problem" in text(response)


def test_unknown_objects_and_pages_are_404_or_ignored(client, group, leader, taster):
    client.force_login(leader)
    assert client.get(f"/tasters/{group.slug}/invitations/?page=abc").status_code == 200
    assert client.get("/tasters/no-such-group/invitations/").status_code == 404
    assert client.post(f"/tasters/{group.slug}/invitations/999/resend/").status_code == 404
    assert client.get("/tasters/meetings/999/book/").status_code == 404
    assert client.get("/tasters/bookings/999/").status_code == 404
    client.force_login(taster)
    assert client.get("/tasters/no-such-group/join/").status_code == 404


def test_booking_a_cancelled_or_started_meeting_explains_why(
    client, group, meeting, leader, taster
):
    cancel_meeting(meeting=meeting, by=leader, reason="Snow.")
    started = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(minutes=5))
    client.force_login(taster)

    assert "has been cancelled" in text(client.post(f"/tasters/meetings/{meeting.pk}/book/"))
    assert "closed when it started" in text(client.post(f"/tasters/meetings/{started.pk}/book/"))


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("leader", True),
        ("programme_admin", True),
        ("staff", True),
        ("member", False),
        ("stranger", False),
        ("anonymous", False),
    ],
)
def test_the_group_page_links_inviters_to_taster_invitations(
    client_for, group, leader, persona, shown
):
    page = text(client_for(persona).get(group.get_absolute_url()))

    assert (f"/tasters/{group.slug}/invitations/" in page) == shown
