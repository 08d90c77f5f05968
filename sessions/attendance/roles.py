"""Who may see and change a meeting, and who may do what with tasters, built on
`groups.access` (which answers the questions about the group). Views and templates ask here.

- Anyone who may see the group may see its meetings' dates (the group page lists them publicly);
  a cancellation's reason is for those with a part in the group.
- The room and the link: the group's members and leaders, and the meeting's booked tasters. A
  cohort's block member counts for the meetings on the block's days only (`is_member_on`).
- Leaders and staff change meetings and keep the register; the programme's admins read it.
- Members (on the meeting's day) and leaders are expected at a meeting: they send apologies.
- Anyone signed in who may see a meeting may ask for a taster seat (the booking operation says
  no to members, leaders and full meetings, with a reason).
- A booking is its taster's alone: everyone else gets 404.
- The group's leaders, the admins of its programme and staff invite tasters; members get 403
  (they may know the group's inner pages exist), everyone else 404.
- The group's leaders and staff see a meeting's tasters and change its taster seats.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404

from groups.access import GroupAccess, access_group, roles_in_group
from sessions.meetings.models import Meeting
from sessions.tasters.models import TasterBooking, TasterInvitation
from sessions.tasters.queries import booked_by


@dataclass(frozen=True)
class MeetingAccess:
    meeting: Meeting
    group_access: GroupAccess
    is_booked_taster: bool = False

    @property
    def is_expected(self) -> bool:
        """A leader, or a member on the meeting's day (a block's trainee: within the block)."""
        return self.group_access.is_expected_on(self.meeting.local_starts_at.date())

    @property
    def can_see_private_details(self) -> bool:
        return self.is_expected or self.is_booked_taster

    @property
    def can_see_cancel_reason(self) -> bool:
        return self.group_access.has_part or self.is_expected

    @property
    def can_manage(self) -> bool:
        return self.group_access.can_manage

    @property
    def can_see_apologies(self) -> bool:
        return self.group_access.can_manage

    @property
    def can_send_apologies(self) -> bool:
        return self.is_expected

    @property
    def can_see_register(self) -> bool:
        return self.group_access.can_manage or self.group_access.is_programme_admin

    @property
    def can_record_register(self) -> bool:
        # A programme's admins enter the history of its groups (meetings recorded afterwards).
        if self.meeting.recorded_afterwards and self.group_access.is_programme_admin:
            return True
        return self.group_access.can_manage


def is_expected(meeting: Meeting, person) -> bool:
    """Whether `person` is expected at `meeting`: a leader or an active member of its group on
    the meeting's day."""
    return roles_in_group(person, meeting.group_id).is_expected_on(meeting.local_starts_at.date())


def access_meeting(user, pk: int) -> MeetingAccess:
    """Return the meeting and what `user` may do with it; 404 if they may not know it exists."""
    meetings = Meeting.objects.select_related("group").filter(pk=pk)
    if user.is_authenticated:
        # In the same query: whether the viewer holds a taster seat at it.
        meetings = meetings.annotate(viewer_is_taster=Exists(booked_by(user, OuterRef("pk"))))
    meeting = meetings.first()
    if meeting is None:
        raise Http404("No such meeting.")
    group_access = access_group(user, meeting.group.slug)
    # access_group fetched the group again with the viewer's roles: keep that one.
    meeting.group = group_access.group
    return MeetingAccess(
        meeting=meeting,
        group_access=group_access,
        is_booked_taster=getattr(meeting, "viewer_is_taster", False),
    )


def access_managed_meeting(user, pk: int) -> MeetingAccess:
    """Like `access_meeting`, for changes: PermissionDenied (403) unless a leader or staff."""
    access = access_meeting(user, pk)
    if not access.can_manage:
        raise PermissionDenied("Only the group's leaders can change this meeting.")
    return access


def access_meeting_register(user, pk: int) -> MeetingAccess:
    """The meeting for its register page: 403 unless a leader, staff or programme admin."""
    access = access_meeting(user, pk)
    if not access.can_see_register:
        raise PermissionDenied("Only the group's leaders can see this register.")
    return access


def access_meeting_as_attendee(user, pk: int) -> MeetingAccess:
    """The meeting for sending apologies: 403 unless a member or leader of the group."""
    access = access_meeting(user, pk)
    if not access.can_send_apologies:
        raise PermissionDenied("Only the group's members and leaders can send apologies.")
    return access


def access_inviting_group(user, slug: str) -> GroupAccess:
    """The group whose taster invitations `user` manages: 404 for outsiders, 403 for members."""
    access = access_group(user, slug)
    if not access.can_see_roster:
        raise Http404("No such group.")
    if not access.can_invite_tasters:
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
