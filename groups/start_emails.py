"""The emails of starting a group and of reaching its leaders: proposals, leaders invited by
address, messages to the leaders. Like groups/emails.py, each call writes an outbox row inside
the caller's transaction; keys make every message unique."""

from balint.outbox.services import enqueue_email
from groups.emails import _leaders, _links, absolute
from groups.start_models import GroupProposal, LeaderContact, LeaderInvite
from members.models import User


def proposal_received(proposal: GroupProposal) -> None:
    """Tell every member of staff that a proposal waits in their queue."""
    for person in User.objects.filter(is_staff=True, is_active=True):
        enqueue_email(
            key=f"proposal-received:{proposal.pk}:{person.pk}",
            to=person.email,
            template="proposal_received",
            context={
                "proposal": proposal,
                "person": person,
                "queue_url": absolute("groups:proposals"),
            },
        )


def proposal_decided(proposal: GroupProposal) -> None:
    """Tell the proposer that staff approved or declined their group."""
    context = {"proposal": proposal, "person": proposal.proposer}
    if proposal.group is not None:
        context |= _links(proposal.group) | {
            "settings_url": absolute("groups:settings", slug=proposal.group.slug)
        }
    enqueue_email(
        key=f"proposal-decided:{proposal.pk}",
        to=proposal.proposer.email,
        template="proposal_decided",
        context=context,
    )


def leader_invite(invite: LeaderInvite) -> None:
    enqueue_email(
        key=f"leader-invite:{invite.pk}",
        to=invite.email,
        template="leader_invite",
        context={
            **_links(invite.group),
            "invite": invite,
            "invited_by": invite.invited_by,
            "signup_url": absolute("account_signup"),
        },
    )


def contact_confirmation(contact: LeaderContact, *, token: str, days: int) -> None:
    """Ask the sender to prove their address; the token leaves the stored body once sent."""
    enqueue_email(
        key=f"contact-confirm:{contact.pk}",
        to=contact.sender_email,
        template="contact_confirm",
        context={
            "group": contact.group,
            "contact": contact,
            "confirm_url": absolute("groups:confirm_contact", token=token),
            "days": days,
        },
        secrets=[token],
    )


def contact_to_leaders(contact: LeaderContact) -> None:
    """The message itself, to each leader; the sender's address is in the body to reply to,
    and the leaders' addresses are never shown to the sender."""
    for leader in _leaders(contact.group):
        enqueue_email(
            key=f"leader-contact:{contact.pk}:{leader.pk}",
            to=leader.email,
            template="leader_contact",
            context={**_links(contact.group), "leader": leader, "contact": contact},
        )
