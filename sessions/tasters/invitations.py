"""Taster invitations: invite one address or a pasted list, re-send, revoke, and open a link.

A link's token is random (256 bits) and only its SHA-256 hash is stored, so a database leak
reveals no working link and a re-send must make a new token (the old link stops working).
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateformat import format as date_format

from balint.audit import services as audit
from balint.errors import DomainError
from groups.access import roles_in_group
from groups.models import BalintGroup, GroupStatus, Leadership, Membership, MembershipStatus
from groups.services.locks import lock_group
from members.models import User
from sessions.tasters import emails
from sessions.tasters.models import (
    INVITATION_LIFETIME,
    BookingStatus,
    TasterInvitation,
    hash_token,
)

MAX_ADDRESSES = 200
EMAIL_MAX_LENGTH = 254


class TasterError(DomainError):
    """A taster operation refused; the message says why, for the person who asked."""


@dataclass(frozen=True)
class LineResult:
    """What became of one address of a pasted list."""

    line: int
    text: str
    outcome: str  # invited, invited_again, invalid, duplicate, leader, member, pending, booked
    message: str

    @property
    def sent(self) -> bool:
        return self.outcome in ("invited", "invited_again")


def split_addresses(text: str) -> list[tuple[int, str]]:
    """(line number, entry) for each address typed: one a line, or several separated by commas
    or semicolons, as mail programs copy them; "Name <address>" keeps the address."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        for part in re.split(r"[,;]", line):
            if part.strip():
                entries.append((number, part.strip()))
    return entries


