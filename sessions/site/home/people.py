"""Who is looking at the home: their groups and roles, read once for every part of the page."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

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
        return [
            access for access in self.groups if access.holds_membership and not access.is_leader
        ]

    @property
    def asked(self) -> list[GroupAccess]:
        """Groups the person has asked to join, waits for or has been offered a place in."""
        return [
            access
            for access in self.groups
            if access.membership_status and not (access.holds_membership or access.is_leader)
        ]

    @property
    def expected_group_ids(self) -> list[int]:
        return [access.group.pk for access in self.groups if access.is_expected_at_meetings]

    @property
    def expected_meetings(self) -> Q:
        """The meetings the viewer is expected at, as a filter on meetings: every meeting of a
        group they lead or belong to, and only the block's days of a cohort's block membership
        (in the group's zone), whether the block is under way or yet to start."""
        expected = Q(pk__in=[])
        for access in self.groups:
            if access.is_leader or not (access.member_from or access.member_until):
                if access.is_expected_at_meetings:
                    expected |= Q(group_id=access.group.pk)
                continue
            if not access.holds_membership:
                continue
            zone = zoneinfo.ZoneInfo(access.group.time_zone)
            block = Q(group_id=access.group.pk)
            if access.member_from:
                block &= Q(starts_at__gte=_midnight(access.member_from, zone))
            if access.member_until:
                block &= Q(starts_at__lt=_midnight(access.member_until + timedelta(days=1), zone))
            expected |= block
        return expected

    @property
    def led_group_ids(self) -> list[int]:
        return [access.group.pk for access in self.led]


def _midnight(day: date, zone: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


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
