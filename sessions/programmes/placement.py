"""Placing a cohort's trainees in the programme's groups, as members, through the groups layer's
own operation: it takes the group's lock, respects its capacity, writes the history and the
emails. This module only records the cohort's placement and reports person by person."""

from dataclasses import dataclass, field

from django.db import transaction

from balint.errors import DomainError
from groups.models import BalintGroup, PendingMembershipInvite
from groups.services import GroupError, add_member_by_email
from members.models import User
from sessions.programmes.models import Cohort, CohortPlacement


class PlacementError(DomainError):
    """The placement was refused as a whole; the message says why."""


@dataclass
class PlacementReport:
    placed: list[str] = field(default_factory=list)
    invited: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def cohort_addresses(cohort: Cohort) -> dict[str, str]:
    """The addresses that may be placed: current trainees, with their names. An address only
    invited is not placed until its person accepts: placing it would add someone to a group
    (and show the admin their name on its roster) before they said yes."""
    people = User.objects.filter(
        enrolments__cohort=cohort, enrolments__left_on__isnull=True
    ).order_by("display_name")
    return {person.email.lower(): f"{person.display_name} ({person.email})" for person in people}


@transaction.atomic
def place_trainees(
    *, cohort: Cohort, group: BalintGroup, emails: list[str], by: User
) -> PlacementReport:
    """Make each trainee a member of `group` (an address without an account joins when it signs
    up). Refusals, such as a full group, are reported per person; the others are placed.
    PlacementError if the group is not one of the cohort's programme's."""
    if group.programme_id != cohort.programme_id:
        raise PlacementError("That group does not belong to this cohort's programme.")
    CohortPlacement.objects.get_or_create(cohort=cohort, group=group, defaults={"placed_by": by})
    allowed = cohort_addresses(cohort)
    report = PlacementReport()
    for email in dict.fromkeys(e.strip().lower() for e in emails if e.strip()):
        label = allowed.get(email, email)
        if email not in allowed:
            report.refused.append((label, "is not a current trainee of this cohort."))
            continue
        try:
            # Its own savepoint: a refusal undoes that person only.
            result = add_member_by_email(group=group, email=email, by=by)
        except GroupError as error:
            report.refused.append((label, error.message))
        else:
            target = (
                report.invited if isinstance(result, PendingMembershipInvite) else report.placed
            )
            target.append(label)
    return report
