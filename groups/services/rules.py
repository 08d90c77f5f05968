"""The rules every group operation shares: counting places, writing a status with its history,
admitting a person and offering free places to the waitlist.

Every change to who holds a place in a group takes the group's lock first (locks.py), so the
memberships of a locked group cannot change under us.
"""

import datetime
import zoneinfo

from django.utils import timezone

from balint.audit import services as audit
from balint.errors import DomainError
from groups import emails, signals
from groups.models import (
    CURRENT_STATUSES,
    PLACE_HOLDING_STATUSES,
    BalintGroup,
    GroupStatus,
    Membership,
    MembershipEvent,
    MembershipStatus,
)
from members.models import User


class GroupError(DomainError):
    """A rule refused the operation; `message` says why, for the person who tried it."""


def places_taken(
    group: BalintGroup,
    *,
    starts_on: datetime.date | None = None,
    until: datetime.date | None = None,
) -> int:
    """The most places held on any one day from `starts_on` (or today) to `until` (or for ever):
    what a new membership for those days must fit beside. Blocks of cohorts that do not overlap
    those days do not count, so the next cohort fits while the last one is still meeting. For a
    block wholly in the past (history being entered), the blocks of those days count."""
    today = today_in(group)
    if until is not None and until < today:
        return _peak(_past_block_spans(group, starts_on or until, until), starts_on or until)
    first = max(starts_on or today, today)
    held = group.memberships.holding_place_on(first) | group.memberships.filter(
        status__in=PLACE_HOLDING_STATUSES, starts_on__gt=first
    )
    if until is not None:
        held = held.exclude(starts_on__gt=until)
    return _peak(list(held.values_list("starts_on", "until")), first)


def _past_block_spans(group: BalintGroup, first: datetime.date, last: datetime.date) -> list:
    ended = [MembershipStatus.LEFT, MembershipStatus.REMOVED]
    rows = group.memberships.filter(
        status__in=[*PLACE_HOLDING_STATUSES, *ended], starts_on__lte=last, until__gte=first
    ).values_list("starts_on", "until", "ended_on")
    return [(start, min(until, ended_on or until)) for start, until, ended_on in rows]


def _peak(spans: list, first: datetime.date) -> int:
    # The count only rises on a day some block starts, so those days (and the first) suffice.
    days = {first} | {start for start, _ in spans if start and start > first}
    return max(
        sum(1 for start, end in spans if (start or day) <= day <= (end or day)) for day in days
    )


def get_membership(group: BalintGroup, membership_id: int) -> Membership:
    try:
        return group.memberships.select_related("person", "group").get(pk=membership_id)
    except Membership.DoesNotExist:
        raise GroupError("That person is not on this group's roster.") from None


def current_membership(group: BalintGroup, person: User) -> Membership | None:
    return (
        group.memberships.select_related("person", "group")
        .filter(person=person, status__in=CURRENT_STATUSES)
        .first()
    )


def today_in(group: BalintGroup) -> datetime.date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(group.time_zone))


def set_status(membership: Membership, status: str, *, by: User | None, **fields) -> Membership:
    """Write a new status, its dates and a history event."""
    now = timezone.now()
    dates = {
        MembershipStatus.WAITLISTED: "waitlisted_at",
        MembershipStatus.OFFERED: "offered_at",
        MembershipStatus.ACTIVE: "joined_at",
    }
    if status in dates:
        fields[dates[status]] = now
    elif status not in CURRENT_STATUSES:
        fields.setdefault("ended_at", now)
        fields.setdefault("ended_on", today_in(membership.group))
    previous = membership.status
    change = f"{membership.get_status_display()} → " if membership.pk else ""
    for name, value in fields.items():
        setattr(membership, name, value)
    membership.status = status
    membership.updated_by = by
    membership.save()
    MembershipEvent.objects.create(membership=membership, status=status, by=by)
    audit.record_in_group(
        membership,
        by=by,
        area=audit.Area.ROSTER,
        action=f"membership.{status}",
        summary=f"{membership.person}: {change}{membership.get_status_display()}",
    )
    _announce(membership, previous=previous)
    return membership


def _announce(membership: Membership, *, previous: str) -> None:
    """Tell the layers above that a membership became active or an active one ended."""
    active = MembershipStatus.ACTIVE
    if membership.status == active and previous != active:
        signals.membership_activated.send(sender=Membership, membership=membership)
    elif previous == active and membership.status != active:
        signals.membership_ended.send(
            sender=Membership, membership=membership, previous_status=previous
        )


def start_membership(
    group: BalintGroup, person: User, status: str, *, by: User | None, note: str = ""
) -> Membership:
    membership = Membership(group=group, person=person, note=note)
    return set_status(membership, status, by=by)


def waitlist_position(membership: Membership) -> int:
    """1 for the first person on the waitlist (the order in which places are offered)."""
    queue = membership.group.memberships.filter(status=MembershipStatus.WAITLISTED)
    order = list(queue.order_by("waitlisted_at", "pk").values_list("pk", flat=True))
    return order.index(membership.pk) + 1 if membership.pk in order else len(order) + 1


def admit(group: BalintGroup, membership: Membership, *, by: User | None) -> Membership:
    """Make a requesting person a member, or put them on the waitlist when the group is full."""
    if places_taken(group) < group.capacity:
        set_status(membership, MembershipStatus.ACTIVE, by=by)
        emails.join_approved(membership)
    else:
        set_status(membership, MembershipStatus.WAITLISTED, by=by)
        emails.waitlisted(membership, position=waitlist_position(membership))
    return membership


def offer_free_places(group: BalintGroup) -> list[Membership]:
    """Offer each free place to the next person on the waitlist (the group must be locked).
    Offers are automatic, so their history event has no `by`."""
    if group.status == GroupStatus.CLOSED:
        return []
    free = group.capacity - places_taken(group)
    waiting = group.memberships.select_related("person", "group").filter(
        status=MembershipStatus.WAITLISTED
    )
    offered = list(waiting.order_by("waitlisted_at", "pk")[: max(free, 0)])
    for membership in offered:
        set_status(membership, MembershipStatus.OFFERED, by=None)
        emails.place_offered(membership)
    return offered


def full_message(group: BalintGroup) -> str:
    return (
        f"The group is full ({group.capacity} of {group.capacity} places are taken). "
        "Remove someone or raise the capacity first."
    )
