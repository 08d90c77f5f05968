"""Business operations on groups, leaders and memberships.

Each operation runs in one transaction: it locks the group row, re-checks the rule against fresh
rows, writes the change with its history (MembershipEvent) and its emails (outbox rows), and
raises `GroupError` with a message for the person when a rule refuses it. Views only catch that.

Lock order: the group row first, then anything in it (locks.py). Every change to who holds a
place in a group takes the group's lock, so the memberships of a locked group cannot change under
us.
"""

from groups.services.blocks import end_finished_blocks
from groups.services.joining import (
    accept_offer,
    accept_pending_invites,
    add_member_by_email,
    approve_request,
    cancel_invite,
    decline_request,
    expire_offers,
    leave_group,
    promote_from_waitlist,
    remove_member,
    request_to_join,
)
from groups.services.leading import (
    SETTINGS_FIELDS,
    accept_leader_invites,
    appoint_leader,
    change_leader_role,
    create_group,
    remove_leader,
    set_listing,
    update_group_settings,
)
from groups.services.locks import lock_group
from groups.services.rules import GroupError, places_taken, today_in, waitlist_position

__all__ = [
    "SETTINGS_FIELDS",
    "GroupError",
    "accept_leader_invites",
    "accept_offer",
    "accept_pending_invites",
    "add_member_by_email",
    "appoint_leader",
    "approve_request",
    "cancel_invite",
    "change_leader_role",
    "create_group",
    "decline_request",
    "end_finished_blocks",
    "expire_offers",
    "leave_group",
    "lock_group",
    "places_taken",
    "promote_from_waitlist",
    "remove_leader",
    "remove_member",
    "request_to_join",
    "set_listing",
    "today_in",
    "update_group_settings",
    "waitlist_position",
]
