"""A small, realistic demo world with fictional people only. Running it again changes nothing."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from groups.models import (
    Audience,
    BalintGroup,
    Format,
    GroupStatus,
    LeaderRole,
    Leadership,
    Membership,
    MembershipEvent,
    MembershipStatus,
    PendingMembershipInvite,
    Region,
)
from members.models import Accreditation, Programme, User
from sessions.site.demo_group_kinds import seed_group_kinds
from sessions.site.demo_group_start import seed_group_start
from sessions.site.demo_meetings import seed_meetings
from sessions.site.demo_pilot import seed_pilot
from sessions.site.demo_reports import seed_reports
from sessions.site.demo_tasters import seed_tasters

DEMO_PASSWORD = "balint-demo-2026"  # noqa: S105 - fictional demo accounts, printed for local use


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str


PEOPLE = {
    # email: (display name, accreditation)
    "admin@example.org": ("Site Admin", Accreditation.NONE),
    "programme.admin@example.org": ("Helen Ashworth", Accreditation.NONE),
    "judith.marlow@example.org": ("Dr Judith Marlow", Accreditation.ACCREDITED),
    "elizabeth.lane@example.org": ("Dr Elizabeth Lane", Accreditation.PATHWAY),
    "priya.raman@example.org": ("Dr Priya Raman", Accreditation.ACCREDITED),
    "tom.okafor@example.org": ("Dr Tom Okafor", Accreditation.PATHWAY),
    "aisha.bello@example.org": ("Dr Aisha Bello", Accreditation.NONE),
    "trainee@example.org": ("Dr Rachel Hughes", Accreditation.NONE),
    "member@example.org": ("Dr Olivia Grant", Accreditation.NONE),
}
MEMBER_NAMES = [
    "Dr Sam Patel",
    "Dr Ewan Fraser",
    "Dr Mei Chen",
    "Dr Callum Reid",
    "Dr Nadia Hassan",
    "Dr Ffion Evans",
    "Dr Joseph Adeyemi",
    "Dr Grace Doherty",
    "Nurse Kate Morgan",
    "Dr Imran Qureshi",
    "Dr Lucy Barnes",
    "Dr Owen Price",
    "Ms Hannah Scott (counsellor)",
    "Dr Ben Walsh",
    "Dr Zara Ahmed",
    "Dr Rory McLean",
    "Student Ella Thompson",
    "Student Jack Lewis",
    "Student Amara Okoye",
    "Student Finn Murphy",
    "Student Isla Kerr",
]

GROUPS = [
    {
        "slug": "cotham-gp-balint",
        "name": "Cotham GP Balint Group",
        "description": (
            "A long-running monthly group for GPs in and around Bristol. We meet on the second "
            "Tuesday evening of each month in Cotham; new GPs are welcome to a free taster session."
        ),
        "audiences": ["gps", "gp-trainees"],
        "format": Format.IN_PERSON,
        "town": "Cotham, Bristol",
        "region": Region.SOUTH_WEST,
        "capacity": 10,
        "taster_seats": 2,
        "room": "Cotham Health Centre, Room 3 (first floor), 12 Cotham Hill, Bristol",
        "leaders": [
            ("judith.marlow@example.org", LeaderRole.LEADER),
            ("elizabeth.lane@example.org", LeaderRole.CO_LEADER),
        ],
        "members": ["member@example.org", *[f"demo{i}@example.org" for i in range(1, 7)]],
        "requests": [
            ("demo8@example.org", "Salaried GP in Bristol, keen to try a group."),
            ("demo19@example.org", ""),
        ],
        "invites": ["new.gp@example.org"],
        "programme": None,
    },
    {
        "slug": "online-multiprofessional-balint",
        "name": "Online Multi-professional Balint Group",
        "description": (
            "A small online group for GPs, nurses, counsellors and other clinicians across the UK, "
            "meeting on video twice a month at lunchtime."
        ),
        "audiences": ["multi-professional", "gps"],
        "format": Format.ONLINE,
        "town": "",
        "region": "",
        "capacity": 8,
        "taster_seats": 1,
        "meeting_link": "https://meet.example.org/balint-online-7f3k",
        "leaders": [("priya.raman@example.org", LeaderRole.LEADER)],
        "members": [f"demo{i}@example.org" for i in range(7, 12)],
        "requests": [("demo2@example.org", "Practice nurse, Cardiff.")],
        "programme": None,
    },
    {
        "slug": "year-4-psychiatry-students",
        "name": "Year 4 Psychiatry Rotation Students",
        "description": (
            "A weekly group for fourth-year medical students during their psychiatry rotation, in "
            "four-week blocks, facilitated by two psychiatry trainees."
        ),
        "audiences": ["medical-students"],
        "format": Format.IN_PERSON,
        "town": "Chester",
        "region": Region.NORTH_WEST,
        "capacity": 8,
        "taster_seats": 0,
        "accepting_members": False,
        "room": "Education Centre, Seminar Room B, Countess of Chester Hospital",
        "leaders": [
            ("tom.okafor@example.org", LeaderRole.LEADER),
            ("aisha.bello@example.org", LeaderRole.CO_LEADER),
        ],
        "members": [f"demo{i}@example.org" for i in range(17, 22)],
        "programme": "severn-and-mersey",
    },
    {
        "slug": "severn-gp-trainees",
        "name": "Severn GP Trainees Balint Group",
        "description": (
            "A fortnightly hybrid group for GP specialty trainees on the Severn scheme. It is full "
            "at the moment: you can join the waitlist or book a taster seat."
        ),
        "audiences": ["gp-trainees"],
        "format": Format.HYBRID,
        "town": "Gloucester",
        "region": Region.SOUTH_WEST,
        "capacity": 6,
        "taster_seats": 2,
        "room": "Gloucestershire Royal Hospital, Postgraduate Centre, Room 2",
        "meeting_link": "https://meet.example.org/severn-trainees-b19q",
        "leaders": [("elizabeth.lane@example.org", LeaderRole.LEADER)],
        "members": [f"demo{i}@example.org" for i in range(11, 17)],
        "waitlist": ["demo1@example.org", "demo3@example.org"],
        "programme": "severn-and-mersey",
    },
    {
        "slug": "leeds-psychiatry-trainees",
        "name": "Leeds Psychiatry Trainees Balint Group",
        "description": (
            "A new weekly group for core psychiatry trainees in Leeds, starting this term. "
            "We are gathering members now."
        ),
        "audiences": ["psychiatry-trainees"],
        "format": Format.IN_PERSON,
        "town": "Leeds",
        "region": Region.YORKSHIRE,
        "capacity": 8,
        "taster_seats": 2,
        "status": GroupStatus.FORMING,
        "room": "St James's University Hospital, Education Centre, Room 6",
        "leaders": [("priya.raman@example.org", LeaderRole.LEADER)],
        "members": ["demo4@example.org"],
        "programme": None,
    },
    {
        "slug": "highland-rural-gps",
        "name": "Highland Rural GPs Balint Group",
        "description": (
            "An online group for GPs in remote and rural practices across the Highlands. "
            "Paused over the winter; it meets again in the spring."
        ),
        "audiences": ["gps"],
        "format": Format.ONLINE,
        "town": "",
        "region": Region.SCOTLAND,
        "capacity": 8,
        "taster_seats": 1,
        "status": GroupStatus.PAUSED,
        "meeting_link": "https://meet.example.org/highland-gps-k2m8",
        "leaders": [("tom.okafor@example.org", LeaderRole.LEADER)],
        "members": ["demo9@example.org", "demo10@example.org", "demo13@example.org"],
        "programme": None,
    },
    {
        "slug": "cardiff-gp-balint-2024",
        "name": "Cardiff GP Balint Group (2024)",
        "description": "A year-long group for GP trainees in Cardiff that finished in 2024.",
        "audiences": ["gp-trainees"],
        "format": Format.IN_PERSON,
        "town": "Cardiff",
        "region": Region.WALES,
        "capacity": 10,
        "taster_seats": 0,
        "accepting_members": False,
        "status": GroupStatus.CLOSED,
        "room": "Cardiff Medical Centre, Seminar Room",
        "leaders": [("judith.marlow@example.org", LeaderRole.LEADER)],
        "members": [],
        "left": ["demo5@example.org", "demo6@example.org"],
        "programme": None,
    },
]

LOGINS = [
    DemoLogin("staff (Django admin)", "admin@example.org"),
    DemoLogin("programme admin", "programme.admin@example.org"),
    DemoLogin("group leader", "judith.marlow@example.org"),
    DemoLogin("member", "member@example.org"),
    DemoLogin("trainee (no group yet)", "trainee@example.org"),
]


def _person(email: str, name: str, accreditation: str = Accreditation.NONE) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"display_name": name, "accreditation": accreditation}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    _verified(user)
    return user


def _verified(user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def _membership(group: BalintGroup, person: User, status: str, note: str = "") -> None:
    """Give the person the demo's membership, unless they already have one in the group: once
    the demo is used (a request approved or declined, someone leaving), what they did stands."""
    if Membership.objects.filter(group=group, person=person).exists():
        return
    now = timezone.now()
    membership = Membership.objects.create(
        group=group,
        person=person,
        status=status,
        note=note,
        joined_at=now if status == MembershipStatus.ACTIVE else None,
        waitlisted_at=now if status == MembershipStatus.WAITLISTED else None,
        ended_at=now if status == MembershipStatus.LEFT else None,
        ended_on=now.date() if status == MembershipStatus.LEFT else None,
    )
    MembershipEvent.objects.create(membership=membership, status=status)


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    """Create (or leave as it is) the demo world, and return the logins to print."""
    people = {email: _person(email, name, acc) for email, (name, acc) in PEOPLE.items()}
    for number, name in enumerate(MEMBER_NAMES, start=1):
        email = f"demo{number}@example.org"
        people[email] = _person(email, name)

    admin = people["admin@example.org"]
    if not admin.is_superuser:
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])

    programme, _ = Programme.objects.get_or_create(
        slug="severn-and-mersey",
        defaults={
            "name": "Severn & Mersey Balint Training Programme",
            "description": "Balint groups for GP trainees and medical students on placement.",
        },
    )
    programme.admins.add(people["programme.admin@example.org"])

    for spec in GROUPS:
        spec = dict(spec)
        leaders = spec.pop("leaders")
        members = spec.pop("members")
        waitlist = spec.pop("waitlist", [])
        requests = spec.pop("requests", [])
        left = spec.pop("left", [])
        invites = spec.pop("invites", [])
        audiences = spec.pop("audiences")
        programme_slug = spec.pop("programme")
        spec["programme"] = programme if programme_slug else None
        group, _ = BalintGroup.objects.get_or_create(slug=spec.pop("slug"), defaults=spec)
        group.audiences.set(Audience.objects.filter(slug__in=audiences))
        for email, role in leaders:
            Leadership.objects.get_or_create(
                group=group, person=people[email], defaults={"role": role}
            )
        for email in members:
            _membership(group, people[email], MembershipStatus.ACTIVE)
        for email in waitlist:
            _membership(group, people[email], MembershipStatus.WAITLISTED)
        for email, note in requests:
            _membership(group, people[email], MembershipStatus.REQUESTED, note)
        for email in left:
            _membership(group, people[email], MembershipStatus.LEFT)
        for email in invites:
            PendingMembershipInvite.objects.get_or_create(
                group=group, email=email, defaults={"invited_by": group.leaderships.first().person}
            )
    seed_meetings(people)  # schedules, meetings, registers, apologies
    seed_reports(people)  # cohorts, enrolments, placements, anonymous feedback
    seed_tasters(people)  # taster invitations in every state, and a booking
    seed_group_kinds(people, _person)  # a US group, and the online group's agreement
    seed_group_start(people)  # an unlisted group, a proposal waiting for staff
    seed_pilot(people, _person)  # a pilot-like programme in the middle of its year
    return LOGINS
