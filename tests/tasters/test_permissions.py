"""Every taster view, for every persona: allowed roles get 200/302; the others 404 where they may
not know the object exists, 403 where they may see it but not change it."""

import pytest
from django.urls import reverse

from groups.models import GroupStatus
from sessions.tasters.models import TasterInvitation
from sessions.tasters.services import book_taster_seat
from tests.conftest import PERSONAS
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

LOGIN = "login"  # anonymous: redirected to sign in

# Inviting tasters: the group's leaders, its programme's admins and staff.
INVITERS = {
    "anonymous": LOGIN,
    "stranger": 404,
    "member": 403,
    "other_member": 404,
    "other_leader": 404,
    "leader": 200,
    "programme_admin": 200,
    "staff": 200,
}
# A meeting's tasters and seats: its leaders and staff; the meeting itself is public.
MEETING_MANAGERS = {
    **{persona: 403 for persona in PERSONAS},
    "anonymous": LOGIN,
    "leader": 200,
    "staff": 200,
}
SIGNED_IN = {persona: 200 for persona in PERSONAS} | {"anonymous": LOGIN}
# Booking: everyone signed in may ask; the group's members and leaders are told why not (200).
BOOKING = {persona: 302 for persona in PERSONAS} | {
    "anonymous": LOGIN,
    "member": 200,
    "leader": 200,
}
# A booking is its taster's alone.
NOT_THEIRS = {persona: 404 for persona in PERSONAS} | {"anonymous": LOGIN}


def success(expected, code: int):
    return code if expected == 200 else expected


def check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected, response.content[:500]


@pytest.fixture(autouse=True)
def everyone(request, leader, member):
    for persona in PERSONAS:
        if persona != "anonymous":
            request.getfixturevalue(persona)


@pytest.fixture
def invitation(invite):
    return invite("newcomer@example.org")[0]


@pytest.fixture
def booking(meeting, taster):
    return book_taster_seat(meeting=meeting, person=taster)


@pytest.mark.parametrize("persona", PERSONAS)
def test_invitations_page(client_for, group, persona):
    check(client_for(persona).get(f"/tasters/{group.slug}/invitations/"), INVITERS[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_inviting(client_for, group, persona):
    response = client_for(persona).post(
        f"/tasters/{group.slug}/invitations/", {"addresses": "new@example.org"}
    )
    check(response, success(INVITERS[persona], 302))
    invited = TasterInvitation.objects.filter(email="new@example.org").exists()
    assert invited == (INVITERS[persona] == 200)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_resending_and_revoking(client_for, group, invitation, persona, action):
    url = f"/tasters/{group.slug}/invitations/{invitation.pk}/{action}/"
    check(client_for(persona).post(url), success(INVITERS[persona], 302))
    invitation.refresh_from_db()
    changed = invitation.send_count == 2 if action == "resend" else invitation.revoked_at
    assert bool(changed) == (INVITERS[persona] == 200)


@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_an_invitation_of_another_group_is_not_found(client_for, other_group, invitation, action):
    client = client_for("staff")
    url = f"/tasters/{other_group.slug}/invitations/{invitation.pk}/{action}/"
    assert client.post(url).status_code == 404
    assert (
        client.get(
            f"/tasters/{invitation.group.slug}/invitations/{invitation.pk}/{action}/"
        ).status_code
        == 405
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_meeting_tasters_page(client_for, meeting, persona):
    check(client_for(persona).get(f"/tasters/meetings/{meeting.pk}/"), MEETING_MANAGERS[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_changing_a_meetings_seats(client_for, meeting, persona):
    response = client_for(persona).post(f"/tasters/meetings/{meeting.pk}/", {"seats": "4"})
    check(response, success(MEETING_MANAGERS[persona], 302))


@pytest.mark.parametrize("persona", PERSONAS)
def test_book_page(client_for, meeting, persona):
    check(client_for(persona).get(f"/tasters/meetings/{meeting.pk}/book/"), SIGNED_IN[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_booking(client_for, meeting, persona):
    response = client_for(persona).post(f"/tasters/meetings/{meeting.pk}/book/")
    check(response, BOOKING[persona])
    assert meeting.taster_bookings.exists() == (BOOKING[persona] == 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_closed_groups_meeting_is_not_found_by_outsiders(client_for, group, persona):
    meeting = MeetingFactory(group=group)
    group.status = GroupStatus.CLOSED
    group.save()
    expected = {
        **{p: 404 for p in PERSONAS},
        "anonymous": LOGIN,
        "member": 200,
        "leader": 200,
        "programme_admin": 200,
        "staff": 200,
    }
    check(client_for(persona).get(f"/tasters/meetings/{meeting.pk}/book/"), expected[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_booking_page(client_for, booking, persona):
    check(client_for(persona).get(f"/tasters/bookings/{booking.pk}/"), NOT_THEIRS[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_cancelling_someone_elses_booking(client_for, booking, persona):
    check(client_for(persona).post(f"/tasters/bookings/{booking.pk}/cancel/"), NOT_THEIRS[persona])
    booking.refresh_from_db()
    assert booking.is_open


def test_the_taster_sees_and_cancels_their_booking(client, booking, taster):
    client.force_login(taster)
    assert client.get(f"/tasters/bookings/{booking.pk}/").status_code == 200
    assert client.get(f"/tasters/bookings/{booking.pk}/cancel/").status_code == 405
    assert client.post(f"/tasters/bookings/{booking.pk}/cancel/").status_code == 302
    booking.refresh_from_db()
    assert not booking.is_open


@pytest.mark.parametrize("persona", PERSONAS)
def test_invitation_landing_page_is_public(client_for, invite, persona):
    _, token = invite()
    response = client_for(persona).get(f"/tasters/invite/{token}/")
    assert response.status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_join_page(client_for, group, persona):
    check(client_for(persona).get(f"/tasters/{group.slug}/join/"), SIGNED_IN[persona])
