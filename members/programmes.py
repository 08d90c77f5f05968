"""Running programmes in the site: staff create them and appoint or remove their admins by
email (an address without an account becomes an admin when it signs up and proves it owns the
address); a programme's admins edit its name and description.

Each operation is one transaction, audited, and raises `ProgrammeError` with a message for the
person when a rule refuses it.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from balint.audit import services as audit
from balint.errors import DomainError
from balint.outbox.services import enqueue_email
from members.models import Programme, ProgrammeAdminInvitation, User

# The programme pages share their first path segment with these fixed pages.
RESERVED_SLUGS = {"all", "mine", "enrol", "invitations", "certificates", "feedback", "new"}


class ProgrammeError(DomainError):
    """A rule refused the operation; `message` says why, for the person who tried it."""


def _record(programme: Programme, by, action: str, summary: str, target=None) -> None:
    audit.record(
        actor=by,
        area=audit.Area.PROGRAMMES,
        action=action,
        summary=summary,
        where=programme,
        target=target if target is not None else programme,
    )


def _check_name(name: str, *, exclude: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ProgrammeError("Please give the programme a name.")
    if Programme.objects.filter(name__iexact=name).exclude(pk=exclude).exists():
        raise ProgrammeError(f"There is already a programme called “{name}”.")
    return name


@transaction.atomic
def create_programme(*, name: str, slug: str = "", description: str = "", by: User) -> Programme:
    """A new programme with no admins yet. ProgrammeError if the name or web address is taken
    or reserved."""
    name = _check_name(name)
    slug = slugify(slug or name)[:80].strip("-")
    if not slug or slug in RESERVED_SLUGS:
        raise ProgrammeError("Please choose another web address: that one is reserved.")
    if Programme.objects.filter(slug=slug).exists():
        raise ProgrammeError(f"The web address “{slug}” is taken by another programme.")
    try:
        with transaction.atomic():
            programme = Programme.objects.create(name=name, slug=slug, description=description)
    except IntegrityError:
        # Two members of staff creating the same programme at once: the unique columns decide.
        raise ProgrammeError(f"There is already a programme called “{name}”.") from None
    _record(programme, by, "programme.create", f"Created the programme {name}")
    return programme


@transaction.atomic
def update_programme(*, programme: Programme, name: str, description: str, by: User) -> Programme:
    """Change the programme's name and description (its web address stays). ProgrammeError if
    the name is taken."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    name = _check_name(name, exclude=programme.pk)
    changed = [
        label
        for label, old, new in [
            ("name", programme.name, name),
            ("description", programme.description, description),
        ]
        if old != new
    ]
    if not changed:
        return programme
    programme.name, programme.description = name, description
    try:
        with transaction.atomic():
            programme.save(update_fields=["name", "description"])
    except IntegrityError:
        raise ProgrammeError(f"There is already a programme called “{name}”.") from None
    _record(programme, by, "programme.edit", f"Changed the programme's {' and '.join(changed)}")
    return programme


@transaction.atomic
def appoint_admin(*, programme: Programme, email: str, by: User) -> User | ProgrammeAdminInvitation:
    """Make the account with this address an admin of the programme (they are told by email),
    or invite the address to sign up and become one. ProgrammeError if it already is one or has
    been invited."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    email = email.strip()
    person = User.objects.filter(email__iexact=email, is_active=True).first()
    if person is not None:
        if programme.admins.filter(pk=person.pk).exists():
            raise ProgrammeError(f"{person} is already an admin of this programme.")
        programme.admins.add(person)
        _record(programme, by, "programme.admin_add", f"Appointed {person} as an admin", person)
        _tell(programme, person.email, template="programme_admin_appointed", key=f"{person.pk}")
        return person
    if programme.admin_invitations.filter(email__iexact=email, accepted_at__isnull=True).exists():
        raise ProgrammeError(f"{email} has been invited already.")
    invitation = ProgrammeAdminInvitation.objects.create(
        programme=programme, email=email, invited_by=by
    )
    summary = f"Invited {email} to sign up as an admin"
    _record(programme, by, "programme.admin_invite", summary, invitation)
    _tell(programme, email, template="programme_admin_invite", key=f"i{invitation.pk}")
    return invitation


def _tell(programme: Programme, email: str, *, template: str, key: str) -> None:
    enqueue_email(
        key=f"programme-admin:{programme.pk}:{key}:{timezone.now():%Y%m%d%H%M%S%f}",
        to=email,
        template=template,
        context={
            "programme": programme,
            "email": email,
            "signup_url": settings.SITE_URL + reverse("account_signup"),
            "programme_url": settings.SITE_URL
            + reverse("reports:dashboard", args=[programme.slug]),
        },
    )


@transaction.atomic
def remove_admin(*, programme: Programme, person: User, by: User) -> None:
    """The person is no longer an admin of the programme. ProgrammeError if they were not."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if not programme.admins.filter(pk=person.pk).exists():
        raise ProgrammeError(f"{person} is not an admin of this programme.")
    programme.admins.remove(person)
    _record(programme, by, "programme.admin_remove", f"Removed {person} as an admin", person)


@transaction.atomic
def withdraw_admin_invitation(*, invitation: ProgrammeAdminInvitation, by: User) -> None:
    """Withdraw an invitation nobody has taken up. ProgrammeError if it was taken up."""
    invitation = ProgrammeAdminInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ProgrammeError(f"{invitation.email} has signed up already.")
    programme = invitation.programme
    summary = f"Withdrew the invitation to {invitation.email}"
    _record(programme, by, "programme.admin_withdraw", summary, invitation)
    invitation.delete()


def activate_admin_invitations(*, user: User, email: str) -> list[Programme]:
    """Make a newly proven address's account an admin of every programme it was invited to
    administer. Safe to call twice."""
    ids = ProgrammeAdminInvitation.objects.filter(
        email__iexact=email, accepted_at__isnull=True
    ).values_list("pk", flat=True)
    return [p for p in (_take_up(pk, user) for pk in list(ids)) if p is not None]


@transaction.atomic
def _take_up(invitation_id: int, user: User) -> Programme | None:
    invitation = (
        ProgrammeAdminInvitation.objects.select_for_update()
        .select_related("programme")
        .get(pk=invitation_id)
    )
    if invitation.accepted_at is not None:
        return None
    invitation.programme.admins.add(user)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    summary = f"{user} signed up and became an admin"
    _record(invitation.programme, user, "programme.admin_signup", summary, invitation)
    return invitation.programme
