"""People and programmes in the admin: edited there (it is their only editor), never deleted."""

import pytest

from members.models import Programme, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_people_are_not_deleted_in_the_admin(admin_client, leader):
    delete = f"/admin/members/user/{leader.pk}/delete/"

    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=leader.pk).exists()
    assert leader.leaderships.exists()


def test_people_can_still_be_deactivated_in_the_admin(admin_client, stranger):
    page = admin_client.get(f"/admin/members/user/{stranger.pk}/change/")

    assert page.status_code == 200
    assert 'name="is_active"' in page.text


def test_programmes_are_not_deleted_in_the_admin(admin_client, programme):
    delete = f"/admin/members/programme/{programme.pk}/delete/"

    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Programme.objects.filter(pk=programme.pk).exists()


def test_programme_admins_are_appointed_in_the_admin(admin_client, programme, programme_admin):
    second = UserFactory()
    url = f"/admin/members/programme/{programme.pk}/change/"

    response = admin_client.post(
        url,
        {
            "name": programme.name,
            "slug": programme.slug,
            "description": "",
            "admins": [programme_admin.pk, second.pk],
        },
    )

    assert response.status_code == 302
    assert set(programme.admins.all()) == {programme_admin, second}
