"""Linked organisation accounts in the personal-data download, and gone when the account is
closed: the provider account cannot sign anyone in to the tombstone."""

import csv
import io
import json

import pytest
from allauth.socialaccount.models import SocialAccount

from balint.env import sign_in_providers
from sessions.site.account_closing import close_account

pytestmark = pytest.mark.django_db

NHSMAIL = {
    "id": "nhsmail",
    "name": "NHSmail",
    "issuer": "https://id.example.org",
    "client_id": "a",
    "secret": "b",
}


def test_the_download_names_each_linked_account_and_what_was_kept_from_it(
    client_for, member, world, settings
):
    apps = sign_in_providers(json.dumps([NHSMAIL]), production=True)
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": apps}}
    data = json.loads(client_for("member").get("/me/data/download.json").content)

    (account,) = data["sign_in_accounts"]
    assert account["provider"] == "NHSmail"
    assert account["account_id"] == "mo-0001"
    assert account["details_from_provider"]["userinfo"]["name"] == "Mo Member"


def test_the_csv_download_keeps_the_providers_details_in_one_readable_cell(
    client_for, member, world
):
    response = client_for("member").get("/me/data/download.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    (cell,) = [r[3] for r in rows if r[0] == "sign_in_accounts" and r[2] == "details_from_provider"]
    assert json.loads(cell)["userinfo"]["email"] == "mo@example.org"


def test_others_linked_accounts_are_not_in_the_download(client_for, member, world, stranger):
    SocialAccount.objects.create(user=stranger, provider="nhsmail", uid="sid-0002")

    data = json.loads(client_for("member").get("/me/data/download.json").content)

    assert [a["account_id"] for a in data["sign_in_accounts"]] == ["mo-0001"]


def test_closing_the_account_unlinks_every_provider_account(member, world, stranger):
    SocialAccount.objects.create(user=stranger, provider="nhsmail", uid="sid-0002")

    close_account(person=member)

    assert list(SocialAccount.objects.values_list("uid", flat=True)) == ["sid-0002"]


def test_someone_without_a_password_is_told_to_set_one_before_closing(client, member):
    member.set_unusable_password()
    member.save()
    SocialAccount.objects.create(user=member, provider="nhsmail", uid="mo-0001")
    client.force_login(member)

    page = client.get("/me/data/").content.decode()
    refused = client.post("/me/data/close/", {"password": "anything"})

    assert "Set a password</a> first" in page
    assert 'href="/accounts/password/set/"' in page
    assert refused.status_code == 200
    assert SocialAccount.objects.filter(user=member).exists()
