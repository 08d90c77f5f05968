"""Joining a cohort with consent: self-enrolment links (hashed, expiring, revocable, optionally
needing approval), requests an admin decides, and invitations a person accepts before the admin
sees who they are."""

import logging
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from balint.audit.models import AuditEvent
from balint.log_masking import mask_secrets
from sessions.programmes.cohorts import CohortError, enrol_by_email
from sessions.programmes.enrolment import (
    accept_invitation,
    decide_request,
    enrol_with_link,
    hash_token,
    issue_link,
    link_for_token,
    revoke_link,
)
from sessions.programmes.models import (
    Enrolment,
    EnrolmentLink,
    EnrolmentRequest,
    PendingEnrolment,
)
from tests.factories import UserFactory
from tests.reports.factories import CohortFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme, group):
    cohort = CohortFactory(programme=programme, name="Block 3")
    cohort.placements.create(group=group)
    return cohort


def make_link(cohort, by, *, days=10, approval=False):
    today = timezone.localdate()
    return issue_link(
        cohort=cohort, expires_on=today + timedelta(days=days), needs_approval=approval, by=by
    )


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_only_the_tokens_hash_is_stored_and_a_new_link_ends_the_old(cohort, programme_admin):
    first, token = make_link(cohort, programme_admin)
    second, second_token = make_link(cohort, programme_admin)

    assert len(token) >= 43 and token not in first.token_hash
    assert first.token_hash == hash_token(token)
    assert not EnrolmentLink.objects.filter(token_hash=token).exists()
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert link_for_token(token) is None
    assert link_for_token(second_token) == second
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolmentLink.objects.create(
            cohort=cohort, token_hash="x" * 64, expires_at=second.expires_at
        )


def test_a_revoked_expired_or_guessed_link_opens_nothing(client, cohort, programme_admin):
    link, token = make_link(cohort, programme_admin)
    revoke_link(link=link, by=programme_admin)
    expired, expired_token = make_link(cohort, programme_admin)
    EnrolmentLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now())

    for attempt in [token, expired_token, "A" * 43, "short"]:
        response = client.get(f"/programmes/enrol/{attempt}/")
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert link_for_token(expired_token) is None
    with pytest.raises(CohortError, match="turned off already"):
        revoke_link(link=link, by=programme_admin)


def test_a_link_of_a_cohort_that_has_ended_opens_nothing(cohort, programme_admin):
    _, token = make_link(cohort, programme_admin)
    cohort.starts_on -= timedelta(days=200)
    cohort.ends_on = timezone.localdate() - timedelta(days=1)
    cohort.save()
    assert link_for_token(token) is None
    with pytest.raises(CohortError, match="has ended"):
        make_link(cohort, programme_admin)


def test_a_signed_in_trainee_enrols_with_the_link(client, cohort, programme_admin):
    _, token = make_link(cohort, programme_admin)
    person = UserFactory(display_name="Dr Tia Trainee")
    client.force_login(person)

    page = client.get(f"/programmes/enrol/{token}/")
    assert "Join the cohort" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    response = client.post(f"/programmes/enrol/{token}/")

    assert response.status_code == 302 and response["Location"] == "/programmes/certificates/mine/"
    enrolment = Enrolment.objects.get(cohort=cohort, person=person)
    assert enrolment.enrolled_on == max(timezone.localdate(), cohort.starts_on)
    assert texts(response) == ["You are enrolled in Block 3."]
    assert AuditEvent.objects.get(action="enrolment.self").actor == person
    again = client.post(f"/programmes/enrol/{token}/", follow=True)
    assert "You are already enrolled in Block 3." in again.content.decode()
    assert Enrolment.objects.filter(cohort=cohort, person=person).count() == 1


def test_a_link_needing_approval_waits_for_the_admin(
    client_for, cohort, programme_admin, django_capture_on_commit_callbacks
):
    _, token = make_link(cohort, programme_admin, approval=True)
    person = UserFactory(display_name="Dr Asa Asker", email="asa@example.org")

    asked = enrol_with_link(link=link_for_token(token), person=person)

    assert isinstance(asked, EnrolmentRequest)
    assert not Enrolment.objects.filter(person=person).exists()
    with pytest.raises(CohortError, match="already asked"):
        enrol_with_link(link=link_for_token(token), person=person)
    admin = client_for("programme_admin")
    url = f"/programmes/{cohort.programme.slug}/cohorts/{cohort.pk}/"
    assert "Dr Asa Asker" in admin.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"{url}requests/{asked.pk}/", {"decision": "approve"})

    assert texts(response) == ["Dr Asa Asker has been enrolled."]
    (told,) = mail.outbox
    assert told.to == ["asa@example.org"] and told.subject.endswith("You are enrolled in Block 3")
    assert Enrolment.objects.get(person=person).cohort == cohort
    asked.refresh_from_db()
    assert asked.approved is True and asked.decided_by == programme_admin
    with pytest.raises(CohortError, match="answered already"):
        decide_request(request=asked, approve=False, by=programme_admin)