def _address(entry: str) -> str | None:
    bracketed = re.search(r"<([^<>]*)>", entry)
    address = (bracketed.group(1) if bracketed else entry).strip().strip("'\"")
    if len(address) > EMAIL_MAX_LENGTH:
        return None
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def _new_token(invitation: TasterInvitation, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = now + INVITATION_LIFETIME
    invitation.sent_at = now
    invitation.send_count += 1
    return token


SEND_FIELDS = ["token_hash", "expires_at", "sent_at", "send_count", "inviter", "message"]


def _send(invitation: TasterInvitation, now: datetime) -> None:
    token = _new_token(invitation, now)
    # Only the sending fields: opening the link (which locks just the invitation) writes others.
    invitation.save(update_fields=SEND_FIELDS if invitation.pk else None)
    emails.invitation(invitation, token=token)


@transaction.atomic
def invite_tasters(
    *, group: BalintGroup, by: User, addresses: str, message: str = "", now: datetime | None = None
) -> list[LineResult]:
    """Invite each address typed to taste `group`, and report on every one: invalid addresses,
    the group's leaders and members, and people invited already are refused; the rest are
    emailed. Raises TasterError for a closed group or too long a list."""
    now = now or timezone.now()
    group = lock_group(group)
    if group.status == GroupStatus.CLOSED:
        raise TasterError("This group has closed, so it cannot invite tasters.")
    entries = split_addresses(addresses)
    if not entries:
        raise TasterError("Please enter at least one email address.")
    if len(entries) > MAX_ADDRESSES:
        raise TasterError(f"Please invite at most {MAX_ADDRESSES} addresses at a time.")
    parsed = [(line, text, _address(text)) for line, text in entries]
    known = _known_addresses(group, [a.lower() for _, _, a in parsed if a])
    results, seen = [], set()
    for line, text, address in parsed:
        if address is None:
            results.append(LineResult(line, text, "invalid", "This is not a valid email address."))
            continue
        key = address.lower()
        if key in seen:
            results.append(LineResult(line, text, "duplicate", "Listed more than once."))
            continue
        seen.add(key)
        results.append(_invite_one(group, by, address, message, known, now, line, text))
    return results


def _known_addresses(group: BalintGroup, addresses: list[str]) -> dict:
    """The leaders', members' and invited addresses among `addresses`, in four queries."""
    people = dict(
        User.objects.annotate(address=Lower("email"))
        .filter(address__in=addresses)
        .values_list("pk", "address")
    )
    leaders = Leadership.objects.filter(group=group, person_id__in=people).values_list(
        "person_id", flat=True
    )
    members = Membership.objects.filter(
        group=group, person_id__in=people, status=MembershipStatus.ACTIVE
    ).values_list("person_id", flat=True)
    invitations = (
        TasterInvitation.objects.annotate(address=Lower("email"))
        .filter(group=group, address__in=addresses, revoked_at__isnull=True)
        .select_related("booking")
    )
    return {
        "leaders": {people[pk] for pk in leaders},
        "members": {people[pk] for pk in members},
        "invitations": {
            i.address: i for i in invitations if i.booking_id is None or i.booking.is_open
        },
    }


def _invite_one(group, by, address, message, known, now, line, text) -> LineResult:
    key = address.lower()
    if key in known["leaders"]:
        return LineResult(line, text, "leader", "Leads this group.")
    if key in known["members"]:
        return LineResult(line, text, "member", "Already a member of this group.")
    existing = known["invitations"].get(key)
    if existing is not None and existing.booking_id is not None:
        return LineResult(line, text, "booked", "Invited already, and has booked a taster seat.")
    if existing is not None and not existing.is_expired(now):
        sent = date_format(timezone.localtime(existing.sent_at or existing.created_at), "j F")
        return LineResult(
            line,
            text,
            "pending",
            f"Invited already on {sent}, and the invitation is still open: "
            "re-send it from the list below if it went astray.",
        )
    if existing is not None:
        # The earlier invitation expired unused: it becomes this one, with a fresh link.
        existing.inviter, existing.message = by, message
        _send(existing, now)
        _audit(existing, by=by, action="send", summary=f"Invited {address} to a taster session")
        return LineResult(line, text, "invited_again", "Invited again (the earlier one expired).")
    invitation = TasterInvitation(
        group=group, email=address, inviter=by, message=message, created_at=now
    )
    try:
        with transaction.atomic():
            _send(invitation, now)
    except IntegrityError:
        return LineResult(line, text, "pending", "Invited already by someone else just now.")
    _audit(invitation, by=by, action="send", summary=f"Invited {address} to a taster session")
    return LineResult(line, text, "invited", "Invitation sent.")


def _locked(invitation: TasterInvitation) -> TasterInvitation:
    # The group first, as `invite_tasters` takes it: every change to a group's invitations is
    # serialised on it, so a revoke and a re-invite of the same address cannot cross.
    group = lock_group(invitation.group_id)
    invitation = TasterInvitation.objects.select_for_update().get(pk=invitation.pk)
    invitation.group = group
    return invitation


@transaction.atomic
def resend_invitation(
    *, invitation: TasterInvitation, by: User, now: datetime | None = None
) -> TasterInvitation:
    """Email the invitation again with a new link valid for another 30 days (the old link stops
    working). Raises TasterError if it was revoked or has been used to book."""
    now = now or timezone.now()
    invitation = _locked(invitation)
    if invitation.revoked_at is not None:
        raise TasterError("This invitation was revoked. Invite the address again instead.")
    if invitation.booking_id is not None:
        raise TasterError(f"{invitation.email} has booked a taster seat already.")
    _send(invitation, now)
    _audit(
        invitation, by=by, action="resend", summary=f"Re-sent the invitation to {invitation.email}"
    )
    return invitation


@transaction.atomic
def revoke_invitation(
    *, invitation: TasterInvitation, by: User, now: datetime | None = None
) -> TasterInvitation:
    """Make the invitation's link stop working. Raises TasterError if it was revoked already or
    has been used to book (their booking stands; they can cancel it themselves)."""
    invitation = _locked(invitation)
    if invitation.revoked_at is not None:
        raise TasterError("This invitation was revoked already.")
    if invitation.booking_id is not None:
        raise TasterError(f"{invitation.email} has booked a taster seat with it already.")
    invitation.revoked_at = now or timezone.now()
    invitation.save(update_fields=["revoked_at"])
    _audit(
        invitation, by=by, action="revoke", summary=f"Revoked the invitation to {invitation.email}"
    )
    return invitation


def _audit(invitation: TasterInvitation, *, by: User, action: str, summary: str) -> None:
    audit.record_in_group(
        invitation,
        by=by,
        area=audit.Area.INVITATIONS,
        action=f"taster_invitation.{action}",
        summary=summary,
    )


@dataclass(frozen=True)
class Opening:
    """What a link leads to. `outcome`: ok, preview (an inviter looking), member, forged,
    revoked, expired, taken (someone else took it up) or closed. `invitation` is given only
    where the page may show it; `group` where the group's public page may be named."""

    outcome: str
    group: BalintGroup | None = None
    invitation: TasterInvitation | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in ("ok", "preview")


@transaction.atomic
def open_invitation(*, token: str, user, now: datetime | None = None) -> Opening:
    """Resolve a link: mark the invitation opened, and let the signed-in person who is not in
    the group take it up (nobody else may use it then). Never raises for a bad token."""
    now = now or timezone.now()
    invitation = (
        TasterInvitation.objects.select_for_update(of=("self",))
        .select_related("group__programme", "booking__meeting")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        return Opening("forged")
    group = invitation.group
    signed_in = user.is_authenticated
    if invitation.accepted_by_id is not None and invitation.accepted_by_id != (user.pk or 0):
        return Opening("taken", group=None if group.status == GroupStatus.CLOSED else group)
    if invitation.revoked_at is not None:
        return Opening("revoked", group=group)
    if group.status == GroupStatus.CLOSED:
        return Opening("closed")
    if invitation.booking_id is None and invitation.is_expired(now):
        return Opening("expired", group=group)
    roles = roles_in_group(user, group) if signed_in else None
    if roles and roles.can_invite_tasters:
        return Opening("preview", group=group, invitation=invitation)
    if roles and roles.holds_membership:
        return Opening("member", group=group)
    changed = []
    if invitation.opened_at is None:
        invitation.opened_at = now
        changed.append("opened_at")
    if signed_in and invitation.accepted_by_id is None:
        invitation.accepted_by = user
        changed.append("accepted_by")
    if changed:
        invitation.save(update_fields=changed)
    return Opening("ok", group=group, invitation=invitation)


# Where the landing page keeps the invitation a visitor came from, for the sign-up that follows.
SIGNUP_SESSION_KEY = "taster_invitation"


def invitation_for_signup(invitation_id: int | None, *, now: datetime | None = None):
    """The open, untaken invitation whose landing page this browser opened, or None."""
    if not invitation_id:
        return None
    return (
        TasterInvitation.objects.filter(
            pk=invitation_id,
            revoked_at__isnull=True,
            accepted_by__isnull=True,
            expires_at__gt=now or timezone.now(),
        )
        .exclude(group__status=GroupStatus.CLOSED)
        .first()
    )


__all__ = [
    "BookingStatus",
    "LineResult",
    "Opening",
    "TasterError",
    "invitation_for_signup",
    "invite_tasters",
    "open_invitation",
    "resend_invitation",
    "revoke_invitation",
    "split_addresses",
]
