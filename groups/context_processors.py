from django.db.models import Exists, OuterRef
from django.utils.functional import SimpleLazyObject

from groups.models import Leadership, Membership, MembershipStatus
from members.models import Programme, User


def _roles(user) -> dict[str, bool]:
    """What the signed-in person does on the site, in one query, for the navigation."""
    if not user.is_authenticated:
        return {"leads": False, "belongs": False, "administers": False}
    person = OuterRef("pk")
    return (
        User.objects.filter(pk=user.pk)
        .annotate(
            leads=Exists(Leadership.objects.filter(person=person)),
            belongs=Exists(
                Membership.objects.filter(person=person, status=MembershipStatus.ACTIVE)
            ),
            administers=Exists(Programme.admins.through.objects.filter(user=person)),
        )
        .values("leads", "belongs", "administers")
        .get()
    )


def nav_roles(request):
    """`nav_roles.leads` etc.; the query runs only if a template asks."""
    return {"nav_roles": SimpleLazyObject(lambda: _roles(request.user))}
