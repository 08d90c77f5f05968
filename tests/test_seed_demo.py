import pytest
from django.core.management import call_command

from groups.models import BalintGroup, Leadership, Membership
from members.models import Programme, User

pytestmark = pytest.mark.django_db


def world() -> dict:
    return {
        "people": sorted(User.objects.values_list("email", "display_name", "is_staff")),
        "programmes": sorted(Programme.objects.values_list("slug", "name")),
        "groups": sorted(BalintGroup.objects.values_list("slug", "status", "capacity", "format")),
        "leaders": sorted(Leadership.objects.values_list("group__slug", "person__email", "role")),
        "memberships": sorted(
            Membership.objects.values_list("group__slug", "person__email", "status")
        ),
    }


def test_seed_demo_twice_gives_the_same_world(capsys):
    call_command("seed_demo")
    first = world()
    call_command("seed_demo")

    assert world() == first
    assert len(first["groups"]) >= 4
    assert first["leaders"] and first["memberships"] and first["programmes"]
    output = capsys.readouterr().out
    assert "admin@example.org" in output and "balint-demo-2026" in output


def test_demo_logins_work(client):
    call_command("seed_demo")

    response = client.post(
        "/accounts/login/", {"login": "member@example.org", "password": "balint-demo-2026"}
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session
