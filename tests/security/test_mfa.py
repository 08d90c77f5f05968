"""Staff and programme admins must set up two-factor authentication before anything else, on every
request of every session, even one opened before the role was granted; others are not asked;
nobody who must have it can turn it off."""

from urllib.parse import quote

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.models import BalintGroup
from members.models import Programme, User
from tests.factories import PASSWORD, ProgrammeFactory, UserFactory, totp_code, with_totp

pytestmark = pytest.mark.django_db

SETUP = "/accounts/2fa/totp/activate/"


def sign_in(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return response


def reauthenticate(client, then: str = SETUP):
    """Confirm the password, as allauth asks before two-factor settings change."""
    response = client.post(f"/accounts/reauthenticate/?next={quote(then)}", {"password": PASSWORD})
    assert response.status_code == 302, response.content
    return response


def new_staff():
    return UserFactory(is_staff=True)


def new_programme_admin():
    admin = UserFactory()
    ProgrammeFactory(admins=[admin])
    return admin


@pytest.mark.parametrize("make", [new_staff, new_programme_admin], ids=["staff", "admin"])
@pytest.mark.parametrize("page", ["/", "/groups/", "/me/", "/admin/", "/programmes/"])
def test_staff_and_programme_admins_without_mfa_are_sent_to_set_it_up(client, make, page):
    sign_in(client, make())

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next={quote(page, safe='')}"
    # allauth asks for the password again before a new authenticator is added.
    confirm = client.get(response["Location"], follow=True)
    assert confirm.request["PATH_INFO"] == "/accounts/reauthenticate/"
    assert "needs two-factor authentication" in confirm.text
    assert reauthenticate(client)["Location"] == SETUP
    assert client.get(SETUP).status_code == 200


def test_a_change_is_refused_until_mfa_is_set_up(client, group):
    sign_in(client, new_staff())

    response = client.post("/groups/new/", {"name": "Sneaky group", "slug": "sneaky"})

    assert response.status_code == 302 and response["Location"] == SETUP
    assert not BalintGroup.objects.filter(slug="sneaky").exists()


def test_setting_up_mfa_opens_the_site(client):
    staff = new_staff()
    sign_in(client, staff)
    reauthenticate(client)
    client.get(SETUP)  # makes the secret, kept in the session until activated
    secret = client.session[SECRET_SESSION_KEY]

    response = client.post(SETUP, {"code": totp_code(secret), "signup_code": ""})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert client.get("/groups/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_signing_out_still_works_before_set_up(client):
    sign_in(client, new_staff())

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_someone_with_mfa_signs_in_with_a_code_and_is_not_asked_again(client):
    staff = with_totp(new_staff())
    response = sign_in(client, staff)
    assert response["Location"] == "/accounts/2fa/authenticate/"

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})

    assert response.status_code == 302
    assert client.get("/groups/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_members_and_leaders_are_not_asked(client):
    sign_in(client, UserFactory())

    assert client.get("/groups/").status_code == 200


def grant_staff(person, programme):
    # As an admin would in the Django admin, or a shell: no signal, no new sign-in.
    User.objects.filter(pk=person.pk).update(is_staff=True)


def grant_programme_admin(person, programme):
    programme.admins.add(person)


def grant_programme_admin_through_the_table(person, programme):
    Programme.admins.through.objects.create(programme=programme, user=person)


GRANTS = [grant_staff, grant_programme_admin, grant_programme_admin_through_the_table]


def export_path(programme) -> str:
    return f"/programmes/{programme.slug}/export/attendance.csv"


@pytest.mark.parametrize("grant", GRANTS, ids=["staff", "admin", "admin-table"])
@pytest.mark.parametrize("page", ["/admin/", "export"])
def test_a_role_granted_mid_session_needs_mfa_before_the_admin_or_an_export(client, grant, page):
    programme = ProgrammeFactory()
    path = export_path(programme) if page == "export" else page
    person = UserFactory()
    sign_in(client, person)
    assert client.get("/groups/").status_code == 200

    grant(person, programme)  # the session stays open
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next={quote(path, safe='')}"
    # And nothing else opens either, until an authenticator is set up.
    assert client.get("/groups/")["Location"] == f"{SETUP}?next=%2Fgroups%2F"


def test_a_role_granted_mid_session_to_someone_with_mfa_opens_at_once(client):
    programme = ProgrammeFactory()
    person = with_totp(UserFactory())
    client.force_login(person)
    assert client.get(export_path(programme)).status_code in {403, 404}

    programme.admins.add(person)
    response = client.get(export_path(programme))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_the_rule_holds_in_a_session_that_was_opened_before_it_was_switched_on(client, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = False
    sign_in(client, new_staff())
    assert client.get("/admin/").status_code == 200

    settings.MFA_REQUIRED_FOR_ADMINS = True

    assert client.get("/admin/")["Location"] == f"{SETUP}?next=%2Fadmin%2F"


def test_the_check_shares_the_navigations_query_on_a_page(client):
    client.force_login(UserFactory())
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/groups/").status_code == 200

    reading_authenticators = [q["sql"] for q in queries if "mfa_authenticator" in q["sql"]]
    assert len(reading_authenticators) == 1, reading_authenticators
    assert "groups_leadership" in reading_authenticators[0]  # the navigation's roles query


def test_the_demo_switch_turns_the_rule_off(client, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = False
    sign_in(client, new_staff())

    assert client.get("/groups/").status_code == 200


def test_staff_cannot_turn_mfa_off_but_members_can(client):
    staff = with_totp(new_staff())
    client.force_login(staff)
    reauthenticate(client)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 200
    assert "must stay on for your account" in response.text
    assert Authenticator.objects.filter(user=staff).exists()

    member = with_totp(UserFactory())
    client.force_login(member)
    reauthenticate(client)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=member).exists()
