"""The emails a change to a group's roster sends. Each call writes an outbox row inside the
caller's transaction (so a rolled-back change sends nothing); keys make every message unique."""

from django.conf import settings
from django.urls import reverse

from balint.outbox.services import enqueue_email
from groups.models import BalintGroup, Leadership, Membership, PendingMembershipInvite
from members.models import User


def absolute(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs or None)


def _links(group: BalintGroup) -> dict:
    return {
        "group": group,
        "group_url": absolute("groups:detail", slug=group.slug),
        "roster_url": absolute("groups:roster", slug=group.slug),
        "mine_url": absolute("groups:mine"),
        "finder_url": absolute("groups:finder"),
        # The agreement's page belongs to the attendance layer; it is named here, not imported.
        "agreement_url": absolute("meetings:agreement", slug=group.slug),
        "has_agreement": group.agreement_versions.exists(),
    }


def _leaders(group: BalintGroup) -> list[User]:
    return [ship.person for ship in Leadership.objects.filter(group=group).select_related("person")]


def _to_leaders(membership: Membership, *, template: str, key: str) -> None:
    for leader in _leaders(membership.group):
        enqueue_email(
            key=f"{key}:{membership.pk}:leader:{leader.pk}",
            to=leader.email,
            template=template,
            context={**_links(membership.group), "leader": leader, "membership": membership},
        )


def _to_person(membership: Membership, *, template: str, key: str, **context) -> None:
    enqueue_email(
        key=f"{key}:{membership.pk}",
        to=membership.person.email,
        template=template,
        context={
            **_links(membership.group),
            "person": membership.person,
            "membership": membership,
            **context,
        },
    )


def join_requested(membership: Membership) -> None:
    _to_leaders(membership, template="join_request", key="join-request")


def member_left(membership: Membership) -> None:
    _to_leaders(membership, template="member_left", key="member-left")


def join_approved(membership: Membership) -> None:
    _to_person(membership, template="join_approved", key="join-approved")


def waitlisted(membership: Membership, *, position: int) -> None:
    _to_person(membership, template="waitlisted", key="waitlisted", position=position)


def join_declined(membership: Membership, *, message: str) -> None:
    _to_person(membership, template="join_declined", key="join-declined", message=message)


def place_offered(membership: Membership) -> None:
    _to_person(
        membership,
        template="place_offered",
        key="place-offered",
        days=settings.WAITLIST_OFFER_DAYS,
    )


def offer_lapsed(membership: Membership) -> None:
    _to_person(membership, template="offer_lapsed", key="offer-lapsed")


def removed(membership: Membership) -> None:
    _to_person(membership, template="removed", key="removed")


def added_to_group(membership: Membership, *, by: User) -> None:
    _to_person(membership, template="added_to_group", key="added", added_by=by)


def group_invite(invite: PendingMembershipInvite) -> None:
    enqueue_email(
        key=f"group-invite:{invite.pk}",
        to=invite.email,
        template="group_invite",
        context={
            **_links(invite.group),
            "invite": invite,
            "invited_by": invite.invited_by,
            "signup_url": absolute("account_signup"),
        },
    )


def leader_appointed(leadership: Leadership, *, by: User) -> None:
    enqueue_email(
        key=f"leader-appointed:{leadership.pk}",
        to=leadership.person.email,
        template="leader_appointed",
        context={
            **_links(leadership.group),
            "person": leadership.person,
            "leadership": leadership,
            "appointed_by": by,
        },
    )
