"""Who is looking at the home: their groups and roles, read once for every part of the page."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from groups.access import GroupAccess, group_access, with_roles
from groups.context_processors import request_roles
from groups.models import CURRENT_STATUSES, BalintGroup, GroupStatus, Leadership, Membership
from sessions.programmes.models import Enrolment


@dataclass
class Viewer:
    """The signed-in person, their roles (from the navigation's one query) and their groups,
    each with what they may do in it (groups.access)."""

    user: object
    now: datetime
    leads: bool
    administers: bool
    groups: list[GroupAccess] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)

    @property
    def is_staff(self) -> bool:
        return self.user.is_staff

    @property
    def led(self) -> list[GroupAccess]:
        return [access for access in self.groups if access.is_leader]

    @property
    def member_of(self) -> list[GroupAccess]:
        return [access for access in self.groups if access.is_member and not access.is_leader]

    @property
    def asked(self) -> list[GroupAccess]:
        """Groups the person has asked to join, waits for or has been offered a place in."""
        return [
            access
            for access in self.groups
            if access.membership_status and not (access.is_member or access.is_leader)
        ]

    @property
    def expected_group_ids(self) -> list[int]:
        return [access.group.pk for access in self.groups if access.is_expected_at_meetings]

    @property
    def led_group_ids(self) -> list[int]:
        return [access.group.pk for access in self.led]


def viewer_for(request, *, now: datetime) -> Viewer:
    """The viewer with their open groups (two queries besides the navigation's roles)."""
    user = request.user
    roles = request_roles(request)
    mine = Q(Exists(Leadership.objects.filter(group=OuterRef("pk"), person=user))) | Q(
        Exists(
            Membership.objects.filter(
                group=OuterRef("pk"), person=user, status__in=CURRENT_STATUSES
            )
        )
    )
    groups = with_roles(
        BalintGroup.objects.filter(mine).exclude(status=GroupStatus.CLOSED), user
    ).order_by("name")
    enrolments = (
        Enrolment.objects.filter(
            person=user, left_on__isnull=True, cohort__ends_on__gte=timezone.localdate(now)
        )
        .select_related("cohort__programme")
        .order_by("cohort__starts_on")
    )
    return Viewer(
        user=user,
        now=now,
        leads=roles["leads"],
        administers=roles["administers"],
        groups=[group_access(group, user) for group in groups],
        enrolments=list(enrolments),
    )
