"""The load test's world, written into its own database, and the facts read back from it after.

Run in a process of its own, with the environment gunicorn gets (tests/load/test_load.py):

    python -m tests.load.world seed           prints, as JSON, who the simulated users are
    python -m tests.load.world facts DRAIN    waits up to DRAIN seconds for the outbox to empty,
                                              then prints, as JSON, what the database holds

The world: three training programmes (each with a cohort placed in its groups and two admins),
30 groups of 8 members and one or two leaders, each with three meetings to come that take tasters
(1 to 3 seats; a few hot meetings only 1), one meeting a few days ago whose register is open, and
four older meetings with their registers written; 100 trainees who would like a taster seat.
"""

import json
import random
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import django

ZONE = ZoneInfo("Europe/London")
TOWNS = [
    ("Cotham", "south_west"),
    ("Clifton", "south_west"),
    ("Bedminster", "south_west"),
    ("Bath", "south_west"),
    ("Exeter", "south_west"),
    ("Truro", "south_west"),
    ("Cardiff", "wales"),
    ("Swansea", "wales"),
    ("Bangor", "wales"),
    ("Glasgow", "scotland"),
    ("Edinburgh", "scotland"),
    ("Dundee", "scotland"),
    ("Aberdeen", "scotland"),
    ("Belfast", "northern_ireland"),
    ("Newcastle", "north_east"),
    ("Durham", "north_east"),
    ("Manchester", "north_west"),
    ("Lancaster", "north_west"),
    ("Leeds", "yorkshire"),
    ("Sheffield", "yorkshire"),
    ("York", "yorkshire"),
    ("Nottingham", "midlands"),
    ("Birmingham", "midlands"),
    ("Norwich", "east"),
    ("Cambridge", "east"),
    ("Camden", "london"),
    ("Hackney", "london"),
    ("Lewisham", "london"),
    ("Brighton", "south_east"),
    ("Oxford", "south_east"),
]
PROGRAMMES = [
    ("severn-gp", "Severn GP training scheme"),
    ("bristol-medical-school", "Bristol Medical School psychiatry block"),
    ("northern-psychiatry", "Northern psychiatry core training"),
]
FIRST = ["Amara", "Ben", "Chloe", "Dev", "Eilidh", "Femi", "Gwen", "Hamza", "Isla", "Jonah"]
LAST = ["Ahmed", "Brown", "Clark", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones"]
MEMBERS_PER_GROUP = 8
TRAINEES = 100
HOT_GROUPS = 6  # their first meeting to come has a single taster seat
UPCOMING_DAYS = [3, 10, 17]
RECENT_DAYS_AGO = 4  # the meeting whose register the leaders write during the test
OLDER_DAYS_AGO = [30, 60, 90, 120]


def main() -> None:
    django.setup()
    command = sys.argv[1]
    result = seed() if command == "seed" else facts(drain=float(sys.argv[2]))
    json.dump(result, sys.stdout)


def _at(days: int, hour: int = 19, minute: int = 30) -> datetime:
    day = date.today() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


class _People:
    """Users made in bulk: fast (no password hashing; nobody signs in with one)."""

    def __init__(self):
        from django.contrib.auth.hashers import make_password

        self.unusable = make_password(None)
        self.count = 0

    def make(self, kind: str, number: int):
        from members.models import User

        users = []
        for _ in range(number):
            self.count += 1
            name = f"Dr {FIRST[self.count % 10]} {LAST[self.count // 10 % 10]}-{self.count}"
            users.append(
                User(
                    email=f"{kind}{self.count}@example.org",
                    display_name=name,
                    password=self.unusable,
                )
            )
        return User.objects.bulk_create(users)


def seed() -> dict:
    """Write the world (in one transaction) and sign its people in; returns what the simulated
    users need: their session cookies and the pages they act on."""
    from django.db import transaction

    from balint.outbox.models import Message

    rng = random.Random(8)
    people = _People()
    with transaction.atomic():
        programmes = _programmes(people)
        groups = [
            _group(i, town, region, programmes, people, rng)
            for i, (town, region) in enumerate(TOWNS)
        ]
        _cohorts(programmes, groups)
        trainees = people.make("trainee", TRAINEES)
        # Nothing the set-up would send is part of the test.
        Message.objects.all().delete()
    return {
        "towns": [town for town, _ in TOWNS],
        "groups": [world["group"].slug for world in groups],
        "programmes": [
            {"slug": programme.slug, "admins": [_cookie(admin) for admin in admins]}
            for programme, admins in programmes
        ],
        "upcoming": [
            {"id": meeting.pk, "group": world["group"].slug, "seats": seats, "hot": hot}
            for world in groups
            for meeting, seats, hot in world["upcoming"]
        ],
        "registers": [
            {
                "id": world["recent"].pk,
                "group": world["group"].slug,
                "leaders": [_cookie(leader) for leader in world["leaders"]],
            }
            for world in groups
        ],
        "trainees": [{"id": trainee.pk, "cookie": _cookie(trainee)} for trainee in trainees],
    }


def _programmes(people: _People) -> list:
    from tests.factories import ProgrammeFactory, with_totp

    programmes = []
    for slug, name in PROGRAMMES:
        # Programme admins have set up two-factor authentication, as the site requires of them.
        admins = [with_totp(admin) for admin in people.make("admin", 2)]
        programmes.append((ProgrammeFactory(slug=slug, name=name, admins=admins), admins))
    return programmes


def _group(i: int, town: str, region: str, programmes: list, people: _People, rng) -> dict:
    from groups.models import Format, LeaderRole, Leadership, Membership, MembershipStatus
    from sessions.meetings.models import Meeting
    from sessions.tasters.models import MeetingTasterSeats
    from tests.factories import BalintGroupFactory

    group = BalintGroupFactory(
        name=f"{town} Balint group",
        slug=f"{town.lower()}-balint",
        description=f"A Balint group for GPs and GP trainees in and around {town}.",
        town=town,
        region=region,
        format=[Format.IN_PERSON, Format.IN_PERSON, Format.ONLINE, Format.HYBRID][i % 4],
        taster_seats=[2, 1, 3, 2][i % 4],
        programme=programmes[i % 4][0] if i % 4 < 3 else None,
        audiences=["gps", "gp-trainees"],
    )
    leaders = people.make("leader", 2 if i % 3 == 0 else 1)
    roles = [LeaderRole.LEADER, LeaderRole.CO_LEADER][: len(leaders)]
    Leadership.objects.bulk_create(
        Leadership(group=group, person=person, role=role)
        for person, role in zip(leaders, roles, strict=True)
    )
    members = people.make("member", MEMBERS_PER_GROUP)
    joined = _at(-365)
    Membership.objects.bulk_create(
        Membership(group=group, person=person, status=MembershipStatus.ACTIVE, joined_at=joined)
        for person in members
    )
    meetings = Meeting.objects.bulk_create(
        Meeting(group=group, starts_at=_at(days), ends_at=_at(days) + timedelta(minutes=90))
        for days in [*UPCOMING_DAYS, -RECENT_DAYS_AGO - i % 5, *(-d for d in OLDER_DAYS_AGO)]
    )
    upcoming, recent, older = meetings[:3], meetings[3], meetings[4:]
    hot = i < HOT_GROUPS
    if hot:
        MeetingTasterSeats.objects.create(meeting=upcoming[0], seats=1)
    _write_registers(older, leaders, members, rng)
    return {
        "group": group,
        "leaders": leaders,
        "upcoming": [
            (meeting, 1 if hot and n == 0 else group.taster_seats, hot and n == 0)
            for n, meeting in enumerate(upcoming)
        ],
        "recent": recent,
    }


def _write_registers(meetings: list, leaders: list, members: list, rng) -> None:
    from sessions.meetings.models import AttendanceRecord, AttendanceRole, AttendanceStatus

    statuses = [AttendanceStatus.PRESENT] * 6 + [AttendanceStatus.LATE, AttendanceStatus.ABSENT]
    records = []
    for meeting in meetings:
        for person in leaders:
            records.append(
                AttendanceRecord(
                    meeting=meeting,
                    person=person,
                    role=AttendanceRole.LEADER,
                    status=AttendanceStatus.PRESENT,
                    recorded_by=leaders[0],
                    recorded_at=meeting.ends_at,
                )
            )
        for person in members:
            status = rng.choice(statuses)
            records.append(
                AttendanceRecord(
                    meeting=meeting,
                    person=person,
                    role=AttendanceRole.MEMBER,
                    status=status,
                    presented_case=status == AttendanceStatus.PRESENT and rng.random() < 0.2,
                    recorded_by=leaders[0],
                    recorded_at=meeting.ends_at,
                )
            )
    AttendanceRecord.objects.bulk_create(records)


def _cohorts(programmes: list, groups: list) -> None:
    from groups.models import Membership
    from sessions.programmes.models import Cohort, CohortPlacement, Enrolment

    starts = date.today() - timedelta(days=150)
    for programme, _ in programmes:
        cohort = Cohort.objects.create(
            programme=programme,
            name="2025–26 block",
            starts_on=starts,
            ends_on=date.today() + timedelta(days=60),
            required_percent=75,
        )
        placed = [world["group"] for world in groups if world["group"].programme_id == programme.pk]
        CohortPlacement.objects.bulk_create(
            CohortPlacement(cohort=cohort, group=group) for group in placed
        )
        Enrolment.objects.bulk_create(
            Enrolment(cohort=cohort, person_id=person_id, enrolled_on=starts)
            for person_id in Membership.objects.filter(group__in=placed).values_list(
                "person_id", flat=True
            )
        )


def _cookie(user) -> str:
    from bench.common import session_cookie

    return session_cookie(user)


def facts(*, drain: float) -> dict:
    """What the database holds after the run, once the outbox has sent everything it can (or
    `drain` seconds have passed)."""
    from balint.outbox.models import Message, MessageStatus
    from sessions.meetings.models import AttendanceRecord, Meeting
    from sessions.reports.models import ExportKind, ExportLog
    from sessions.tasters.models import TasterBooking
    from sessions.tasters.queries import with_taster_seats

    deadline = time.monotonic() + drain
    while Message.objects.filter(status=MessageStatus.PENDING).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    upcoming = Meeting.objects.filter(starts_at__gt=_at(0, 0, 0))
    registers: dict[str, dict] = {}
    for meeting_id, person_id, status, presented in AttendanceRecord.objects.filter(
        meeting__starts_at__gt=_at(-RECENT_DAYS_AGO - 10), meeting__starts_at__lt=_at(0, 0, 0)
    ).values_list("meeting_id", "person_id", "status", "presented_case"):
        registers.setdefault(str(meeting_id), {})[str(person_id)] = [status, presented]
    exports = ExportLog.objects.filter(kind=ExportKind.ATTENDANCE, file_format="csv")
    return {
        "bookings": list(
            TasterBooking.objects.filter(meeting__in=upcoming)
            .order_by("pk")
            .values("id", "person_id", "meeting_id", "group_id", "status", "cancelled_because")
        ),
        "seats": {str(meeting.pk): meeting.taster_seats for meeting in with_taster_seats(upcoming)},
        "registers": registers,
        "exports": sorted(exports.exclude(rows=None).values_list("rows", flat=True)),
        "exports_unfinished": exports.filter(rows=None).count(),
        "outbox": {
            status: Message.objects.filter(status=status).count() for status in MessageStatus
        },
        "sent_keys": list(
            Message.objects.filter(status=MessageStatus.SENT).values_list("key", flat=True)
        ),
    }


if __name__ == "__main__":
    main()
