"""Joining a cohort with the trainee's consent: a self-enrolment link (unguessable, expiring,
revocable, optionally needing the admin's approval), the admin's decision on a request, and a
person accepting or declining an invitation sent to their address.

A programme admin never sees who holds an account before that person says yes: an invitation
shows only the address the admin typed, and a request is the person's own act.

Each operation is one transaction and raises `CohortError` with a message for the person.
"""

import hashlib
import re
import secrets
from datetime import date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from balint.audit import services as audit
from balint.outbox.services import enqueue_email
from members.models import User
from sessions.programmes.cohorts import (
    CohortError,
    _activate,
    _lock_cohort,
    check_trainee_address,
)
from sessions.programmes.models import (
    Cohort,
    Enrolment,
    EnrolmentLink,
    EnrolmentRequest,
    PendingEnrolment,
)

TOKEN_BYTES = 32  # 43 URL-safe characters, 256 bits
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")
MAX_LINK_DAYS = 366


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _record(cohort: Cohort, by, action: str, summary: str, target) -> None:
    audit.record(
        actor=by,
        area=audit.Area.INVITATIONS,
        action=action,
        summary=summary,
        where=cohort.programme,
        target=target,
    )


@transaction.atomic
def issue_link(
    *, cohort: Cohort, expires_on: date, needs_approval: bool, by: User
) -> tuple[EnrolmentLink, str]:
    """A new self-enrolment link for the cohort, replacing any live one; returns the link and
    its token (the only time the token exists outside the link). CohortError if the cohort has
    ended or the expiry is in the past or too far ahead."""
    cohort = _lock_cohort(cohort)
    today = timezone.localdate()
    if cohort.has_ended(today):
        raise CohortError("This cohort has ended: nobody can join it now.")
    if expires_on < today:
        raise CohortError("The link cannot expire before today.")
    if expires_on > today + timedelta(days=MAX_LINK_DAYS):
        raise CohortError("A link can last at most a year.")
    now = timezone.now()
    cohort.links.filter(revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = timezone.make_aware(
        datetime.combine(expires_on + timedelta(days=1), datetime.min.time())
    )
    link = EnrolmentLink.objects.create(
        cohort=cohort,
        token_hash=hash_token(token),
        needs_approval=needs_approval,
        expires_at=expires_at,
        created_by=by,
    )
    approval = " (needing approval)" if needs_approval else ""
    summary = f"Made a new enrolment link{approval} for {cohort.name}, until {expires_on}"
    _record(cohort, by, "enrolment_link.issue", summary, link)
    return link, token


@transaction.atomic
def revoke_link(*, link: EnrolmentLink, by: User) -> EnrolmentLink:
    """Stop a link working at once. CohortError if it was revoked already."""
    link = (
        EnrolmentLink.objects.select_for_update()
        .select_related("cohort__programme")
        .get(pk=link.pk)
    )
    if link.revoked_at is not None:
        raise CohortError("This link has been turned off already.")
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    _record(link.cohort, by, "enrolment_link.revoke", f"Turned off {link.cohort.name}'s link", link)
    return link


def live_link(cohort: Cohort) -> EnrolmentLink | None:
    """The cohort's link that still works, if any."""
    return cohort.links.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).first()


