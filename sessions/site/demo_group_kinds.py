"""The demo's groups beyond the UK and its group agreements: a US group of physicians and nurse
practitioners in Ohio that meets on the 2nd and 4th Thursday with two facilitators, and an
agreement for the online group that most of its members have accepted."""

from datetime import time

from django.utils import timezone

from groups.agreements.models import AgreementAcceptance
from groups.agreements.services import current_agreement, save_agreement
from groups.models import Audience, BalintGroup, Format, LeaderRole, Leadership, MembershipStatus
from sessions.meetings.models import Frequency, Weekday, WeekOfMonth
from sessions.site.demo_meetings import _ensure_schedule

ONLINE_AGREEMENT = """\
What is said in the group stays in the group: we do not talk about one another's cases outside it.
Join from a private room where nobody else can hear, with your camera on.
Nobody records the meeting, takes screenshots or keeps notes that name anyone.
Please join on time; if you cannot come, send your apologies from the meeting's page.
The leaders may pause the discussion to keep it about the clinician and the patient."""

US_GROUP = {
    "name": "Riverside Health Balint Group (Ohio)",
    "description": (
        "A group for physicians and nurse practitioners at Riverside Health in Columbus, "
        "facilitated by two American Balint Society leaders. We meet twice a month at lunchtime."
    ),
    "format": Format.HYBRID,
    "town": "Columbus",
    "country": "US",
    "region": "us-oh",
    "time_zone": "America/New_York",
    "capacity": 10,
    "taster_seats": 1,
    "room": "Riverside Health, Education Building, Conference Room 2B",
    "meeting_link": "https://meet.example.org/riverside-ohio-4p2d",
}
US_SCHEDULE = {
    "frequency": Frequency.TWICE_MONTHLY,
    "weekday": Weekday.THURSDAY,
    "week_of_month": WeekOfMonth.SECOND,
    "second_week_of_month": WeekOfMonth.FOURTH,
    "start_time": time(12, 15),
    "duration_minutes": 75,
    "months_ago": 1,
}


def seed_group_kinds(people: dict, make_person) -> None:
    """Called by `seed_demo` with its people and its way of making a demo account."""
    facilitators = [
        make_person("maria.alvarez@example.org", "Dr Maria Alvarez"),
        make_person("james.carter@example.org", "James Carter, NP"),
    ]
    group, _ = BalintGroup.objects.get_or_create(slug="riverside-ohio", defaults=US_GROUP)
    group.audiences.set(Audience.objects.filter(slug__in=["physicians", "nurse-practitioners"]))
    for person, role in zip(facilitators, [LeaderRole.LEADER, LeaderRole.CO_LEADER], strict=True):
        Leadership.objects.get_or_create(group=group, person=person, defaults={"role": role})
    for number in (18, 19, 20):
        group.memberships.get_or_create(
            person=people[f"demo{number}@example.org"],
            status=MembershipStatus.ACTIVE,
            defaults={"joined_at": timezone.now()},
        )
    _ensure_schedule(group, US_SCHEDULE, facilitators[0], timezone.now())

    online = BalintGroup.objects.get(slug="online-multiprofessional-balint")
    leader = people["priya.raman@example.org"]
    agreement = current_agreement(online) or save_agreement(
        group=online, by=leader, text=ONLINE_AGREEMENT, material=True
    )
    # Everyone but the last member has accepted, so the leaders' list shows both.
    members = online.memberships.filter(status=MembershipStatus.ACTIVE).order_by("pk")
    for membership in list(members)[:-1]:
        AgreementAcceptance.objects.get_or_create(version=agreement, person=membership.person)
