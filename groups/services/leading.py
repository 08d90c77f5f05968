"""A group's settings and leaders, and creating a group (see groups/services/__init__.py)."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from balint.audit import services as audit
from groups import emails, signals, start_emails
from groups.models import BalintGroup, LeaderInvite, LeaderRole, Leadership, MembershipStatus
from groups.services.locks import lock_group
from groups.services.rules import (
    GroupError,
    current_membership,
    offer_free_places,
    places_taken,
    set_status,
)
from members.models import User

# What a leader may change in a group's settings, in the order the form shows them.
SETTINGS_FIELDS = (
    "name",
    "description",
    "audiences",
    "format",
    "town",
    "country",
    "region",
    "time_zone",
    "capacity",
    "taster_seats",
    "accepting_members",
    "status",
    "room",
    "meeting_link",
)


@transaction.atomic
def update_group_settings(*, group: BalintGroup, by: User, changes: dict[str, Any]) -> BalintGroup:
    """Change a group's settings; a raised capacity offers places to the waitlist. GroupError
    if the capacity would fall below the places already taken."""
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Leaders cannot change {', '.join(sorted(unknown))}.")
    group = lock_group(group)
    taken = places_taken(group)
    if changes.get("capacity", group.capacity) < taken:
        raise GroupError(
            f"{taken} places are taken, so the capacity cannot be lower than {taken}. "
            "Remove members first."
        )
    changes = dict(changes)
    audiences = changes.pop("audiences", None)
    changed = [name for name, value in changes.items() if getattr(group, name) != value]
    if audiences is not None and set(audiences) != set(group.audiences.all()):
        changed.append("audiences")
    for name, value in changes.items():
        setattr(group, name, value)
    group.save()
    if audiences is not None:
        group.audiences.set(audiences)
    places = [name for name in ("room", "meeting_link") if name in changed]
    if places:
        signals.meeting_place_changed.send(sender=BalintGroup, group=group, fields=places)
    names = [str(BalintGroup._meta.get_field(name).verbose_name) for name in changed]
    audit.record_in_group(
        group,
        by=by,
        area=audit.Area.ROSTER,
        action="group.settings",
        summary=f"Changed the group's settings: {', '.join(names) or 'nothing'}",
    )
    offer_free_places(group)
    return group


@transaction.atomic
def appoint_leader(
    *, group: BalintGroup, email: str, role: str, by: User
) -> Leadership | LeaderInvite:
    """Make an account a leader or co-leader of the group (ending a membership they hold); an
    address with no account is invited to sign up and leads once it does. GroupError if they
    lead it already or were invited already."""
    group = lock_group(group)
    email = email.strip()
    person = User.objects.filter(email__iexact=email).first()
    if person is None:
        return invite_leader(group, email, role, by=by)
    if Leadership.objects.filter(group=group, person=person).exists():
        raise GroupError(f"{person} leads this group already.")
    return _appoint_and_free_place(group, person, role, by=by)


def _appoint_and_free_place(
    group: BalintGroup, person: User, role: str, *, by: User | None, tell: bool = True
) -> Leadership:
    leadership = _appoint(group, person, role, by=by, tell=tell)
    # A leader does not hold a member's place: the place goes to the waitlist.
    membership = current_membership(group, person)
    if membership is not None:
        set_status(membership, MembershipStatus.LEFT, by=by)
        offer_free_places(group)
    return leadership


def invite_leader(group: BalintGroup, email: str, role: str, *, by: User) -> LeaderInvite:
    """Invite an address with no account to lead the group (the group must be locked)."""
    if group.leader_invites.filter(email__iexact=email, accepted_at__isnull=True).exists():
        raise GroupError(f"{email} has already been invited to lead; they lead once they sign up.")
    invite = LeaderInvite.objects.create(group=group, email=email, role=role, invited_by=by)
    audit.record_in_group(
        invite,
        by=by,
        area=audit.Area.INVITATIONS,
        action="leader_invite.send",
        summary=f"Invited {email} to sign up and lead the group "
        f"({invite.get_role_display().lower()})",
    )
    start_emails.leader_invite(invite)
    return invite


def _appoint(
    group: BalintGroup, person: User, role: str, *, by: User | None, tell: bool = True
) -> Leadership:
    leadership = Leadership.objects.create(group=group, person=person, role=role)
    audit.record_in_group(
        leadership,
        by=by,
        area=audit.Area.ROSTER,
        action="leader.appoint",
        summary=f"Appointed {person} as {leadership.get_role_display().lower()}",
    )
    if tell:
        emails.leader_appointed(leadership, by=by)
    signals.leadership_started.send(sender=Leadership, leadership=leadership)
    return leadership


@transaction.atomic
def remove_leader(*, group: BalintGroup, leadership_id: int, by: User) -> Leadership:
    """Stand a leader down. GroupError if they are the group's last leader."""
    group = lock_group(group)
    leadership = group.leaderships.select_related("person").filter(pk=leadership_id).first()
    if leadership is None:
        raise GroupError("That person does not lead this group.")
    if group.leaderships.count() <= 1:
        raise GroupError("A group needs at least one leader: appoint another leader first.")
    leadership_id = leadership.pk
    audit.record_in_group(
        leadership,
        by=by,
        area=audit.Area.ROSTER,
        action="leader.remove",
        summary=f"Stood {leadership.person} down as {leadership.get_role_display().lower()}",
    )
    leadership.delete()
    signals.leadership_ended.send(
        sender=Leadership, leadership=leadership, leadership_id=leadership_id
    )
    return leadership


