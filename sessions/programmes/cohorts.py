"""Operations on cohorts and enrolments: create a cohort, invite trainees by email (a person
with an account accepts on the site; an unknown address is enrolled when it signs up), and end an
enrolment. Self-enrolment links and acceptances are in `enrolment.py`.

Each operation is one transaction and raises `CohortError` with a message for the person when a
rule refuses it; views only catch that.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from balint.audit import services as audit
from balint.errors import DomainError
from balint.outbox.services import enqueue_email
from members.models import Programme, User
from sessions.programmes.models import ApologiesRule, Cohort, Enrolment, PendingEnrolment


class CohortError(DomainError):
    """A rule refused the operation; `message` says why, for the person who tried it."""


@dataclass
class EnrolmentReport:
    """What enrolling a list of addresses did, address by address."""

    invited: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    # Addresses outside the programme's trainee email domains, each with the reason.
    refused: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{len(self.invited)} invited; they join the cohort when they accept"]
        if self.already:
            parts.append(f"{len(self.already)} already in the cohort or invited")
        if self.refused:
            parts.append(f"{len(self.refused)} refused")
        return "; ".join(parts) + "."


@transaction.atomic
def create_cohort(
    *,
    programme: Programme,
    name: str,
    starts_on: date,
    ends_on: date,
    required_meetings: int | None = None,
    required_percent: int | None = None,
    apologies: str = ApologiesRule.ABSENCE,
    late_counts: bool = True,
    by: User,
) -> Cohort:
    """Create a cohort of `programme`. CohortError if the name is taken or the dates or the
    requirement are impossible."""
    name = name.strip()
    if ends_on < starts_on:
        raise CohortError("The last day cannot be before the first day.")
    if (required_meetings is None) == (required_percent is None):
        raise CohortError("Give either a minimum number of meetings or a percentage, not both.")
    if Cohort.objects.filter(programme=programme, name__iexact=name).exists():
        raise CohortError(f"This programme already has a cohort called “{name}”.")
    try:
        with transaction.atomic():
            return Cohort.objects.create(
                programme=programme,
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                required_meetings=required_meetings,
                required_percent=required_percent,
                apologies=apologies,
                late_counts=late_counts,
                created_by=by,
            )
    except IntegrityError:
        # Two admins creating the same cohort at once: the unique constraint decides.
        raise CohortError(f"This programme already has a cohort called “{name}”.") from None


@transaction.atomic
def set_counting_rule(*, cohort: Cohort, apologies: str, late_counts: bool, by: User) -> Cohort:
    """Change how the cohort's requirement counts apologies and lateness (every report, export
    and certificate follows at once). CohortError if the rule is not one we know."""
    if apologies not in ApologiesRule.values:
        raise CohortError("Choose how apologies count.")
    cohort = _lock_cohort(cohort)
    cohort.apologies, cohort.late_counts = apologies, late_counts
    cohort.save(update_fields=["apologies", "late_counts"])
    audit.record(
        actor=by,
        area=audit.Area.INVITATIONS,
        action="cohort.rule",
        summary=f"Changed how {cohort.name}'s requirement counts marks: {cohort.counting_rule}",
        where=cohort.programme,
        target=cohort,
    )
    return cohort


def check_trainee_address(*, programme: Programme, email: str) -> None:
    """Raise CohortError if the programme asks its trainees for addresses at given domains and
    `email` is not at one of them. Every way into a cohort calls this (enrolling, taking up an
    invitation; a self-enrolment link must too)."""
    if not programme.accepts_trainee_address(email):
        domains = " or ".join(programme.trainee_domains)
        raise CohortError(
            f"{programme.name} asks its trainees to use an address at {domains}; "
            f"{email} is not one."
        )


def _lock_cohort(cohort: Cohort) -> Cohort:
    """Lock the cohort row: two admins pasting the same list at once must not enrol twice."""
    return Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)


@transaction.atomic
def enrol_by_email(
    *, cohort: Cohort, emails: list[str], enrolled_on: date, by: User
) -> EnrolmentReport:
    """Invite each address to the cohort: someone with an account accepts on the site, an
    unknown address is enrolled when it signs up. Until then the admin sees only the address
    they typed, never whose account it is. CohortError if the date is outside the cohort."""
    cohort = _lock_cohort(cohort)
    if not cohort.starts_on <= enrolled_on <= cohort.ends_on:
        raise CohortError("The enrolment date must fall within the cohort's dates.")
    report = EnrolmentReport()
    for email in dict.fromkeys(address.strip() for address in emails if address.strip()):
        try:
            check_trainee_address(programme=cohort.programme, email=email)
        except CohortError as error:
            report.refused.append(error.message)
            continue
        person = User.objects.filter(email__iexact=email).first()
        if person is not None and _is_current(cohort, person):
            # Already a trainee: the admin sees them in the table, so saying so tells nothing.
            report.already.append(email)
        else:
            _invite(cohort, email, person=person, enrolled_on=enrolled_on, by=by, report=report)
    return report


def _is_current(cohort: Cohort, person: User) -> bool:
    return cohort.enrolments.filter(person=person, left_on__isnull=True).exists()


def _invite(
    cohort: Cohort, email: str, *, person: User | None, enrolled_on: date, by: User, report
) -> None:
    if cohort.pending.filter(email__iexact=email, accepted_at__isnull=True).exists():
        report.already.append(email)
        return
    pending = PendingEnrolment.objects.create(
        cohort=cohort, email=email, enrolled_on=enrolled_on, invited_by=by
    )
    _audit(cohort, by, "enrolment.invite", f"Invited {email} to join {cohort.name}", pending)
    if person is None:
        template, url = "cohort_invite", reverse("account_signup")
    else:
        template, url = "cohort_invite_account", reverse("reports:my_certificates")
    enqueue_email(
        key=f"cohort-invite:{pending.pk}",
        to=email,
        template=template,
        context={
            "cohort": cohort,
            "programme": cohort.programme,
            "invited_by": by,
            "email": email,
            "signup_url": settings.SITE_URL + url,
            "accept_url": settings.SITE_URL + url,
        },
    )
    report.invited.append(email)


@transaction.atomic
def end_enrolment(*, enrolment: Enrolment, left_on: date, by: User) -> Enrolment:
    """Record that a trainee left the cohort on `left_on` (meetings after it do not count
    against them). CohortError if they have left already or the date is impossible."""
    enrolment = Enrolment.objects.select_for_update().select_related("cohort").get(pk=enrolment.pk)
    if enrolment.left_on is not None:
        raise CohortError(f"{enrolment.person} has already left this cohort.")
    if left_on < enrolment.enrolled_on:
        raise CohortError("The last day cannot be before they were enrolled.")
    if left_on > enrolment.cohort.ends_on:
        raise CohortError("The last day cannot be after the cohort ends.")
    enrolment.left_on = left_on
    enrolment.save(update_fields=["left_on"])
    summary = f"Recorded that {enrolment.person} left {enrolment.cohort.name} on {left_on}"
    _audit(enrolment.cohort, by, "enrolment.end", summary, enrolment)
    return enrolment


@transaction.atomic
def cancel_pending_enrolment(*, pending: PendingEnrolment, by: User) -> PendingEnrolment:
    """Withdraw an invitation that has not been used. CohortError if it was used already."""
    pending = PendingEnrolment.objects.select_for_update().get(pk=pending.pk)
    if pending.accepted_at is not None:
        raise CohortError(f"{pending.email} has signed up already.")
    summary = f"Withdrew the invitation to {pending.email}"
    _audit(pending.cohort, by, "enrolment.withdraw", summary, pending)
    pending.delete()
    return pending


def _audit(cohort: Cohort, by: User, action: str, summary: str, target) -> None:
    audit.record(
        actor=by,
        area=audit.Area.INVITATIONS,
        action=action,
        summary=summary,
        where=cohort.programme,
        target=target,
    )


def activate_pending_enrolments(*, user: User, email: str) -> list[Enrolment]:
    """Enrol a newly verified address in every cohort it was invited to before the account
    existed (signing up in answer to the invitation accepts it). An invitation to an existing
    account waits for that person to accept it on the site. Safe to call twice."""
    ids = PendingEnrolment.objects.filter(
        email__iexact=email, accepted_at__isnull=True, created_at__lte=user.date_joined
    ).values_list("pk", flat=True)
    enrolments = [_activate(pending_id=pk, user=user) for pk in list(ids)]
    return [enrolment for enrolment in enrolments if enrolment is not None]


@transaction.atomic
def _activate(*, pending_id: int, user: User) -> Enrolment | None:
    pending = (
        PendingEnrolment.objects.select_for_update(of=("self",))
        .select_related("cohort__programme")
        .get(pk=pending_id)
    )
    if pending.accepted_at is not None:
        return None
    if not pending.cohort.programme.accepts_trainee_address(pending.email):
        # The programme has asked for other domains since the invitation: it waits for staff.
        return None
    enrolment = Enrolment.objects.filter(
        cohort_id=pending.cohort_id, person=user, left_on__isnull=True
    ).first() or Enrolment.objects.create(
        cohort_id=pending.cohort_id, person=user, enrolled_on=pending.enrolled_on
    )
    pending.accepted_at = timezone.now()
    pending.enrolment = enrolment
    pending.save(update_fields=["accepted_at", "enrolment"])
    return enrolment
