"""Who may see and manage a programme: its cohorts, trainees and reports. Views (the programme
pages in `sessions.reports`) ask here; they never re-derive it.

- A programme admin sees their own programmes' groups, cohorts, trainees, exports and feedback
  results; staff see every programme. Everyone else gets 404: a programme's reports are not
  something an outsider may learn exist.
- A trainee sees only their own certificates.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from members.models import Programme, User
from sessions.programmes.models import (
    Cohort,
    Enrolment,
    EnrolmentLink,
    EnrolmentRequest,
    PendingEnrolment,
)


@dataclass(frozen=True)
class ProgrammeAccess:
    programme: Programme
    is_admin: bool
    is_staff: bool

    @property
    def can_manage(self) -> bool:
        """Create cohorts, enrol and place trainees, export."""
        return self.is_admin or self.is_staff


def programmes_for(user) -> QuerySet[Programme]:
    """The programmes whose reports `user` may see."""
    if not user.is_authenticated:
        return Programme.objects.none()
    if user.is_staff:
        return Programme.objects.all()
    return Programme.objects.filter(admins=user)


def is_programme_admin(user) -> bool:
    """Whether to offer `user` the programmes pages at all (admins and staff)."""
    return user.is_authenticated and (user.is_staff or programmes_for(user).exists())


def access_programme(user, slug: str) -> ProgrammeAccess:
    """The programme and what `user` may do with it; 404 unless its admin or staff."""
    programme = programmes_for(user).filter(slug=slug).first()
    if programme is None:
        raise Http404("No such programme.")
    is_admin = programme.admins.filter(pk=user.pk).exists()
    return ProgrammeAccess(programme=programme, is_admin=is_admin, is_staff=user.is_staff)


def access_cohort(user, slug: str, cohort_id: int) -> tuple[ProgrammeAccess, Cohort]:
    """A cohort of a programme `user` may see; 404 otherwise (also for another programme's)."""
    access = access_programme(user, slug)
    cohort = Cohort.objects.filter(pk=cohort_id, programme=access.programme).first()
    if cohort is None:
        raise Http404("No such cohort.")
    cohort.programme = access.programme
    return access, cohort


def access_enrolment(user, slug: str, cohort_id: int, enrolment_id: int) -> Enrolment:
    """An enrolment in a cohort `user` may manage; 404 otherwise."""
    _, cohort = access_cohort(user, slug, cohort_id)
    enrolment = cohort.enrolments.select_related("person").filter(pk=enrolment_id).first()
    if enrolment is None:
        raise Http404("No such trainee in this cohort.")
    enrolment.cohort = cohort
    return enrolment


def access_pending(user, slug: str, cohort_id: int, pending_id: int) -> PendingEnrolment:
    """An unused invitation to a cohort `user` may manage; 404 otherwise."""
    _, cohort = access_cohort(user, slug, cohort_id)
    pending = cohort.pending.filter(pk=pending_id, accepted_at__isnull=True).first()
    if pending is None:
        raise Http404("No such invitation.")
    return pending


def access_trainee(user, slug: str, cohort_id: int, person_id: int) -> tuple[Cohort, User]:
    """A trainee of a cohort `user` may see, for their certificate; 404 otherwise."""
    _, cohort = access_cohort(user, slug, cohort_id)
    person = User.objects.filter(pk=person_id, enrolments__cohort=cohort).distinct().first()
    if person is None:
        raise Http404("No such trainee in this cohort.")
    return cohort, person


def access_own_cohort(user, cohort_id: int) -> Cohort:
    """A cohort the signed-in trainee is (or was) enrolled in; 404 otherwise."""
    cohort = (
        Cohort.objects.select_related("programme")
        .filter(pk=cohort_id, enrolments__person=user)
        .distinct()
        .first()
    )
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def check_staff(user) -> None:
    """Pages only site staff see (every programme, a new programme): 404 for anyone else."""
    if not (user.is_authenticated and user.is_staff):
        raise Http404("No such page.")


def check_may_appoint(access: ProgrammeAccess) -> None:
    """Appointing and removing a programme's admins is for staff: a programme's own admins see
    the list (403 if they try to change it)."""
    if not access.is_staff:
        raise PermissionDenied("Only the site's staff appoint or remove a programme's admins.")


def access_link(user, slug: str, cohort_id: int, link_id: int) -> EnrolmentLink:
    """A self-enrolment link of a cohort `user` may manage; 404 otherwise."""
    _, cohort = access_cohort(user, slug, cohort_id)
    link = cohort.links.filter(pk=link_id).first()
    if link is None:
        raise Http404("No such link.")
    link.cohort = cohort
    return link


def access_request(user, slug: str, cohort_id: int, request_id: int) -> EnrolmentRequest:
    """An undecided request to join a cohort `user` may manage; 404 otherwise."""
    _, cohort = access_cohort(user, slug, cohort_id)
    request = cohort.requests.select_related("person").filter(
        pk=request_id, decided_at__isnull=True
    )
    found = request.first()
    if found is None:
        raise Http404("No such request.")
    found.cohort = cohort
    return found
