"""Closing an account: the person's data is erased, they cannot sign in again, and the
programme's attendance counts and anonymous feedback results are exactly as before."""

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from balint.outbox.models import Message, MessageStatus
from groups.models import MIN_CAPACITY, Leadership, Membership, MembershipStatus
from groups.services import request_to_join
from members.models import User
from sessions.calendar.models import FeedKey
from sessions.calendar.tokens import issue_calendar_token
from sessions.meetings.models import Apology, AttendanceRecord
from sessions.reports.feedback import close_round, response_rates
from sessions.reports.feedback_models import Audience, FeedbackRound
from sessions.reports.feedback_results import results_for
from sessions.reports.summary import ReportFilter, cohort_reports
from sessions.site.account_closing import AccountError, close_account
from sessions.tasters.models import BookingStatus, TasterBooking, TasterInvitation
from tests.factories import PASSWORD, LeadershipFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def statistics(programme, cohort) -> tuple:
    reports = cohort_reports(programme=programme, filters=ReportFilter())
    tallies = sorted(repr(row.tally) for report in reports for row in report.trainees)
    rate = response_rates(cohort_ids=[cohort.pk])[("block", cohort.pk)]
    results = results_for(FeedbackRound.objects.filter(cohort=cohort, audience=Audience.TRAINEES))
    figures = [str(figure) for figure in results.figures]
    return tallies, (rate.responded, rate.invited), results.answers, figures, results.texts


def rows_mentioning(text: str) -> list[str]:
    """Every row of every model with `text` in one of its text columns."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS):
                matches = model._default_manager.filter(**{f"{field.name}__icontains": text})
                found += [f"{model._meta.label}.{field.name}" for _ in matches]
    return found


def test_statistics_are_unchanged_after_closing(programme, member, world):
    for round_ in FeedbackRound.objects.filter(cohort=world["cohort"]):
        close_round(round_id=round_.pk)  # the answers published (a batch, however small)
    before = statistics(programme, world["cohort"])
    assert before[2] > 0

    close_account(person=member)

    assert statistics(programme, world["cohort"]) == before
    assert AttendanceRecord.objects.filter(person=member).count() == 2


def test_no_name_or_address_is_left_anywhere(
    member, world, leader, django_capture_on_commit_callbacks
):
    Membership.objects.filter(person=member).update(note="Mo from Clifton")
    issue_calendar_token(person=member)
    Authenticator.objects.create(user=member, type=Authenticator.Type.RECOVERY_CODES, data={})
    LogEntry.objects.log_actions(
        user_id=leader.pk, queryset=[member], action_flag=CHANGE, change_message="Edited"
    )
    assert rows_mentioning("mo@example.org") and rows_mentioning("Dr Mo Member")

    with django_capture_on_commit_callbacks(execute=True):
        close_account(person=member)

    assert rows_mentioning("mo@example.org") == []
    assert rows_mentioning("Dr Mo Member") == []
    assert rows_mentioning("Mo from Clifton") == []
    member.refresh_from_db()
    assert member.email == f"deleted-{member.pk}@invalid"
    assert member.display_name == "Former member"
    assert not member.is_active and not member.has_usable_password()
    assert member.calendar_token_hash is None
    assert not FeedKey.objects.filter(person=member).exists()
    assert not Authenticator.objects.filter(user=member).exists()


def test_closing_ends_memberships_bookings_apologies_and_invitations(member, world):
    close_account(person=member)

    membership = Membership.objects.get(person=member)
    assert membership.status == MembershipStatus.LEFT
    assert TasterBooking.objects.get(person=member).status == BookingStatus.CANCELLED
    assert not Apology.objects.filter(person=member).exists()
    assert not TasterInvitation.objects.exists()
    pending = Message.objects.get(key="test:pending")
    assert pending.status == MessageStatus.FAILED and pending.to == []


def test_apologies_for_past_meetings_stay(member, world):
    past = world["past"][0]
    Apology.objects.create(meeting=past, person=member)

    close_account(person=member, now=timezone.now())

    assert list(Apology.objects.filter(person=member)) == [Apology.objects.get(meeting=past)]


def test_a_freed_place_is_offered_to_the_waitlist(group, member, world):
    group.capacity = MIN_CAPACITY
    group.save()
    for _ in range(MIN_CAPACITY - 1):
        MembershipFactory(group=group)
    waiting = MembershipFactory(
        group=group, status=MembershipStatus.WAITLISTED, waitlisted_at=timezone.now()
    )

    close_account(person=member)

    waiting.refresh_from_db()
    assert waiting.status == MembershipStatus.OFFERED


def test_the_only_leader_cannot_close_their_account(leader, group):
    with pytest.raises(AccountError, match="only leader of Cotham GP Balint Group"):
        close_account(person=leader)

    leader.refresh_from_db()
    assert leader.is_active and leader.email == "lena@example.org"


def test_a_co_leader_can_close_and_stands_down(leader, group):
    co_leader = UserFactory(display_name="Dr Co Leader")
    LeadershipFactory(group=group, person=co_leader, role="co_leader")

    close_account(person=co_leader)

    assert list(Leadership.objects.filter(group=group).values_list("person", flat=True)) == [
        leader.pk
    ]


def test_the_page_closes_the_account_and_signs_out(client, member, world):
    client.force_login(member)

    response = client.post(reverse("personal_data:close"), {"password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not User.objects.filter(email="mo@example.org").exists()
    assert client.get(reverse("personal_data:page")).status_code == 302
    assert not client.login(username="mo@example.org", password=PASSWORD)
    signed_in = client.post(
        reverse("account_login"), {"login": "mo@example.org", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session and signed_in.status_code == 200


def test_a_session_elsewhere_ends_when_the_account_closes(client, member, world):
    client.force_login(member)

    close_account(person=member)

    assert client.get(reverse("personal_data:page")).status_code == 302


def test_a_wrong_password_closes_nothing(client, member, world):
    client.force_login(member)

    response = client.post(reverse("personal_data:close"), {"password": "wrong"})

    assert response.status_code == 200
    assert "That password is not right." in response.content.decode()
    member.refresh_from_db()
    assert member.is_active and member.email == "mo@example.org"


def test_the_only_leader_is_told_why_on_the_page(client, leader):
    client.force_login(leader)

    page = client.get(reverse("personal_data:page")).content.decode()
    response = client.post(reverse("personal_data:close"), {"password": PASSWORD}, follow=True)

    assert "You are the only leader of Cotham GP Balint Group" in page
    assert "You are the only leader of Cotham GP Balint Group" in response.content.decode()
    leader.refresh_from_db()
    assert leader.is_active


def test_the_persons_own_words_leave_the_emails_they_were_sent_in(
    member, other_group, other_leader, django_capture_on_commit_callbacks
):
    note = "I'd like to join: I work <nights> in Clifton"
    with django_capture_on_commit_callbacks(execute=True):
        request_to_join(group=other_group, person=member, note=note)
    assert rows_mentioning(note) and rows_mentioning(escape(note))  # in the leaders' email

    with django_capture_on_commit_callbacks(execute=True):
        close_account(person=member)

    assert rows_mentioning(note) == []
    assert rows_mentioning(escape(note)) == []
    assert rows_mentioning("nights") == []
