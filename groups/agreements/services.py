"""Writing and accepting a group's agreement."""

from django.db import IntegrityError, transaction

from balint.audit import services as audit
from balint.errors import DomainError
from groups.agreements.models import AgreementAcceptance, AgreementVersion
from groups.models import BalintGroup
from groups.services.locks import lock_group


class AgreementError(DomainError):
    pass


def current_agreement(group: BalintGroup) -> AgreementVersion | None:
    """The group's latest version, or None if its leaders have written none."""
    return AgreementVersion.objects.filter(group=group).order_by("-number").first()


def has_accepted(version: AgreementVersion | None, person) -> bool:
    """Whether `person` accepted `version`; True when there is no agreement to accept."""
    if version is None:
        return True
    if not getattr(person, "is_authenticated", False):
        return False
    return version.acceptances.filter(person=person).exists()


@transaction.atomic
def save_agreement(*, group: BalintGroup, by, text: str, material: bool) -> AgreementVersion:
    """Write the group's agreement: a new version if there is none yet or the change is material
    (everyone accepts it again), else a correction of the current version."""
    # The group's lock keeps two leaders saving at once from both taking the next number.
    group = lock_group(group)
    current = current_agreement(group)
    if current is not None and not material:
        current.text = text
        current.save(update_fields=["text", "updated_at"])
        summary = f"Corrected the group agreement (version {current.number})"
        version = current
    else:
        number = current.number + 1 if current else 1
        version = AgreementVersion.objects.create(
            group=group, number=number, text=text, created_by=by
        )
        summary = f"Wrote version {number} of the group agreement; everyone accepts it again"
    audit.record_in_group(
        version, by=by, area=audit.Area.ROSTER, action="group.agreement", summary=summary
    )
    return version


def accept_agreement(*, version: AgreementVersion, person) -> AgreementAcceptance:
    """Record that `person` accepted `version` (once; accepting again changes nothing).
    AgreementError if a newer version has replaced it since the page was shown."""
    current = current_agreement(version.group)
    if current is None or current.pk != version.pk:
        raise AgreementError(
            "The agreement has changed since you opened it. Please read it again and accept it."
        )
    try:
        with transaction.atomic():
            acceptance, _ = AgreementAcceptance.objects.get_or_create(
                version=version, person=person
            )
    except IntegrityError:
        # Two clicks at once: the other request stored the same acceptance.
        acceptance = AgreementAcceptance.objects.get(version=version, person=person)
    return acceptance
