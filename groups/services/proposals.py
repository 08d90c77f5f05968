"""Starting a group: anyone signed in proposes one with the form staff use; staff approve it
(the proposer then leads it) or decline it. Staff, and people staff allow, start groups at once.
"""

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from balint.audit import services as audit
from groups import start_emails
from groups.models import BalintGroup, GroupProposal, LeaderRole
from groups.services.leading import create_group
from groups.services.rules import GroupError
from groups.start_models import ProposalState
from members.models import User


def may_start_directly(person: User) -> bool:
    return person.is_staff or person.may_create_groups


def to_json(fields: dict[str, Any]) -> dict[str, Any]:
    """The group form's cleaned values as JSON: related rows become their ids."""
    stored = {}
    for name, value in fields.items():
        if isinstance(value, models.Model):
            stored[name] = value.pk
        elif isinstance(value, (models.QuerySet, list, tuple)):
            stored[name] = [getattr(item, "pk", item) for item in value]
        else:
            stored[name] = value
    return stored


def from_json(stored: dict[str, Any]) -> dict[str, Any]:
    """`to_json` undone against today's rows (one that has gone since is left out)."""
    fields = {}
    for name, value in stored.items():
        field = BalintGroup._meta.get_field(name)
        if field.many_to_many:
            fields[name] = list(field.related_model.objects.filter(pk__in=value))
        elif field.many_to_one:
            fields[name] = field.related_model.objects.filter(pk=value).first() if value else None
        else:
            fields[name] = value
    return fields


def propose_group(
    *,
    by: User,
    fields: dict[str, Any],
    co_leader_emails: list[str],
    co_leader_role: str = LeaderRole.LEADER,
) -> GroupProposal | BalintGroup:
    """Propose a group that `by` will lead. Staff and people allowed to create groups get the
    group at once; anyone else's proposal waits for staff, who are told by email."""
    co_leaders = [email for email in co_leader_emails if email.lower() != by.email.lower()]
    if may_start_directly(by):
        return create_group(
            by=by,
            fields=fields,
            leader_emails=[by.email, *co_leaders],
            co_leader_role=co_leader_role,
            quiet=frozenset({by.email.lower()}),
        )
    with transaction.atomic():
        proposal = GroupProposal.objects.create(
            proposer=by,
            name=fields["name"],
            slug=fields["slug"],
            fields=to_json(fields),
            co_leader_emails=co_leaders,
            co_leader_role=co_leader_role,
        )
        audit.record(
            actor=by,
            area=audit.Area.ROSTER,
            action="group.propose",
            summary=f"Proposed a group: {proposal.name}",
            target=proposal,
        )
        start_emails.proposal_received(proposal)
    return proposal


def _lock_pending(proposal_id: int) -> GroupProposal:
    proposal = (
        GroupProposal.objects.select_for_update(of=("self",))
        .select_related("proposer")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise GroupError("There is no such proposal.")
    if proposal.state != ProposalState.PENDING:
        raise GroupError(f"This proposal was {proposal.get_state_display().lower()} already.")
    return proposal


@transaction.atomic
def approve_proposal(*, proposal_id: int, by: User) -> GroupProposal:
    """Create the proposed group with the proposer as its leader and tell them. GroupError if
    it was decided already or its web address has been taken since."""
    proposal = _lock_pending(proposal_id)
    proposer = proposal.proposer
    group = create_group(
        by=by,
        fields=from_json(proposal.fields),
        leader_emails=[proposer.email, *proposal.co_leader_emails],
        co_leader_role=proposal.co_leader_role,
        quiet=frozenset({proposer.email.lower()}),
    )
    return _decide(proposal, ProposalState.APPROVED, by=by, group=group)


@transaction.atomic
def decline_proposal(*, proposal_id: int, by: User, note: str = "") -> GroupProposal:
    """Decline a proposal and tell the proposer why. GroupError if it was decided already."""
    proposal = _lock_pending(proposal_id)
    return _decide(proposal, ProposalState.DECLINED, by=by, note=note)


def _decide(
    proposal: GroupProposal,
    state: str,
    *,
    by: User,
    group: BalintGroup | None = None,
    note: str = "",
) -> GroupProposal:
    proposal.state = state
    proposal.decided_at = timezone.now()
    proposal.decided_by = by
    proposal.decision_note = note
    proposal.group = group
    proposal.save()
    verb = "Approved" if state == ProposalState.APPROVED else "Declined"
    audit.record(
        actor=by,
        area=audit.Area.ROSTER,
        action=f"group.proposal.{state}",
        summary=f"{verb} {proposal.proposer}'s proposed group {proposal.name}",
        where=group or "",
        target=proposal,
    )
    start_emails.proposal_decided(proposal)
    return proposal


@transaction.atomic
def allow_group_creation(*, email: str, allowed: bool, by: User) -> User:
    """Let a person start groups without approval, or stop them. GroupError if no account has
    the address."""
    person = User.objects.select_for_update().filter(email__iexact=email.strip()).first()
    if person is None:
        raise GroupError(f"No one has an account with {email.strip()}.")
    if person.may_create_groups != allowed:
        person.may_create_groups = allowed
        person.save(update_fields=["may_create_groups"])
        audit.record(
            actor=by,
            area=audit.Area.ROSTER,
            action="member.may_create_groups",
            summary=(
                f"Allowed {person} to create groups directly"
                if allowed
                else f"Stopped {person} creating groups directly"
            ),
            target=person,
        )
    return person
