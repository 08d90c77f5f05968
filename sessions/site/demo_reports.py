"""The programme part of the demo world: a running cohort of medical students, a finished cohort
of GP trainees whose anonymous feedback is in and published (five of six answered, so results
show), and an address invited to sign up. Running it again changes nothing (each step checks
first)."""

import hashlib
from datetime import timedelta

from django.utils import timezone

from groups.models import BalintGroup
from members.models import Programme
from sessions.meetings.models import Meeting
from sessions.programmes.models import Cohort, CohortPlacement, Enrolment, PendingEnrolment
from sessions.reports.feedback import close_round, submit_feedback
from sessions.reports.feedback_models import Audience, FeedbackRound
from sessions.reports.models import FeedbackInvitation, FeedbackKind
from sessions.reports.questionnaires import current_version, questionnaire_for

# (reflect, understand, enjoyed, will_use, overall, comments): fictional, no patient details.
ANSWERS = [
    (5, 5, 5, 4, 5, "A safe space to think about the difficult consultations."),
    (4, 5, 4, 4, 4, "Hearing how others saw the doctor and patient changed how I listen."),
    (5, 4, 4, 5, 4, ""),
    (4, 4, 3, 4, 3, "Lunchtime was hard to protect on busy ward days."),
    (5, 5, 5, 5, 5, "I will miss it. Please keep the same room."),
]


def _cohort(programme: Programme, name: str, **fields) -> Cohort:
    cohort, _ = Cohort.objects.get_or_create(programme=programme, name=name, defaults=fields)
    return cohort


def _enrol(cohort: Cohort, people: list) -> None:
    for person in people:
        if not cohort.enrolments.filter(person=person, left_on__isnull=True).exists():
            Enrolment.objects.create(cohort=cohort, person=person, enrolled_on=cohort.starts_on)


def _first_meeting_day(group: BalintGroup, fallback):
    first = Meeting.objects.filter(group=group).order_by("starts_at").first()
    return first.local_starts_at.date() if first else fallback


def _feedback(cohort: Cohort, people: list) -> None:
    """Invitations for everyone, and anonymous answers published as one batch (pooled and
    published through the same code as real answers; only the links are made up)."""
    if FeedbackInvitation.objects.filter(cohort=cohort).exists():
        return
    round_ = _demo_round(cohort)
    for person, answer in zip(people, [*ANSWERS, *[None] * len(people)], strict=False):
        # Demo links nobody can use: the hash of a fixed, unguessable-by-design string.
        token = f"demo-{cohort.pk}-{person.pk}"
        FeedbackInvitation.objects.create(
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            person=person,
            kind=FeedbackKind.BLOCK,
            cohort=cohort,
            round=round_,
        )
        if answer is not None:
            reflect, understand, enjoyed, will_use, overall, comments = answer
            given = {"reflect": reflect, "understand": understand, "enjoyed": enjoyed}
            given |= {"will_use": will_use, "overall": overall, "comments": comments}
            submit_feedback(token=token, answers=given)
    close_round(round_id=round_.pk)  # published whole, as when its round closes


def _demo_round(cohort: Cohort):
    questionnaire = questionnaire_for(audience=Audience.TRAINEES, programme=cohort.programme)
    return FeedbackRound.objects.create(
        version=current_version(questionnaire),
        audience=Audience.TRAINEES,
        cohort=cohort,
        opened_on=cohort.ends_on,
        closes_on=cohort.ends_on + timedelta(days=28),
    )


def seed_reports(people: dict) -> None:
    """Cohorts, enrolments, placements and feedback for the demo programme (called last by
    `seed_demo`)."""
    programme = Programme.objects.get(slug="severn-and-mersey")
    admin = people["programme.admin@example.org"]
    today = timezone.localdate()

    students = BalintGroup.objects.get(slug="year-4-psychiatry-students")
    start = _first_meeting_day(students, today - timedelta(days=15))
    running = _cohort(
        programme,
        "Year 4 psychiatry, current block",
        starts_on=start,
        ends_on=start + timedelta(days=27),
        required_meetings=3,
        created_by=admin,
    )
    CohortPlacement.objects.get_or_create(
        cohort=running, group=students, defaults={"placed_by": admin}
    )
    _enrol(running, [people[f"demo{i}@example.org"] for i in range(17, 22)])
    _enrol(running, [people["trainee@example.org"]])  # enrolled, not placed in a group yet
    PendingEnrolment.objects.get_or_create(
        cohort=running,
        email="new.student@example.org",
        accepted_at=None,
        defaults={"enrolled_on": running.starts_on, "invited_by": admin},
    )

    trainees = BalintGroup.objects.get(slug="severn-gp-trainees")
    start = _first_meeting_day(trainees, today - timedelta(days=60))
    finished = _cohort(
        programme,
        "GP trainees, autumn block",
        starts_on=start,
        ends_on=max(today - timedelta(days=1), start),
        required_percent=75,
        created_by=admin,
    )
    CohortPlacement.objects.get_or_create(
        cohort=finished, group=trainees, defaults={"placed_by": admin}
    )
    gp_trainees = [people[f"demo{i}@example.org"] for i in range(11, 17)]
    _enrol(finished, gp_trainees)
    _feedback(finished, gp_trainees)
