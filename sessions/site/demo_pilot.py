"""A pilot-like programme in the middle of its year (seed 004): medical students in cohorts of
eight, each placed for a four-week block of weekly meetings in one 16-place unlisted group with
two facilitators. Three blocks are over (registers with lateness, anonymous feedback published
with enough answers to show), one is running. Made through the services the site uses, with
past dates where they allow them; each block is made once (running it again changes nothing)."""

import hashlib
from datetime import date, time, timedelta

from django.utils import timezone

from groups.models import BalintGroup, LeaderRole, Leadership, Listing
from members.models import Programme, User
from members.programmes import appoint_admin, create_programme
from sessions.attendance.register import Mark, expected_people
from sessions.attendance.services import record_register
from sessions.meetings.models import AttendanceRole, AttendanceStatus, Meeting
from sessions.programmes.blocks import BlockSchedule, place_cohort_for_block
from sessions.programmes.cohorts import create_cohort, enrol_by_email
from sessions.programmes.enrolment import accept_invitation
from sessions.programmes.models import ApologiesRule, Cohort, PendingEnrolment
from sessions.reports.feedback import close_round, submit_feedback
from sessions.reports.feedback_models import Audience, FeedbackRound
from sessions.reports.models import FeedbackInvitation, FeedbackKind
from sessions.reports.questionnaires import current_version, questionnaire_for

SLUG = "year-4-pilot"
GROUP = {
    "slug": "year-4-pilot-balint",
    "name": "Year 4 psychiatry pilot Balint group",
    "description": "Weekly lunchtime groups for fourth-year medical students during their "
    "psychiatry block, facilitated by two psychiatry trainees.",
    "format": "in_person",
    "town": "Chester",
    "region": "north_west",
    "capacity": 16,
    "taster_seats": 0,
    "room": "Education Centre, Seminar Room 2",
    "listing": Listing.UNLISTED,
}
FACILITATORS = [
    ("tom.okafor@example.org", LeaderRole.LEADER),
    ("aisha.bello@example.org", LeaderRole.CO_LEADER),
]
BLOCKS, SIZE, WEEKS = 4, 8, 4
FIRST = ["Amelia", "Noah", "Priya", "Kwame", "Sophie", "Liam", "Hana", "Oscar"]
LAST = ["Walker", "Byrne", "Kaur", "Mensah"]
SCHEDULE = BlockSchedule(weekday=2, start=time(12, 30), duration_minutes=60)
# Fictional answers (reflect, understand, enjoyed, will_use, overall); no patient details.
ANSWERS = [
    (5, 5, 4, 4, 5),
    (4, 4, 5, 4, 4),
    (5, 4, 4, 5, 4),
    (4, 5, 2, 4, 3),
    (5, 5, 5, 5, 5),
    (4, 4, 4, 3, 4),
    (2, 4, 3, 4, 3),
]
COMMENTS = [
    "It was good to stop and think about the people behind the ward round.",
    "",
    "I understood a difficult clinic differently afterwards.",
    "Lunchtime clashed with teaching twice.",
    "",
    "More time for the second case, please.",
    "Hearing the others made me less alone with a hard week.",
    "",
    "I would have liked one more session.",
    "The same room every week helped.",
    "",
    "I was sceptical at first; by week three I looked forward to it.",
    "Knowing the ground rules first made it easier to speak.",
    "",
    "It made me curious about how the consultant saw the family.",
    "Good facilitators: they kept us on the relationship, not the diagnosis.",
    "",
    "Please offer it to the year below.",
    "",
]
ANSWERED = [5, 6, 7]  # of the eight in each finished block


def _block_start(number: int, today: date) -> date:
    """The Monday a block starts: the running one began on last week's Monday."""
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(weeks=1 + 6 * (BLOCKS - 1 - number))


def _setup(people: dict) -> tuple[Programme, BalintGroup]:
    staff, admin = people["admin@example.org"], people["programme.admin@example.org"]
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is None:
        programme = create_programme(
            name="Year 4 psychiatry Balint pilot",
            slug=SLUG,
            description="Medical students in four-week blocks, one cohort after another.",
            by=staff,
        )
        appoint_admin(programme=programme, email=admin.email, by=staff)
    group, _ = BalintGroup.objects.get_or_create(
        slug=GROUP["slug"], defaults={**GROUP, "programme": programme}
    )
    for email, role in FACILITATORS:
        Leadership.objects.get_or_create(group=group, person=people[email], defaults={"role": role})
    return programme, group


