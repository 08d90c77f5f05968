"""Who may read, accept and write a group's agreement, and who has accepted it.

The agreement is for the people who come to the group: its members and leaders, and those who
hold a taster seat at one of its meetings (which only this layer knows), plus staff. It is
written by the leaders (and staff). Programme admins and everyone else get 404: the agreement
is the group's own business. Leaders wrote it, so they are never asked to accept it.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from groups.access import GroupAccess, access_group
from groups.agreements.models import AgreementVersion
from groups.agreements.services import current_agreement, has_accepted
from groups.models import MembershipStatus
from sessions.tasters.models import BookingStatus, TasterBooking


@dataclass(frozen=True)
class AgreementAccess:
    group_access: GroupAccess
    is_booked_taster: bool
    agreement: AgreementVersion | None
    accepted: bool

    @property
    def must_accept(self) -> bool:
        """Whether the viewer is asked to accept before they see the room and the link."""
        return not self.accepted and not self.group_access.is_leader


def holds_taster_seat(group, user) -> bool:
    return TasterBooking.objects.filter(
        group=group, person_id=user.pk, status=BookingStatus.BOOKED
    ).exists()


def agreement_status(group_access: GroupAccess, user, *, is_booked_taster: bool) -> AgreementAccess:
    """The group's current agreement and whether `user` has accepted it (two queries)."""
    agreement = current_agreement(group_access.group)
    return AgreementAccess(
        group_access=group_access,
        is_booked_taster=is_booked_taster,
        agreement=agreement,
        accepted=has_accepted(agreement, user),
    )


def taster_agreement_status(group, user) -> AgreementAccess:
    """For a taster's own booking page: a taster is never one of the group's leaders."""
    outsider = GroupAccess(group, False, False, False, False)
    return agreement_status(outsider, user, is_booked_taster=True)


def access_agreement(user, slug: str) -> AgreementAccess:
    """The agreement for reading and accepting: 404 unless a member, leader, booked taster or
    staff."""
    group_access = access_group(user, slug)
    taster = holds_taster_seat(group_access.group, user)
    # A trainee placed for a block that has yet to start reads it before their first meeting.
    may_read = group_access.can_see_private_details or group_access.is_member_later
    if not (may_read or group_access.is_staff or taster):
        raise Http404("No such group agreement.")
    return agreement_status(group_access, user, is_booked_taster=taster)


def access_managed_agreement(user, slug: str) -> GroupAccess:
    """The group whose agreement `user` writes: 403 for members and tasters who may read it,
    404 for everyone else."""
    access = access_agreement(user, slug).group_access
    if not access.can_manage:
        raise PermissionDenied("Only the group's leaders can change its agreement.")
    return access


@dataclass(frozen=True)
class AcceptanceRow:
    person: object
    role: str
    accepted_at: object  # a datetime, or None if not accepted


def acceptance_rows(group, agreement: AgreementVersion | None) -> list[AcceptanceRow]:
    """Each active member and booked taster, and when they accepted the current version, in
    three queries however many people there are."""
    accepted = {}
    if agreement is not None:
        accepted = dict(agreement.acceptances.values_list("person_id", "accepted_at"))
    members = group.memberships.filter(status=MembershipStatus.ACTIVE).select_related("person")
    tasters = TasterBooking.objects.filter(group=group, status=BookingStatus.BOOKED).select_related(
        "person"
    )
    rows = [AcceptanceRow(m.person, "Member", accepted.get(m.person_id)) for m in members]
    rows += [AcceptanceRow(b.person, "Taster", accepted.get(b.person_id)) for b in tasters]
    return sorted(rows, key=lambda row: (row.accepted_at is not None, str(row.person)))
