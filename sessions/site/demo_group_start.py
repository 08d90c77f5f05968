"""Demo data for starting groups and who can find them: an employer's unlisted group, a group
closed to newcomers, a proposal waiting in the staff's queue, and someone staff allow to create
groups directly. Safe to run again."""

from groups.models import BalintGroup, GroupProposal, LeaderRole, Leadership, Listing
from groups.start_models import ProposalState

UNLISTED = {
    "slug": "riverside-hospital-staff",
    "name": "Riverside Hospital staff Balint group",
    "description": "For doctors, nurse practitioners and psychologists of Riverside Hospital. "
    "Twice a month, with two facilitators.",
    "format": "hybrid",
    "town": "Riverside Hospital",
    "region": "north_west",
    "capacity": 10,
    "taster_seats": 1,
    "listing": Listing.UNLISTED,
}


def seed_group_start(people: dict) -> None:
    group, _ = BalintGroup.objects.get_or_create(slug=UNLISTED["slug"], defaults=UNLISTED)
    # Two facilitators of equal standing.
    for email in ("priya.raman@example.org", "tom.okafor@example.org"):
        Leadership.objects.get_or_create(
            group=group, person=people[email], defaults={"role": LeaderRole.LEADER}
        )
    people["priya.raman@example.org"].may_create_groups = True
    people["priya.raman@example.org"].save(update_fields=["may_create_groups"])
    if not GroupProposal.objects.filter(slug="southmead-nurses-balint").exists():
        GroupProposal.objects.create(
            proposer=people["member@example.org"],
            name="Southmead nurses' Balint group",
            slug="southmead-nurses-balint",
            state=ProposalState.PENDING,
            fields={
                "name": "Southmead nurses' Balint group",
                "slug": "southmead-nurses-balint",
                "description": "Monthly, for practice and community nurses.",
                "format": "in_person",
                "town": "Southmead, Bristol",
                "region": "south_west",
                "time_zone": "Europe/London",
                "capacity": 8,
                "taster_seats": 2,
                "accepting_members": True,
                "listing": Listing.LISTED,
                "room": "",
                "meeting_link": "",
                "audiences": [],
            },
        )