def link_for_token(token: str) -> EnrolmentLink | None:
    """The working link `token` opens, with its cohort and programme; None for a wrong, revoked
    or expired token, or a cohort that has ended."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    link = (
        EnrolmentLink.objects.select_related("cohort__programme")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .filter(expires_at__gt=timezone.now())
        .first()
    )
    if link is None or link.cohort.has_ended(timezone.localdate()):
        return None
    return link


@transaction.atomic
def enrol_with_link(*, link: EnrolmentLink, person: User) -> Enrolment | EnrolmentRequest:
    """Enrol `person` from today (or the cohort's first day), or record their request when the
    link needs approval. CohortError if the link stopped working, or they are already in the
    cohort or waiting for a decision."""
    cohort = _lock_cohort(link.cohort)
    link = EnrolmentLink.objects.filter(pk=link.pk, revoked_at__isnull=True).first()
    today = timezone.localdate()
    if link is None or link.expires_at <= timezone.now() or cohort.has_ended(today):
        raise CohortError("This enrolment link no longer works. Ask your programme for a new one.")
    if cohort.enrolments.filter(person=person, left_on__isnull=True).exists():
        raise CohortError(f"You are already enrolled in {cohort.name}.")
    if cohort.requests.filter(person=person, decided_at__isnull=True).exists():
        raise CohortError(f"You have already asked to join {cohort.name}.")
    check_trainee_address(programme=cohort.programme, email=person.email)
    if link.needs_approval:
        request = EnrolmentRequest.objects.create(cohort=cohort, person=person)
        _record(cohort, person, "enrolment.request", f"Asked to join {cohort.name}", request)
        return request
    enrolment = Enrolment.objects.create(
        cohort=cohort, person=person, enrolled_on=max(today, cohort.starts_on)
    )
    _record(cohort, person, "enrolment.self", f"Enrolled in {cohort.name} by link", enrolment)
    return enrolment


@transaction.atomic
def decide_request(*, request: EnrolmentRequest, approve: bool, by: User) -> Enrolment | None:
    """Approve (enrol from the day they asked, or the cohort's first day) or decline a request.
    CohortError if it was decided already or the cohort has ended."""
    cohort = _lock_cohort(request.cohort)
    request = EnrolmentRequest.objects.select_related("person").get(pk=request.pk)
    if request.decided_at is not None:
        raise CohortError("This request has been answered already.")
    request.decided_at, request.decided_by, request.approved = timezone.now(), by, approve
    request.save(update_fields=["decided_at", "decided_by", "approved"])
    if not approve:
        _record(cohort, by, "enrolment.decline", f"Declined {request.person}'s request", request)
        _tell_decision(request, cohort)
        return None
    if cohort.enrolments.filter(person=request.person, left_on__isnull=True).exists():
        raise CohortError(f"{request.person} is already enrolled in {cohort.name}.")
    day = timezone.localdate(request.created_at)
    if day > cohort.ends_on:
        raise CohortError("This cohort has ended.")
    enrolment = Enrolment.objects.create(
        cohort=cohort, person=request.person, enrolled_on=max(day, cohort.starts_on)
    )
    summary = f"Approved {request.person}'s request to join {cohort.name}"
    _record(cohort, by, "enrolment.approve", summary, enrolment)
    _tell_decision(request, cohort)
    return enrolment


def _tell_decision(request: EnrolmentRequest, cohort: Cohort) -> None:
    enqueue_email(
        key=f"cohort-request:{request.pk}",
        to=request.person.email,
        template="cohort_request_decided",
        context={
            "person": request.person,
            "cohort": cohort,
            "programme": cohort.programme,
            "approved": request.approved,
            "mine_url": settings.SITE_URL + reverse("reports:my_certificates"),
        },
    )


def verified_addresses(person: User) -> list[str]:
    """The addresses `person` has proved they own (an invitation to one of them is theirs)."""
    return list(
        EmailAddress.objects.filter(user=person, verified=True).values_list("email", flat=True)
    )


def invitations_for(person: User) -> QuerySet[PendingEnrolment]:
    """Open invitations to cohorts addressed to one of the person's verified addresses."""
    addresses = verified_addresses(person)
    if not addresses:
        return PendingEnrolment.objects.none()
    match = Q()
    for address in addresses:
        match |= Q(email__iexact=address)
    return (
        PendingEnrolment.objects.filter(match, accepted_at__isnull=True)
        .select_related("cohort__programme")
        .order_by("cohort__starts_on", "pk")
    )


def _own_invitation(person: User, pending_id: int) -> PendingEnrolment:
    pending = invitations_for(person).filter(pk=pending_id).first()
    if pending is None:
        raise CohortError("This invitation has been withdrawn or answered already.")
    return pending


def accept_invitation(*, person: User, pending_id: int) -> Enrolment:
    """Take up an invitation addressed to one of the person's verified addresses. CohortError if
    it is not theirs, or was withdrawn or answered. A cohort that has ended may still be accepted:
    a programme entering its past year asks each person before it names them in that history."""
    pending = _own_invitation(person, pending_id)
    try:
        with transaction.atomic():
            enrolment = _activate(pending_id=pending.pk, user=person)
            if enrolment is None:
                raise CohortError("This invitation has been answered already.")
            summary = f"Accepted the invitation to {pending.cohort.name}"
            _record(pending.cohort, person, "enrolment.accept", summary, enrolment)
    except PendingEnrolment.DoesNotExist:
        raise CohortError("This invitation has been withdrawn.") from None
    except IntegrityError:
        raise CohortError("This invitation has been answered already.") from None
    return enrolment


@transaction.atomic
def decline_invitation(*, person: User, pending_id: int) -> None:
    """Say no to an invitation: it is deleted, and the admin sees it gone, never who declined.
    CohortError if it is not theirs or was answered already."""
    pending = _own_invitation(person, pending_id)
    pending = PendingEnrolment.objects.select_for_update().filter(pk=pending.pk).first()
    if pending is None or pending.accepted_at is not None:
        raise CohortError("This invitation has been answered already.")
    cohort = Cohort.objects.select_related("programme").get(pk=pending.cohort_id)
    # The admin typed the address: naming it tells them nothing new about the person.
    summary = f"{pending.email} declined the invitation"
    _record(cohort, person, "enrolment.declined", summary, cohort)
    pending.delete()
