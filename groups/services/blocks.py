"""Memberships bounded by a block's dates end by themselves when the block is over.

A cohort placed in a group for its block holds its places from `starts_on` to `until`. Counting
places already ignores a block that is over (`MembershipQuerySet.holding_place_on`), so the next
cohort fits at once; this scan then writes the end into the roster and its history, as if each
trainee had left on the block's last day, and offers any place now free to the waitlist.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from balint.audit import services as audit
from groups.models import (
    PLACE_HOLDING_STATUSES,
    BalintGroup,
    Membership,
    MembershipEvent,
    MembershipStatus,
)
from groups.services.locks import lock_group
from groups.services.rules import offer_free_places, set_status, today_in


def end_finished_blocks(
    *, group: BalintGroup | None = None, today: datetime.date | None = None
) -> list[Membership]:
    """End every membership whose block is over (in its group's time zone), in `group` or in
    every group. Returns those it ended; running it again ends nothing more."""
    # A day's margin: the zones ahead of UTC are already on the next day.
    horizon = (today or timezone.localdate()) + datetime.timedelta(days=1)
    due = Membership.objects.filter(status__in=PLACE_HOLDING_STATUSES, until__lt=horizon)
    if group is not None:
        due = due.filter(group=group)
    ended: list[Membership] = []
    for group_id in sorted(set(due.values_list("group_id", flat=True))):
        ended += _end_in_group(group_id=group_id, today=today)
    return ended


@transaction.atomic
def _end_in_group(*, group_id: int, today: datetime.date | None) -> list[Membership]:
    """Under the group's lock, re-check and end its finished blocks (the lock keeps a leader's
    removal and this scan from ending the same membership twice)."""
    group = lock_group(BalintGroup(pk=group_id))
    today = today or today_in(group)
    due = group.memberships.select_related("person", "group").filter(
        status__in=PLACE_HOLDING_STATUSES, until__lt=today
    )
    ended = [
        set_status(membership, MembershipStatus.LEFT, by=None, ended_on=membership.until)
        for membership in due
    ]
    if ended:
        offer_free_places(group)
    return ended


def record_past_block(
    group: BalintGroup, person, *, starts_on: datetime.date, until: datetime.date, by
) -> Membership:
    """Enter a block that is already over (history: a programme starting mid-year), under the
    group's lock held by the caller: the membership is written as ended on its last day, with
    its history, and nobody is emailed or sent calendar entries for meetings long past."""
    membership = Membership.objects.create(
        group=group,
        person=person,
        status=MembershipStatus.LEFT,
        starts_on=starts_on,
        until=until,
        ended_on=until,
        ended_at=timezone.now(),
        updated_by=by,
    )
    MembershipEvent.objects.bulk_create(
        MembershipEvent(membership=membership, status=status, by=by)
        for status in (MembershipStatus.ACTIVE, MembershipStatus.LEFT)
    )
    audit.record_in_group(
        membership,
        by=by,
        area=audit.Area.ROSTER,
        action="membership.past_block",
        summary=f"{person}: recorded afterwards as a member from {starts_on} to {until}",
    )
    return membership
