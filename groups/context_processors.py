from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject

from balint import changes
from groups.models import Leadership, Membership, MembershipStatus
from members.models import Programme, User

VISITOR = {"leads": False, "belongs": False, "administers": False, "has_authenticator": False}


def _roles(user) -> dict[str, bool]:
    """What the signed-in person does on the site, in one query, for the navigation; with whether
    they have an authenticator app, for the two-factor rule (groups/mfa.py)."""
    if not user.is_authenticated:
        return dict(VISITOR)
    person = OuterRef("pk")
    return (
        User.objects.filter(pk=user.pk)
        .annotate(
            leads=Exists(Leadership.objects.filter(person=person)),
            belongs=Exists(
                Membership.objects.filter(person=person, status=MembershipStatus.ACTIVE)
            ),
            administers=Exists(Programme.admins.through.objects.filter(user=person)),
            has_authenticator=Exists(Authenticator.objects.filter(user=person)),
        )
        .values("leads", "belongs", "administers", "has_authenticator")
        .get()
    )


def roles_key(person) -> str:
    """The name the person's roles are kept under between requests."""
    return f"roles:{person}"


def request_roles(request) -> dict[str, bool]:
    """`_roles` of the signed-in person, read at most once per request: the two-factor middleware
    reads it before the view and the navigation reuses it, so checking costs no query of its own
    on a page."""
    roles = getattr(request, "_balint_roles", None)
    if roles is None:
        user = request.user
        # Kept between requests while the tables it reads are unchanged (balint/changes.py).
        roles = changes.kept(roles_key(user.pk), lambda: _roles(user), keep=lambda _: True)
        request._balint_roles = roles
    return roles


def nav_roles(request):
    """`nav_roles.leads` etc.; the query runs only if a template asks (or the two-factor
    middleware already did)."""
    return {"nav_roles": SimpleLazyObject(lambda: request_roles(request))}