def test_a_declined_request_enrols_nobody_and_a_bad_decision_is_refused(
    client_for, cohort, programme_admin
):
    person = UserFactory()
    asked = EnrolmentRequest.objects.create(cohort=cohort, person=person)
    url = f"/programmes/{cohort.programme.slug}/cohorts/{cohort.pk}/requests/{asked.pk}/"
    client = client_for("programme_admin")

    garbage = client.post(url, {"decision": "maybe"})
    assert texts(garbage) == ["Please choose Approve or Decline."]
    client.post(url, {"decision": "decline"})

    asked.refresh_from_db()
    assert asked.approved is False
    assert not Enrolment.objects.filter(person=person).exists()
    assert client.post(url, {"decision": "approve"}).status_code == 404  # decided already


def test_making_a_link_shows_it_once_and_bad_dates_are_form_errors(client_for, cohort):
    client = client_for("programme_admin")
    url = f"/programmes/{cohort.programme.slug}/cohorts/{cohort.pk}/link/"
    today = timezone.localdate()

    made = client.post(url, {"expires_on": f"{today + timedelta(days=5):%Y-%m-%d}"})
    past = client.post(url, {"expires_on": f"{today - timedelta(days=1):%Y-%m-%d}"})
    far = client.post(url, {"expires_on": f"{today + timedelta(days=400):%Y-%m-%d}"})
    nonsense = client.post(url, {"expires_on": "next Tuesday"})

    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    last = today + timedelta(days=5)
    assert f"until the end of {last.day} {last:%B %Y}" in made.content.decode()
    token = made.content.decode().split("/programmes/enrol/")[1].split("/")[0]
    assert link_for_token(token).cohort == cohort
    assert "Choose today or a later day." in past.content.decode()
    assert "A link can last at most a year." in far.content.decode()
    assert "Enter a valid date." in nonsense.content.decode()
    assert EnrolmentLink.objects.count() == 1
    page = client.get(f"/programmes/{cohort.programme.slug}/cohorts/{cohort.pk}/").content
    assert token.encode() not in page


def test_the_token_is_masked_in_logs(cohort, programme_admin, caplog):
    _, token = make_link(cohort, programme_admin)
    assert token not in mask_secrets(f"GET /programmes/enrol/{token}/ HTTP/1.1")
    assert token not in mask_secrets(f"/accounts/login/?next=%2Fprogrammes%2Fenrol%2F{token}%2F")
    with caplog.at_level(logging.WARNING, logger="django.request"):
        from django.test import Client

        Client().get(f"/programmes/enrol/{token[:-1]}x/")
    assert token[:-1] not in caplog.text


def test_an_invitation_to_an_account_hides_the_name_until_accepted(
    client_for, cohort, member, programme_admin
):
    enrol_by_email(
        cohort=cohort, emails=[member.email], enrolled_on=cohort.starts_on, by=programme_admin
    )
    admin = client_for("programme_admin")
    url = f"/programmes/{cohort.programme.slug}/cohorts/{cohort.pk}/"

    before = admin.get(url).content.decode()
    assert f"Invited: {member.email}" in before
    assert "pending acceptance" in before
    assert member.display_name not in before

    (pending,) = PendingEnrolment.objects.filter(cohort=cohort)
    accept_invitation(person=member, pending_id=pending.pk)

    after = admin.get(url).content.decode()
    assert member.display_name in after
    assert AuditEvent.objects.get(action="enrolment.accept").actor == member


def test_the_invited_person_accepts_or_declines_on_their_page(
    client, cohort, member, programme_admin
):
    enrol_by_email(
        cohort=cohort,
        emails=[member.email, "second@example.org"],
        enrolled_on=cohort.starts_on,
        by=programme_admin,
    )
    mine, theirs = PendingEnrolment.objects.order_by("email")
    assert mine.email == member.email
    client.force_login(member)

    page = client.get("/programmes/certificates/mine/").content.decode()
    assert "Block 3" in page and "Accept" in page
    assert client.post(f"/programmes/invitations/{theirs.pk}/accept/").status_code == 404
    declined = client.post(f"/programmes/invitations/{mine.pk}/decline/")

    assert declined.status_code == 302
    assert not PendingEnrolment.objects.filter(pk=mine.pk).exists()
    assert not Enrolment.objects.filter(person=member).exists()
    assert AuditEvent.objects.get(action="enrolment.declined").actor == member
    assert client.post(f"/programmes/invitations/{mine.pk}/accept/").status_code == 404


def test_an_invitation_to_an_unverified_address_is_not_the_accounts(cohort, programme_admin):
    person = UserFactory(email="unproven@example.org")
    person.emailaddress_set.update(verified=False)
    enrol_by_email(
        cohort=cohort, emails=[person.email], enrolled_on=cohort.starts_on, by=programme_admin
    )
    with pytest.raises(CohortError):
        accept_invitation(person=person, pending_id=PendingEnrolment.objects.get().pk)
    assert not Enrolment.objects.exists()


def test_a_programme_asking_for_work_addresses_refuses_another_by_link(
    client, cohort, programme, programme_admin
):
    programme.allowed_email_domains = "nhs.net"
    programme.save()
    _, token = make_link(cohort, programme_admin)
    outsider = UserFactory(email="tia@gmail.example")
    client.force_login(outsider)

    response = client.post(f"/programmes/enrol/{token}/", follow=True)

    assert "asks its trainees to use an address at nhs.net" in response.content.decode()
    assert not Enrolment.objects.filter(cohort=cohort, person=outsider).exists()
    client.force_login(UserFactory(email="tia@nhs.net"))
    client.post(f"/programmes/enrol/{token}/")
    assert Enrolment.objects.filter(cohort=cohort, person__email="tia@nhs.net").exists()
