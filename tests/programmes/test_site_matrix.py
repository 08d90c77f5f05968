"""Every page of running a programme in the site and of joining a cohort, from every persona's
side: staff, an admin of this programme, an admin of another programme, a leader and a member of
the programme's group, a trainee of its cohort, and a visitor.

A programme's pages are for its admins and staff; anyone else gets 404 (they may not learn it
exists); its admins see the admins page but only staff change it (403); visitors are sent to
sign in. A self-enrolment link's page opens for whoever holds it."""

import pytest

from balint.outbox.models import Message
from members.models import ProgrammeAdminInvitation
from sessions.programmes.enrolment import issue_link
from sessions.programmes.models import Enrolment, EnrolmentRequest, PendingEnrolment
from tests.factories import ProgrammeFactory, UserFactory, with_totp
from tests.reports.factories import CohortFactory

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "staff",
    "programme_admin",
    "other_programme_admin",
    "leader",
    "member",
    "trainee",
]
LOGIN = "login"
ADMINS = {**dict.fromkeys(PERSONAS, 404), "anonymous": LOGIN, "programme_admin": 200, "staff": 200}
STAFF = {**ADMINS, "programme_admin": 404}
APPOINT = {**ADMINS, "programme_admin": 403}
SIGNED_IN = {**dict.fromkeys(PERSONAS, 200), "anonymous": LOGIN}
ADDRESSEE = {**dict.fromkeys(PERSONAS, 404), "anonymous": LOGIN, "member": 200}
EVERYONE = dict.fromkeys(PERSONAS, 200)
HOLDER = {**SIGNED_IN}  # anyone signed in who holds the link; a visitor signs in first
# The other programme's own pages: its admin and staff, nobody from this programme.
ELSEWHERE = {**STAFF, "other_programme_admin": 200}

P = "/programmes/severn"
C = P + "/cohorts/{cohort}"
NEW = {"name": "Mersey scheme", "slug": "", "description": "GP trainees"}
DETAILS = {"name": "Severn GP scheme", "description": "Renamed"}
LINK = {"expires_on": "{cohort_end}", "needs_approval": "on"}
RULE = {"apologies": "excused", "late_counts": "no"}
OTHER_RULE = "/programmes/elsewhere/cohorts/{other}/rule/"
INVITATION = "/programmes/invitations/{pending}"

# name: (method, path, data, expectations, success code)
VIEWS = {
    "all programmes": ("get", "/programmes/all/", {}, STAFF, 200),
    "new programme form": ("get", "/programmes/all/new/", {}, STAFF, 200),
    "new programme": ("post", "/programmes/all/new/", NEW, STAFF, 302),
    "details form": ("get", P + "/settings/", {}, ADMINS, 200),
    "details": ("post", P + "/settings/", DETAILS, ADMINS, 302),
    "other programme's details": ("get", "/programmes/elsewhere/settings/", {}, ELSEWHERE, 200),
    "admins": ("get", P + "/admins/", {}, ADMINS, 200),
    "appoint": ("post", P + "/admins/add/", {"email": "new.admin@example.org"}, APPOINT, 302),
    "remove admin": ("post", P + "/admins/{second_admin}/remove/", {}, APPOINT, 302),
    "withdraw admin invitation": (
        "post", P + "/admins/invitations/{admin_invitation}/withdraw/", {}, APPOINT, 302,
    ),
    "make link": ("post", C + "/link/", LINK, ADMINS, 200),
    "turn link off": ("post", C + "/link/{link}/off/", {}, ADMINS, 302),
    "approve request": ("post", C + "/requests/{request}/", {"decision": "approve"}, ADMINS, 302),
    "counting rule": ("post", C + "/rule/", RULE, ADMINS, 302),
    "other programme's rule": ("post", OTHER_RULE, RULE, ELSEWHERE, 302),
    "link page": ("get", "/programmes/enrol/{token}/", {}, EVERYONE, 200),
    "enrol by link": ("post", "/programmes/enrol/{token}/", {}, HOLDER, 302),
    "accept invitation": ("post", INVITATION + "/accept/", {}, ADDRESSEE, 302),
    "decline invitation": ("post", INVITATION + "/decline/", {}, ADDRESSEE, 302),
    "my programmes": ("get", "/programmes/certificates/mine/", {}, SIGNED_IN, 200),
}  # fmt: skip


@pytest.fixture
def other_programme_admin(db):
    person = with_totp(UserFactory(display_name="Olly Otheradmin", email="olly@example.org"))
    ProgrammeFactory(name="Elsewhere scheme", slug="elsewhere", admins=[person])
    return person


@pytest.fixture
def trainee(db):
    return UserFactory(display_name="Dr Tia Trainee", email="tia@example.org")


@pytest.fixture
def ids(programme, group, member, leader, trainee, programme_admin, other_programme_admin, staff):
    """Every persona exists; the objects the views act on."""
    programme.slug = "severn"
    programme.save()
    cohort = CohortFactory(programme=programme)
    cohort.placements.create(group=group)
    Enrolment.objects.create(cohort=cohort, person=trainee, enrolled_on=cohort.starts_on)
    second = UserFactory(email="second.admin@example.org")
    programme.admins.add(second)
    invitation = ProgrammeAdminInvitation.objects.create(
        programme=programme, email="someone@example.org"
    )
    # An invitation to the member's own address: only they may answer it.
    pending = PendingEnrolment.objects.create(
        cohort=cohort, email=member.email, enrolled_on=cohort.starts_on
    )
    link, token = issue_link(
        cohort=cohort, expires_on=cohort.ends_on, needs_approval=True, by=programme_admin
    )
    request = EnrolmentRequest.objects.create(cohort=cohort, person=UserFactory())
    other = CohortFactory(programme=other_programme_admin.administered_programmes.get())
    return {
        "cohort": cohort.pk,
        "cohort_end": cohort.ends_on.isoformat(),
        "second_admin": second.pk,
        "admin_invitation": invitation.pk,
        "pending": pending.pk,
        "link": link.pk,
        "token": token,
        "request": request.pk,
        "other": other.pk,
    }


def _fill(value, ids):
    return value.format(**ids) if isinstance(value, str) else value


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", VIEWS)
def test_persona_matrix(client_for, ids, persona, name):
    method, path, data, expectations, success = VIEWS[name]
    client = client_for(persona)
    data = {key: _fill(value, ids) for key, value in data.items()}

    response = getattr(client, method)(_fill(path, ids), data)

    expected = expectations[persona]
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif expected == 200:
        assert response.status_code == success, response.content[:800]
        if success == 302:
            assert "/accounts/login/" not in response["Location"]
    else:
        assert response.status_code == expected


def test_a_visitor_can_read_the_link_page_but_must_sign_in_to_enrol(client, ids):
    page = client.get(f"/programmes/enrol/{ids['token']}/")
    assert page.status_code == 200
    assert "Sign in" in page.content.decode()
    assert "Ask to join" not in page.content.decode()


def test_nothing_is_sent_or_changed_by_a_refused_persona(client_for, ids, programme):
    before = (Message.objects.count(), programme.admins.count())
    client_for("programme_admin").post(f"{P}/admins/add/", {"email": "x@example.org"})
    client_for("other_programme_admin").post(f"{P}/admins/{ids['second_admin']}/remove/")
    assert (Message.objects.count(), programme.admins.count()) == before
    assert not ProgrammeAdminInvitation.objects.filter(email="x@example.org").exists()
