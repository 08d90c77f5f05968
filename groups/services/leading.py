"""A group's settings and leaders, and creating a group (see groups/services/__init__.py)."""

from typing import Any

from django.db import IntegrityError, transaction

from balint.audit import services as audit
from groups import emails, signals
from groups.models import BalintGroup, LeaderRole, Leadership, MembershipStatus
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
def appoint_leader(*, group: BalintGroup, email: str, role: str, by: User) -> Leadership:
    """Make an existing account a leader or co-leader of the group (ending a membership they
    hold). GroupError if there is no such account or they lead it already."""
    group = lock_group(group)
    person = User.objects.filter(email__iexact=email.strip()).first()
    if person is None:
        raise GroupError(f"No one has an account with {email.strip()}. Ask them to sign up first.")
    if Leadership.objects.filter(group=group, person=person).exists():
        raise GroupError(f"{person} leads this group already.")
    leadership = _appoint(group, person, role, by=by)
    # A leader does not hold a member's place: the place goes to the waitlist.
    membership = current_membership(group, person)
    if membership is not None:
        set_status(membership, MembershipStatus.LEFT, by=by)
        offer_free_places(group)
    return leadership


def _appoint(group: BalintGroup, person: User, role: str, *, by: User) -> Leadership:
    leadership = Leadership.objects.create(group=group, person=person, role=role)
    audit.record_in_group(
        leadership,
        by=by,
        area=audit.Area.ROSTER,
        action="leader.appoint",
        summary=f"Appointed {person} as {leadership.get_role_display().lower()}",
    )
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


def create_group(*, by: User, fields: dict[str, Any], leader_emails: list[str]) -> BalintGroup:
    """Create a group with its leaders (the first is the leader, the others co-leaders).
    GroupError if the web address is taken or a leader has no account."""
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
                person = User.objects.filter(email__iexact=email.strip()).first()
                if person is None:
                    raise GroupError(f"No one has an account with {email}.")
                role = LeaderRole.LEADER if position == 0 else LeaderRole.CO_LEADER
                _appoint(group, person, role, by=by)
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
