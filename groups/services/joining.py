"""Joining and leaving a group, and the leaders' decisions on requests, the waitlist and
members (see groups/services/__init__.py for how every operation is built)."""

import datetime
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from balint.audit import services as audit
from groups import emails
from groups.models import (
    PLACE_HOLDING_STATUSES,
    BalintGroup,
    GroupStatus,
    Leadership,
    Membership,
    MembershipStatus,
    PendingMembershipInvite,
)
from groups.services.blocks import record_past_block
from groups.services.locks import lock_group
from groups.services.rules import (
    GroupError,
    admit,
    current_membership,
    full_message,
    get_membership,
    offer_free_places,
    places_taken,
    set_status,
    start_membership,
    today_in,
)
from members.models import User


@transaction.atomic
def request_to_join(*, group: BalintGroup, person: User, note: str = "") -> Membership:
    """Ask to join a group and email its leaders; GroupError if the person may not ask now."""
    group = lock_group(group)
    if Leadership.objects.filter(group=group, person=person).exists():
        raise GroupError("You lead this group, so you cannot ask to join it.")
    current = current_membership(group, person)
    if current is not None:
        raise GroupError(_already_message(current))
    if group.status == GroupStatus.CLOSED:
        raise GroupError("This group has closed.")
    if group.is_closed_to_newcomers:
        raise GroupError(
            "This group is closed to newcomers, so it is not taking requests. You are welcome "
            "to write to its leaders."
        )
    if not group.accepting_members:
        raise GroupError("This group is not taking new members at the moment.")
    membership = start_membership(group, person, MembershipStatus.REQUESTED, by=person, note=note)
    emails.join_requested(membership)
    return membership


def _already_message(membership: Membership) -> str:
    return {
        MembershipStatus.REQUESTED: "You have already asked to join this group. "
        "The leaders will reply by email.",
        MembershipStatus.WAITLISTED: "You are already on this group's waitlist.",
        MembershipStatus.OFFERED: "A place in this group is waiting for you: accept it below.",
        MembershipStatus.ACTIVE: "You are already a member of this group.",
    }[membership.status]


@transaction.atomic
def accept_offer(*, group: BalintGroup, person: User) -> Membership:
    """Take up the place offered from the waitlist; GroupError if no offer is open."""
    group = lock_group(group)
    membership = current_membership(group, person)
    if membership is None or membership.status != MembershipStatus.OFFERED:
        raise GroupError("There is no place waiting for you in this group.")
    # An offer already holds its place, so accepting it cannot take the group over capacity.
    return set_status(membership, MembershipStatus.ACTIVE, by=person)


@transaction.atomic
def leave_group(*, group: BalintGroup, person: User) -> Membership:
    """Leave a group (or withdraw a request, waitlist place or offer); the freed place is
    offered to the waitlist. GroupError if the person has no current membership."""
    group = lock_group(group)
    membership = current_membership(group, person)
    if membership is None:
        raise GroupError("You are not a member of this group.")
    held_a_place = membership.status in PLACE_HOLDING_STATUSES
    set_status(membership, MembershipStatus.LEFT, by=person)
    if held_a_place:
        emails.member_left(membership)
        offer_free_places(group)
    return membership


