"""The group's row lock: the one lock every change to a group and to what hangs from it takes
first (memberships, leaders, the schedule and its meetings, taster seats and invitations).

Lock order: the group, then the meeting (then a row of that meeting's, such as a taster booking).
Every operation that needs more than one lock takes them in this order, so two operations never
hold one lock each while waiting for the other's (a deadlock).
"""

from groups.models import BalintGroup


def lock_group(group: BalintGroup | int) -> BalintGroup:
    """Lock and re-read the group row (given as a row or an id). Must be called inside a
    transaction.

    Two leaders approving the last place at the same moment would both count 9 of 10 and both
    write: the lock makes the second wait and count again after the first has committed.
    """
    group_id = group if isinstance(group, int) else group.pk
    return BalintGroup.objects.select_for_update().get(pk=group_id)
