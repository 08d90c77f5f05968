"""Who may see and change a group. Views and templates ask here; they never re-derive it.

Rules (DOMAIN.md): the roster is for the group's members and leaders, the admins of its
programme, and staff. The room and the meeting link are for members and leaders (booked tasters
are added by the meetings layer, which knows about bookings). Leaders and staff manage a group.
A closed group is hidden from everyone who has no part in it.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from groups.models import BalintGroup, GroupStatus, Leadership, Membership, MembershipStatus
from members.models import Programme


@dataclass(frozen=True)
class GroupAccess:
    group: BalintGroup
    is_leader: bool
    is_member: bool
    is_programme_admin: bool
    is_staff: bool

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


def with_roles(queryset: QuerySet[BalintGroup], user) -> QuerySet[BalintGroup]:
    """Annotate each group with the viewer's roles in it, in the same query."""
    if not user.is_authenticated:
        return queryset
    return queryset.annotate(
        viewer_is_leader=Exists(Leadership.objects.filter(group=OuterRef("pk"), person=user)),
        viewer_is_member=Exists(
            Membership.objects.filter(
                group=OuterRef("pk"), person=user, status=MembershipStatus.ACTIVE
            )
        ),
        viewer_is_programme_admin=Exists(
            Programme.admins.through.objects.filter(
                programme_id=OuterRef("programme_id"), user=user
            )
        ),
    )


def group_access(group: BalintGroup, user) -> GroupAccess:
    """The viewer's roles in a group fetched through `with_roles` (or none for visitors)."""
    authenticated = user.is_authenticated
    return GroupAccess(
        group=group,
        is_leader=authenticated and getattr(group, "viewer_is_leader", False),
        is_member=authenticated and getattr(group, "viewer_is_member", False),
        is_programme_admin=authenticated and getattr(group, "viewer_is_programme_admin", False),
        is_staff=authenticated and user.is_staff,
    )


def access_group(user, slug: str, queryset: QuerySet[BalintGroup] | None = None) -> GroupAccess:
    """Return the group and what `user` may do with it; 404 if they may not know it exists."""
    queryset = queryset if queryset is not None else BalintGroup.objects.all()
    try:
        group = with_roles(queryset.select_related("programme"), user).get(slug=slug)
    except BalintGroup.DoesNotExist:
        raise Http404("No such group.") from None
    access = group_access(group, user)
    if group.status == GroupStatus.CLOSED and not access.has_part:
        raise Http404("No such group.")
    return access


def access_managed_group(user, slug: str) -> GroupAccess:
    """Like `access_group`, for pages that change the group: 404 for outsiders who may not
    see its roster, PermissionDenied (403) for those who may see it but not change it."""
    access = access_group(user, slug)
    if not access.can_see_roster:
        raise Http404("No such group.")
    if not access.can_manage:
        raise PermissionDenied("Only the group's leaders can change this.")
    return access
