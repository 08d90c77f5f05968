"""Who may see and change a group. Views and templates ask here; they never re-derive it.

The roster is for the group's members and leaders, the admins of its programme, and staff. The
room and the meeting link are for members and leaders (booked tasters are added by the
attendance layer, which knows about bookings). Leaders and staff manage a group. Leaders and
active members are expected at its meetings. A cohort's block membership (`starts_on`/`until`)
makes its trainee a member only on the block's days: today for the group's own pages, the
meeting's day for a meeting (`is_member_on`), whether or not the hourly scan has ended it yet.
Leaders, the programme's admins and staff invite tasters. A closed group is hidden from
everyone who has no part in it.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from groups.models import (
    CURRENT_STATUSES,
    BalintGroup,
    GroupStatus,
    Leadership,
    Membership,
    MembershipStatus,
)
from members.models import Programme

JoinAction = Literal["request", "waitlist"]


@dataclass(frozen=True)
class GroupAccess:
    group: BalintGroup
    is_leader: bool
    is_member: bool
    is_programme_admin: bool
    is_staff: bool
    # The viewer's current membership status (requested, waitlisted, offered, active) or None.
    membership_status: str | None = None
    # The days an active block membership holds its place (inclusive); None: open-ended.
    member_from: date | None = None
    member_until: date | None = None
    # An active block membership whose block has yet to start (in the group's zone).
    is_member_later: bool = False

    @property
    def holds_membership(self) -> bool:
        """An active membership, whatever its block's days: such a person needs no taster seat
        and asks for no place, but is a member (`is_member_on`) only on the block's days."""
        return self.membership_status == MembershipStatus.ACTIVE

    def is_member_on(self, day: date) -> bool:
        """Whether the viewer is an active member on `day` (within their block, if any)."""
        if not self.holds_membership:
            return False
        return (self.member_from or day) <= day <= (self.member_until or day)

    def is_expected_on(self, day: date) -> bool:
        """Whether the viewer is expected at a meeting on `day`: a leader, or a member then."""
        return self.is_leader or self.is_member_on(day)

    @property
    def can_see_roster(self) -> bool:
        return self.is_leader or self.is_member or self.is_programme_admin or self.is_staff

    @property
    def can_see_private_details(self) -> bool:
        return self.is_leader or self.is_member

    @property
    def can_manage(self) -> bool:
        return self.is_leader or self.is_staff

    @property
    def has_part(self) -> bool:
        return self.can_see_roster

    @property
    def is_expected_at_meetings(self) -> bool:
        """Leaders and active members are expected at every meeting: they get its calendar
        invitation, send apologies and stand in its register."""
        return self.is_leader or self.is_member

    @property
    def can_invite_tasters(self) -> bool:
        return self.is_leader or self.is_programme_admin or self.is_staff

    @property
    def has_offer(self) -> bool:
        return self.membership_status == MembershipStatus.OFFERED

    @property
    def join_action(self) -> JoinAction | None:
        """What a newcomer can do now: request a place, join the waitlist, or nothing."""
        if self.is_leader or self.membership_status or not self.group.is_open_to_requests:
            return None
        return "waitlist" if self.group.is_full else "request"


def with_roles(queryset: QuerySet[BalintGroup], user) -> QuerySet[BalintGroup]:
    """Annotate each group with the viewer's roles in it, in the same query."""
    if not user.is_authenticated:
        return queryset
    current = Membership.objects.filter(
        group=OuterRef("pk"), person=user, status__in=CURRENT_STATUSES
    )
    return queryset.annotate(
        viewer_is_leader=Exists(Leadership.objects.filter(group=OuterRef("pk"), person=user)),
        # At most one current membership per person and group (a database constraint).
        viewer_membership_status=Subquery(current.values("status")[:1]),
        viewer_member_from=Subquery(current.values("starts_on")[:1]),
        viewer_member_until=Subquery(current.values("until")[:1]),
        viewer_is_programme_admin=Exists(
            Programme.admins.through.objects.filter(
                programme_id=OuterRef("programme_id"), user=user
            )
        ),
    )


def group_access(group: BalintGroup, user) -> GroupAccess:
    """The viewer's roles in a group fetched through `with_roles` (or none for visitors)."""
    if not user.is_authenticated:
        return GroupAccess(group, False, False, False, False)
    status = getattr(group, "viewer_membership_status", None)
    member_from = getattr(group, "viewer_member_from", None)
    member_until = getattr(group, "viewer_member_until", None)
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(group.time_zone))
    return GroupAccess(
        group=group,
        is_leader=getattr(group, "viewer_is_leader", False),
        # A block's trainee is a member on its days only: not before it starts, and not after
        # it ends even while the hourly scan has yet to write the membership's end.
        is_member=status == MembershipStatus.ACTIVE
        and (member_from or today) <= today <= (member_until or today),
        is_programme_admin=getattr(group, "viewer_is_programme_admin", False),
        is_staff=user.is_staff,
        membership_status=status,
        member_from=member_from,
        member_until=member_until,
        is_member_later=status == MembershipStatus.ACTIVE
        and member_from is not None
        and today < member_from,
    )


def roles_in_group(person, group: BalintGroup | int) -> GroupAccess:
    """`person`'s roles in one group, in one query and whatever the group's status: for the
    operations and notifications that ask about someone other than a page's viewer."""
    group_id = group if isinstance(group, int) else group.pk
    return group_access(with_roles(BalintGroup.objects.filter(pk=group_id), person).get(), person)


def access_group(user, slug: str, queryset: QuerySet[BalintGroup] | None = None) -> GroupAccess:
    """Return the group and what `user` may do with it; 404 if they may not know it exists."""
    queryset = queryset if queryset is not None else BalintGroup.objects.all()
    try:
        group = with_roles(queryset.select_related("programme"), user).get(slug=slug)
    except BalintGroup.DoesNotExist:
        raise Http404("No such group.") from None
    access = group_access(group, user)
    # Someone with a pending request or a place on the waitlist of a group that has since closed
    # still needs its page to withdraw; everyone else must not learn that it exists.
    if group.status == GroupStatus.CLOSED and not (access.has_part or access.membership_status):
        raise Http404("No such group.")
    return access


def access_managed_group(
    user, slug: str, queryset: QuerySet[BalintGroup] | None = None
) -> GroupAccess:
    """Like `access_group`, for pages that change the group: 404 for outsiders who may not
    see its roster, PermissionDenied (403) for those who may see it but not change it."""
    access = access_group(user, slug, queryset)
    if not access.can_see_roster:
        raise Http404("No such group.")
    if not access.can_manage:
        raise PermissionDenied("Only the group's leaders can change this.")
    return access


def may_create_groups(user) -> bool:
    """Staff create groups and appoint their leaders."""
    return user.is_authenticated and user.is_staff
