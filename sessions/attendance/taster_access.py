"""Who may do what with tasters, built on groups.access and sessions.attendance.roles.

- Anyone signed in who may see a meeting may ask for a taster seat (the booking operation says
  no to members, leaders and full meetings, with a reason).
- A booking is its taster's alone: everyone else gets 404.
- The group's leaders, the admins of its programme and staff invite tasters; members get 403
  (they may know the group's inner pages exist), everyone else 404.
- The group's leaders and staff see a meeting's tasters and change its taster seats.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from groups.access import GroupAccess, access_group
from sessions.tasters.models import TasterBooking, TasterInvitation


def can_invite(access: GroupAccess) -> bool:
    return access.is_leader or access.is_programme_admin or access.is_staff


def access_inviting_group(user, slug: str) -> GroupAccess:
    """The group whose taster invitations `user` manages: 404 for outsiders, 403 for members."""
    access = access_group(user, slug)
    if not access.can_see_roster:
        raise Http404("No such group.")
    if not can_invite(access):
        raise PermissionDenied(
            "Only the group's leaders and its programme's admins invite tasters."
        )
    return access


def access_invitation(user, slug: str, invitation_id: int) -> tuple[GroupAccess, TasterInvitation]:
    """One invitation of a group whose invitations `user` manages; 404 if not of that group."""
    access = access_inviting_group(user, slug)
    invitation = TasterInvitation.objects.filter(pk=invitation_id, group=access.group).first()
    if invitation is None:
        raise Http404("No such invitation.")
    invitation.group = access.group
    return access, invitation


def access_own_booking(user, pk: int) -> TasterBooking:
    """The signed-in person's own booking; 404 for anyone else's."""
    booking = (
        TasterBooking.objects.select_related("meeting__group", "person")
        .filter(pk=pk, person_id=user.pk)
        .first()
    )
    if booking is None:
        raise Http404("No such booking.")
    return booking
