"""A world around the `member` persona with something in every section of their data.

`member` is a trainee of `cohort` (placed in `group`), marked at two past meetings, has sent
apologies for a future one, booked a taster seat in `other_group`, was invited by address to a
taster and to a group, answered the cohort's anonymous feedback and was emailed (one email sent,
one still pending)."""

import re
from datetime import timedelta

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.utils import timezone

from balint.outbox.models import Message
from groups.models import PendingMembershipInvite
from sessions.meetings.models import Apology, AttendanceStatus
from sessions.programmes.models import CohortPlacement
from sessions.reports.feedback import invite_cohort_feedback, submit_feedback
from sessions.tasters.models import TasterBooking, TasterInvitation
from tests.factories import UserFactory
from tests.reports.factories import CohortFactory, EnrolmentFactory, mark
from tests.sessions.factories import MeetingFactory

ANSWERS = {
    "reflect": 5,
    "understand": 4,
    "enjoyed": 4,
    "will_use": 5,
    "overall": 4,
    "comments": "Thoughtful.",
}


def days_from_now(days: int):
    moment = timezone.now() + timedelta(days=days)
    return moment.replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture
def world(
    programme, group, leader, member, other_group, other_leader, django_capture_on_commit_callbacks
):
    group.memberships.update(joined_at=timezone.now() - timedelta(days=400))
    cohort = CohortFactory(programme=programme, name="Block 7")
    CohortPlacement.objects.create(cohort=cohort, group=group)
    EnrolmentFactory(cohort=cohort, person=member)
    classmates = [EnrolmentFactory(cohort=cohort).person for _ in range(5)]
    past = [MeetingFactory(group=group, starts_at=days_from_now(-d)) for d in (14, 28)]
    mark(past[0], member, by=leader)
    mark(past[1], member, AttendanceStatus.LATE, presented=True, by=leader)
    for person in classmates:
        mark(past[0], person, by=leader)
    future = MeetingFactory(group=group, starts_at=days_from_now(10))
    Apology.objects.create(meeting=future, person=member)
    taster_meeting = MeetingFactory(group=other_group, starts_at=days_from_now(12))
    TasterBooking.objects.create(meeting=taster_meeting, group=other_group, person=member, seat=1)
    TasterInvitation.objects.create(
        group=other_group,
        email=member.email.upper(),
        inviter=other_leader,
        token_hash="a" * 64,
        expires_at=days_from_now(20),
    )
    PendingMembershipInvite.objects.create(group=other_group, email=member.email)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invite_cohort_feedback(cohort=cohort)
    trainees = [m for m in mail.outbox if "facilitating" not in m.subject]
    tokens = [re.search(r"/programmes/feedback/([\w-]+)/", m.body).group(1) for m in trainees]
    for token in tokens:
        submit_feedback(token=token, answers=ANSWERS)
    Message.objects.create(
        key="test:pending", to=[member.email], subject="Your reminder", body_text="Hello Mo"
    )
    # An organisation account linked for signing in, with the claims kept from it.
    SocialAccount.objects.create(
        user=member,
        provider="nhsmail",
        uid="mo-0001",
        extra_data={"userinfo": {"sub": "mo-0001", "email": member.email, "name": "Mo Member"}},
    )
    return {"cohort": cohort, "past": past, "future": future, "classmates": classmates}


@pytest.fixture
def stranger_world(stranger):
    """Someone else's data, which must never show in `member`'s download."""
    Message.objects.create(
        key="test:stranger", to=[stranger.email], subject="Only for Sid", body_text="Hi"
    )
    return UserFactory(display_name="Dr Nobody Else", email="nobody@example.org")