def create_group(
    *,
    by: User,
    fields: dict[str, Any],
    leader_emails: list[str],
    co_leader_role: str = LeaderRole.CO_LEADER,
    quiet: frozenset[str] = frozenset(),
) -> BalintGroup:
    """Create a group with its leaders: the first address is the leader, the others take
    `co_leader_role`; an address with no account is invited to sign up and lead. Addresses in
    `quiet` are not sent the "you lead" email (they hear another way). GroupError if the web
    address is taken or no address is given."""
    fields = dict(fields)
    audiences = fields.pop("audiences", [])
    unique_emails = list(dict.fromkeys(email.strip().lower() for email in leader_emails))
    if not unique_emails:
        raise GroupError("A group needs at least one leader.")
    try:
        with transaction.atomic():
            group = BalintGroup.objects.create(**fields)
            group.audiences.set(audiences)
            for position, email in enumerate(unique_emails):
                role = LeaderRole.LEADER if position == 0 else co_leader_role
                person = User.objects.filter(email__iexact=email).first()
                if person is None:
                    invite_leader(group, email, role, by=by)
                else:
                    _appoint(group, person, role, by=by, tell=email not in quiet)
            audit.record_in_group(
                group,
                by=by,
                area=audit.Area.ROSTER,
                action="group.create",
                summary=f"Created the group {group.name}",
            )
    except IntegrityError:
        # The form checked the address; another member of staff took it in the meantime.
        slug = fields["slug"]
        raise GroupError(f"Another group already uses the web address “{slug}”.") from None
    return group


@transaction.atomic
def change_leader_role(
    *, group: BalintGroup, leadership_id: int, role: str, by: User
) -> Leadership:
    """Make a co-leader a leader of equal standing, or a leader a co-leader, in one step.
    GroupError if they have that role already or the group would have no leader left."""
    group = lock_group(group)
    leadership = group.leaderships.select_related("person").filter(pk=leadership_id).first()
    if leadership is None:
        raise GroupError("That person does not lead this group.")
    if leadership.role == role:
        raise GroupError(f"{leadership.person} is {leadership.get_role_display().lower()} already.")
    others_lead = group.leaderships.filter(role=LeaderRole.LEADER).exclude(pk=leadership.pk)
    if role != LeaderRole.LEADER and not others_lead.exists():
        raise GroupError("A group needs at least one leader: make someone else a leader first.")
    leadership.role = role
    leadership.save(update_fields=["role"])
    audit.record_in_group(
        leadership,
        by=by,
        area=audit.Area.ROSTER,
        action="leader.role",
        summary=f"Made {leadership.person} {leadership.get_role_display().lower()}",
    )
    return leadership


@transaction.atomic
def set_listing(*, group: BalintGroup, listing: str, by: User) -> BalintGroup:
    """Choose who can find the group: listed, unlisted or closed to newcomers."""
    group = lock_group(group)
    if group.listing == listing:
        return group
    group.listing = listing
    group.save(update_fields=["listing", "updated_at"])
    audit.record_in_group(
        group,
        by=by,
        area=audit.Area.ROSTER,
        action="group.listing",
        summary=f"Changed who can find the group: {group.get_listing_display()}",
    )
    return group


def accept_leader_invites(*, user: User, email: str) -> list[Leadership]:
    """Make a newly proved address a leader of every group it was invited to lead. Safe to
    call twice."""
    invite_ids = LeaderInvite.objects.filter(
        email__iexact=email, accepted_at__isnull=True
    ).values_list("pk", flat=True)
    leaderships = []
    for invite_id in list(invite_ids):
        leadership = _accept_leader_invite(invite_id=invite_id, user=user)
        if leadership is not None:
            leaderships.append(leadership)
    return leaderships


@transaction.atomic
def _accept_leader_invite(*, invite_id: int, user: User) -> Leadership | None:
    invite = LeaderInvite.objects.select_related("group", "invited_by").get(pk=invite_id)
    group = lock_group(invite.group)
    invite.refresh_from_db(fields=["accepted_at"])
    if invite.accepted_at is not None:
        return None
    leadership = Leadership.objects.filter(group=group, person=user).first()
    if leadership is None:
        leadership = _appoint_and_free_place(group, user, invite.role, by=invite.invited_by)
    invite.accepted_at = timezone.now()
    invite.leadership = leadership
    invite.save(update_fields=["accepted_at", "leadership"])
    return leadership