def _students(number: int, make_person) -> list[User]:
    return [
        make_person(
            f"pilot.student{number + 1}.{n + 1}@example.org",
            f"Student {FIRST[n]} {LAST[number]}",
        )
        for n in range(SIZE)
    ]


def _block(number: int, *, programme, group, students, admin, today) -> Cohort:
    start = _block_start(number, today)
    current = number == BLOCKS - 1
    cohort = create_cohort(
        programme=programme,
        name=f"Block {number + 1}" + (" (running now)" if current else ""),
        starts_on=start,
        ends_on=start + timedelta(weeks=WEEKS, days=-1),
        required_meetings=3,
        apologies=ApologiesRule.EXCUSED,
        by=admin,
    )
    enrol_by_email(cohort=cohort, emails=[s.email for s in students], enrolled_on=start, by=admin)
    for student in students:
        pending = PendingEnrolment.objects.get(cohort=cohort, email=student.email)
        accept_invitation(person=student, pending_id=pending.pk)
    place_cohort_for_block(cohort=cohort, group=group, by=admin, schedule=SCHEDULE)
    return cohort


def _registers(group: BalintGroup, cohort: Cohort, leader: User, number: int) -> None:
    """Every past meeting of the block, recorded: someone late most weeks, an apology, and
    someone absent in the third week."""
    now = timezone.now()
    meetings = Meeting.objects.filter(
        group=group,
        starts_at__date__gte=cohort.starts_on,
        starts_at__date__lte=cohort.ends_on,
        ends_at__lte=now,
    ).order_by("starts_at")
    for week, meeting in enumerate(meetings):
        entries = expected_people(meeting)
        students = [e.person for e in entries if e.role == AttendanceRole.MEMBER]
        marks = {e.person.pk: Mark(AttendanceStatus.PRESENT) for e in entries}
        late = students[(week + number) % len(students)]
        if (week + number) % 4:
            marks[late.pk] = Mark(AttendanceStatus.LATE)
        if week == 1:
            marks[students[-1].pk] = Mark(AttendanceStatus.APOLOGIES)
        if week == 2:
            marks[students[-2].pk] = Mark(AttendanceStatus.ABSENT)
        presenter = students[(week + 3) % len(students)]
        marks[presenter.pk] = Mark(marks[presenter.pk].status, presented_case=True)
        record_register(meeting=meeting, by=leader, marks=marks, now=now)


def _feedback(cohort: Cohort, students: list[User], number: int) -> None:
    """Invitations for the block's students sent the day after it ended, some of them
    answered, published whole when the round closed (the answers go through the same code as
    real ones; only the links are made up, so nobody can use them)."""
    questionnaire = questionnaire_for(audience=Audience.TRAINEES, programme=cohort.programme)
    sent_on = cohort.ends_on + timedelta(days=1)
    round_ = FeedbackRound.objects.create(
        version=current_version(questionnaire),
        audience=Audience.TRAINEES,
        cohort=cohort,
        opened_on=sent_on,
        closes_on=sent_on + timedelta(days=28),
    )
    answered = ANSWERED[number]
    for index, person in enumerate(students):
        token = f"demo-pilot-{cohort.pk}-{person.pk}"
        FeedbackInvitation.objects.create(
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            person=person,
            kind=FeedbackKind.BLOCK,
            cohort=cohort,
            round=round_,
        )
        if index < answered:
            scores = ANSWERS[(index + number) % len(ANSWERS)]
            keys = ("reflect", "understand", "enjoyed", "will_use", "overall")
            answer = dict(zip(keys, scores, strict=True))
            answer["comments"] = COMMENTS[number * 6 + index]  # each comment once
            submit_feedback(token=token, answers=answer)
    close_round(round_id=round_.pk)


def seed_pilot(people: dict, make_person) -> None:
    """The pilot programme, its group and its blocks (called by `seed_demo`)."""
    programme, group = _setup(people)
    admin = people["programme.admin@example.org"]
    leader = people[FACILITATORS[0][0]]
    today = timezone.localdate()
    for number in range(BLOCKS):
        students = _students(number, make_person)
        if Cohort.objects.filter(programme=programme, name__startswith=f"Block {number + 1}"):
            continue  # made on an earlier run; what happened to it since stands
        cohort = _block(
            number, programme=programme, group=group, students=students, admin=admin, today=today
        )
        _registers(group, cohort, leader, number)
        if number < BLOCKS - 1:
            _feedback(cohort, students, number)