def expire_offers(*, now: datetime.datetime | None = None) -> list[Membership]:
    """Offers not accepted within WAITLIST_OFFER_DAYS lapse: the person leaves the waitlist (and
    is told they may ask again), and the place is offered to the next. Safe to run twice."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.WAITLIST_OFFER_DAYS)
    due = Membership.objects.filter(status=MembershipStatus.OFFERED, offered_at__lte=cutoff)
    lapsed = []
    for membership_id, group_id in list(due.values_list("pk", "group_id")):
        membership = _lapse_offer(membership_id=membership_id, group_id=group_id, cutoff=cutoff)
        if membership is not None:
            lapsed.append(membership)
    return lapsed


@transaction.atomic
def _lapse_offer(*, membership_id: int, group_id: int, cutoff) -> Membership | None:
    group = lock_group(BalintGroup(pk=group_id))
    membership = (
        group.memberships.select_related("person", "group")
        .filter(pk=membership_id, status=MembershipStatus.OFFERED, offered_at__lte=cutoff)
        .first()
    )
    if membership is None:  # accepted or turned down since the scan
        return None
    set_status(membership, MembershipStatus.LEFT, by=None)
    emails.offer_lapsed(membership)
    offer_free_places(group)
    return membership


# ---------------------------------------------------------------------------- leaders' decisions


@transaction.atomic
def approve_request(*, group: BalintGroup, membership_id: int, by: User) -> Membership:
    """Approve a join request: active if a place is free, otherwise waitlisted. GroupError if
    the request was already answered."""
    group = lock_group(group)
    membership = get_membership(group, membership_id)
    if membership.status != MembershipStatus.REQUESTED:
        raise GroupError(f"{membership.person} has no open request to approve.")
    return admit(group, membership, by=by)


@transaction.atomic
def decline_request(
    *, group: BalintGroup, membership_id: int, by: User, message: str = ""
) -> Membership:
    """Decline a request or take someone off the waitlist, emailing them the optional message.
    GroupError if there is nothing to decline."""
    group = lock_group(group)
    membership = get_membership(group, membership_id)
    if membership.status not in (MembershipStatus.REQUESTED, MembershipStatus.WAITLISTED):
        raise GroupError(f"{membership.person} has no request or waitlist place to decline.")
    set_status(membership, MembershipStatus.DECLINED, by=by)
    emails.join_declined(membership, message=message.strip())
    return membership


@transaction.atomic
def promote_from_waitlist(*, group: BalintGroup, membership_id: int, by: User) -> Membership:
    """Make someone on the waitlist (or holding an offer) a member at once. GroupError if they
    are not waiting or no place is free."""
    group = lock_group(group)
    membership = get_membership(group, membership_id)
    if membership.status not in (MembershipStatus.WAITLISTED, MembershipStatus.OFFERED):
        raise GroupError(f"{membership.person} is not on the waitlist.")
    if membership.status == MembershipStatus.WAITLISTED and places_taken(group) >= group.capacity:
        raise GroupError(full_message(group))
    set_status(membership, MembershipStatus.ACTIVE, by=by)
    emails.join_approved(membership)
    return membership


@transaction.atomic
def remove_member(
    *, group: BalintGroup, membership_id: int, by: User, ended_on: datetime.date
) -> Membership:
    """Remove a member (or withdraw an offer) as from `ended_on`, and offer the place to the
    waitlist. GroupError if they are not a member or the date is impossible."""
    group = lock_group(group)
    membership = get_membership(group, membership_id)
    if membership.status not in PLACE_HOLDING_STATUSES:
        raise GroupError(f"{membership.person} is not a member of this group.")
    if ended_on > today_in(group):
        raise GroupError("The date cannot be in the future.")
    started = membership.joined_at or membership.offered_at or membership.requested_at
    zone = zoneinfo.ZoneInfo(group.time_zone)
    if started and ended_on < timezone.localtime(started, zone).date():
        raise GroupError("The date cannot be before they joined the group.")
    set_status(membership, MembershipStatus.REMOVED, by=by, ended_on=ended_on)
    emails.removed(membership)
    offer_free_places(group)
    return membership


@transaction.atomic
def add_member_by_email(
    *,
    group: BalintGroup,
    email: str,
    by: User,
    starts_on: datetime.date | None = None,
    until: datetime.date | None = None,
) -> Membership | PendingMembershipInvite:
    """Add a person by email: an existing account joins at once; an unknown address is invited
    to sign up and joins then. With `starts_on`/`until` (a cohort's block) the place is held for
    those days only and ends by itself after `until`. GroupError if they are already in, or the
    group is full on one of those days."""
    group = lock_group(group)
    email = email.strip()
    person = User.objects.filter(email__iexact=email).first()
    past = until is not None and until < today_in(group)
    if person is None and past:
        raise GroupError(f"{email} has not signed up, so a past block cannot be recorded.")
    if person is None:
        return _invite_address(group, email, by=by)
    if Leadership.objects.filter(group=group, person=person).exists():
        raise GroupError(f"{person} leads this group already.")
    if past:
        if places_taken(group, starts_on=starts_on, until=until) >= group.capacity:
            raise GroupError(full_message(group))
        return record_past_block(group, person, starts_on=starts_on or until, until=until, by=by)
    membership = current_membership(group, person)
    if membership is not None and membership.status == MembershipStatus.ACTIVE:
        raise GroupError(f"{person} is already a member of this group.")
    holds_place = membership is not None and membership.status == MembershipStatus.OFFERED
    taken = places_taken(group, starts_on=starts_on, until=until)
    if not holds_place and taken >= group.capacity:
        raise GroupError(full_message(group))
    block = {"starts_on": starts_on, "until": until}
    if membership is None:
        membership = Membership(group=group, person=person, **block)
        set_status(membership, MembershipStatus.ACTIVE, by=by)
        emails.added_to_group(membership, by=by)
    else:
        set_status(membership, MembershipStatus.ACTIVE, by=by, **block)
        emails.join_approved(membership)
    return membership


def _invite_address(group: BalintGroup, email: str, *, by: User) -> PendingMembershipInvite:
    if group.invites.filter(email__iexact=email, accepted_at__isnull=True).exists():
        raise GroupError(f"{email} has already been invited; they join when they sign up.")
    invite = PendingMembershipInvite.objects.create(group=group, email=email, invited_by=by)
    audit.record_in_group(
        invite,
        by=by,
        area=audit.Area.INVITATIONS,
        action="membership_invite.send",
        summary=f"Invited {email} to join the group",
    )
    emails.group_invite(invite)
    return invite


@transaction.atomic
def cancel_invite(*, group: BalintGroup, invite_id: int, by: User) -> PendingMembershipInvite:
    """Withdraw an invitation that has not been used. GroupError if it was used already."""
    group = lock_group(group)
    invite = group.invites.filter(pk=invite_id, accepted_at__isnull=True).first()
    if invite is None:
        raise GroupError("That invitation has been used or withdrawn already.")
    audit.record_in_group(
        invite,
        by=by,
        area=audit.Area.INVITATIONS,
        action="membership_invite.withdraw",
        summary=f"Withdrew the invitation to {invite.email}",
    )
    invite.delete()
    return invite


def accept_pending_invites(*, user: User, email: str) -> list[Membership]:
    """Add a newly verified address to every group it was invited to (waitlisted when a group
    has filled up since). Safe to call twice."""
    memberships = []
    invite_ids = PendingMembershipInvite.objects.filter(
        email__iexact=email, accepted_at__isnull=True
    ).values_list("pk", flat=True)
    for invite_id in list(invite_ids):
        membership = _accept_invite(invite_id=invite_id, user=user)
        if membership is not None:
            memberships.append(membership)
    return memberships


@transaction.atomic
def _accept_invite(*, invite_id: int, user: User) -> Membership | None:
    invite = PendingMembershipInvite.objects.select_related("group", "invited_by").get(pk=invite_id)
    group = lock_group(invite.group)
    invite.refresh_from_db(fields=["accepted_at"])
    if invite.accepted_at is not None:
        return None
    membership = None
    if not Leadership.objects.filter(group=group, person=user).exists():
        membership = current_membership(group, user) or Membership(group=group, person=user)
        if membership.pk is None or membership.status == MembershipStatus.REQUESTED:
            admit(group, membership, by=invite.invited_by)
    invite.accepted_at = timezone.now()
    invite.membership = membership
    invite.save(update_fields=["accepted_at", "membership"])
    return membership
