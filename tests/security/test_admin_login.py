"""The Django admin has no sign-in form of its own: it goes through allauth, so allauth's rate
limits and two-factor authentication apply to it."""

import pytest
from django.core.cache import cache

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_the_admin_sends_anonymous_visitors_to_the_site_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")

    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_the_admin_form_itself_cannot_be_used_to_guess_passwords(client):
    staff = UserFactory(is_staff=True)

    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("persona", ["member", "leader", "programme_admin", "stranger"])
def test_signed_in_non_staff_are_refused_the_admin(client_for, persona):
    client = client_for(persona)

    assert client.get("/admin/login/").status_code == 403
    assert client.get("/admin/").status_code == 302  # to the login, which refuses them


def test_staff_reach_the_admin(client_for):
    assert client_for("staff").get("/admin/").status_code == 200


def test_failed_sign_ins_are_rate_limited_for_the_admin_too(client):
    staff = UserFactory(is_staff=True)
    login = "/accounts/login/?next=/admin/"
    for _ in range(5):
        response = client.post(login, {"login": staff.email, "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error

    # Even the right password is refused now.
    response = client.post(login, {"login": staff.email, "password": PASSWORD})

    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_a_superuser_without_mfa_must_set_it_up_before_the_admin(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.post("/accounts/login/?next=/admin/", {"login": superuser.email, "password": PASSWORD})

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
