"""The groups' pages: public (finder, group page), joining, the roster and managing a group."""

from groups.views import contact, leaders, proposals
from groups.views.joining import accept_offer, leave, mine, request_to_join
from groups.views.manage import appoint_leader, create_group, group_settings, remove_leader
from groups.views.public import detail, finder
from groups.views.roster import (
    add_member,
    approve,
    cancel_invite,
    decline,
    promote,
    remove,
    roster,
    roster_csv,
)

__all__ = [
    "accept_offer",
    "add_member",
    "appoint_leader",
    "approve",
    "cancel_invite",
    "contact",
    "create_group",
    "decline",
    "detail",
    "finder",
    "group_settings",
    "leaders",
    "leave",
    "mine",
    "promote",
    "proposals",
    "remove",
    "remove_leader",
    "request_to_join",
    "roster",
    "roster_csv",
]
