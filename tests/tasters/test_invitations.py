"""Taster invitations: tokens stored as hashes, expiry, re-send, revoke, the outcomes of opening a
link, and pasted lists reported line by line."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups.models import GroupStatus
from sessions.tasters.invitations import (
    invitation_for_signup,
    invite_tasters,
    open_invitation,
    resend_invitation,
    revoke_invitation,
    split_addresses,
)
from sessions.tasters.models import InvitationState, TasterInvitation, hash_token
from sessions.tasters.services import TasterError, book_taster_seat, cancel_taster_booking
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_only_the_tokens_hash_is_stored(invite):
    invitation, token = invite("newcomer@example.org")

    assert len(token) >= 40
    assert invitation.token_hash == hash_token(token)
    stored = TasterInvitation.objects.filter(pk=invitation.pk).values()[0]
    assert token not in {str(value) for value in stored.values()}


def test_an_invitation_lasts_thirty_days(invite):
    invitation, _ = invite()

    assert invitation.expires_at - invitation.sent_at == timedelta(days=30)
    assert invitation.state() == InvitationState.SENT


def test_opening_a_link_marks_it_opened_and_a_signed_in_newcomer_takes_it_up(invite, taster):
    invitation, token = invite()

    anonymous = open_invitation(token=token, user=_anonymous())
    assert anonymous.outcome == "ok" and anonymous.invitation == invitation
    invitation.refresh_from_db()
    assert invitation.opened_at is not None and invitation.accepted_by is None
    assert invitation.state() == InvitationState.OPENED

    assert open_invitation(token=token, user=taster).outcome == "ok"
    invitation.refresh_from_db()
    assert invitation.accepted_by == taster


def test_a_forged_token_is_refused_without_details(invite):
    invite()

    opening = open_invitation(token="not-a-real-token", user=_anonymous())

    assert (opening.outcome, opening.group, opening.invitation) == ("forged", None, None)


def test_an_expired_invitation_says_so(invite, taster):
    invitation, token = invite()

    opening = open_invitation(
        token=token, user=taster, now=invitation.expires_at + timedelta(seconds=1)
    )

    assert opening.outcome == "expired" and opening.invitation is None
    assert invitation.state(invitation.expires_at) == InvitationState.EXPIRED


def test_a_revoked_invitation_stops_working(invite, leader, taster):
    invitation, token = invite()

    revoke_invitation(invitation=invitation, by=leader)

    assert open_invitation(token=token, user=taster).outcome == "revoked"
    invitation.refresh_from_db()
    assert invitation.state() == InvitationState.REVOKED
    with pytest.raises(TasterError, match="revoked already"):
        revoke_invitation(invitation=invitation, by=leader)
    with pytest.raises(TasterError, match="revoked"):
        resend_invitation(invitation=invitation, by=leader)


def test_a_link_taken_up_by_someone_else_shows_nothing_of_theirs(invite, taster):
    _, token = invite()
    open_invitation(token=token, user=taster)

    opening = open_invitation(token=token, user=UserFactory())

    assert opening.outcome == "taken" and opening.invitation is None
    assert open_invitation(token=token, user=_anonymous()).outcome == "taken"
    assert open_invitation(token=token, user=taster).outcome == "ok"


def test_inviters_preview_the_page_without_taking_the_link(invite, leader, programme_admin, staff):
    invitation, token = invite()

    for person in (leader, programme_admin, staff):
        assert open_invitation(token=token, user=person).outcome == "preview"

    invitation.refresh_from_db()
    assert invitation.accepted_by is None


def test_a_member_opening_a_link_is_told_they_belong_already(invite, member):
    _, token = invite()

    assert open_invitation(token=token, user=member).outcome == "member"


def test_a_closed_groups_link_says_the_group_has_closed(invite, group, taster):
    _, token = invite()
    group.status = GroupStatus.CLOSED
    group.save()

    assert open_invitation(token=token, user=taster).outcome == "closed"


def test_resend_makes_a_new_link_and_the_old_one_stops_working(invite, leader, taster):
    invitation, old = invite()

    resend_invitation(invitation=invitation, by=leader)
    new = invite.tokens[-1]

    assert new != old
    assert open_invitation(token=old, user=taster).outcome == "forged"
    assert open_invitation(token=new, user=taster).outcome == "ok"
    invitation.refresh_from_db()
    assert invitation.send_count == 2


def test_resend_revives_an_expired_invitation(invite, leader):
    invitation, _ = invite()
    TasterInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )

    resend_invitation(invitation=invitation, by=leader)

    invitation.refresh_from_db()
    assert invitation.state() == InvitationState.SENT
    assert invitation.expires_at > timezone.now() + timedelta(days=29)


def test_booking_through_the_link_marks_it_booked_and_cancelling_reopens_it(
    invite, meeting, taster
):
    invitation, token = invite()
    open_invitation(token=token, user=taster)

    booking = book_taster_seat(meeting=meeting, person=taster, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.state() == InvitationState.BOOKED and booking.invitation == invitation

    cancel_taster_booking(booking=booking, person=taster)
    invitation.refresh_from_db()
    assert invitation.booking is None and invitation.state() == InvitationState.OPENED


def test_someone_elses_invitation_is_not_marked_by_a_booking(invite, meeting, taster):
    invitation, token = invite()
    open_invitation(token=token, user=taster)
    intruder = UserFactory()

    booking = book_taster_seat(meeting=meeting, person=intruder, invitation=invitation)

    invitation.refresh_from_db()
    assert booking.invitation is None and invitation.booking is None


def test_a_booked_invitation_cannot_be_revoked_or_resent(invite, meeting, leader, taster):
    invitation, token = invite()
    open_invitation(token=token, user=taster)
    book_taster_seat(meeting=meeting, person=taster, invitation=invitation)

    with pytest.raises(TasterError, match="booked"):
        revoke_invitation(invitation=invitation, by=leader)
    with pytest.raises(TasterError, match="booked"):
        resend_invitation(invitation=invitation, by=leader)


# Pasted lists.


def test_a_pasted_list_reports_every_line_and_sends_the_valid_ones(group, leader, member):
    text = "\n".join(
        [
            "ana@example.org",
            "not an address",
            "Dr Ben Bell <ben@example.org>; cat@example.org",
            "",
            "ANA@example.org",
            member.email,
            leader.email,
            "dan@@example.org",
        ]
    )

    results = invite_tasters(group=group, by=leader, addresses=text)

    assert [(r.line, r.outcome) for r in results] == [
        (1, "invited"),
        (2, "invalid"),
        (3, "invited"),
        (3, "invited"),
        (5, "duplicate"),
        (6, "member"),
        (7, "leader"),
        (8, "invalid"),
    ]
    assert sorted(TasterInvitation.objects.values_list("email", flat=True)) == [
        "ana@example.org",
        "ben@example.org",
        "cat@example.org",
    ]


def test_an_address_with_an_open_invitation_is_refused_clearly(invite, group, leader):
    invite("ana@example.org")

    [result] = invite_tasters(group=group, by=leader, addresses="Ana@Example.org")

    assert result.outcome == "pending"
    assert "still open" in result.message
    assert TasterInvitation.objects.count() == 1


def test_an_address_whose_invitation_expired_is_invited_again(invite, group, leader):
    invitation, _ = invite("ana@example.org")
    TasterInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )

    [result] = invite_tasters(group=group, by=leader, addresses="ana@example.org")

    assert result.outcome == "invited_again" and result.sent
    assert TasterInvitation.objects.get().state() == InvitationState.SENT


def test_an_address_that_booked_is_refused_and_a_revoked_one_can_be_invited_again(
    invite, group, leader, meeting, taster
):
    invitation, token = invite(taster.email)
    open_invitation(token=token, user=taster)
    book_taster_seat(meeting=meeting, person=taster, invitation=invitation)
    other, _ = invite("ana@example.org")
    revoke_invitation(invitation=other, by=leader)

    results = invite_tasters(group=group, by=leader, addresses=f"{taster.email}\nana@example.org")

    assert [r.outcome for r in results] == ["booked", "invited"]


def test_too_many_addresses_or_none_are_refused(group, leader):
    with pytest.raises(TasterError, match="at least one"):
        invite_tasters(group=group, by=leader, addresses=" \n ,; ")
    many = "\n".join(f"p{n}@example.org" for n in range(201))
    with pytest.raises(TasterError, match="at most 200"):
        invite_tasters(group=group, by=leader, addresses=many)
    assert not TasterInvitation.objects.exists()


def test_split_addresses_keeps_line_numbers():
    assert split_addresses("a@x.org, b@x.org\n\n c@x.org ;") == [
        (1, "a@x.org"),
        (1, "b@x.org"),
        (3, "c@x.org"),
    ]


def test_a_very_long_address_is_invalid_not_an_error(group, leader):
    [result] = invite_tasters(group=group, by=leader, addresses="a" * 300 + "@example.org")

    assert result.outcome == "invalid"


def test_only_an_open_untaken_invitation_verifies_a_signup(invite, taster):
    invitation, token = invite()
    assert invitation_for_signup(invitation.pk) == invitation
    assert invitation_for_signup(None) is None

    open_invitation(token=token, user=taster)

    assert invitation_for_signup(invitation.pk) is None


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
