"""OIDC_PROVIDERS: read as production reads it, refused with a message that names the provider
and the field (never a secret), and nothing shown when it is empty."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from balint.env import sign_in_providers
from tests.services import free_port

NHSMAIL = {
    "id": "nhsmail",
    "name": "NHSmail",
    "kind": "microsoft",
    "tenant": "37c354b2-85b0-47f5-b222-07b48d774ee3",
    "client_id": "app-id",
    "secret": "s3cret-value",
    "verified_domains": ["nhs.net"],
}


def parse(*providers, production=True) -> list[dict]:
    return sign_in_providers(json.dumps(list(providers)), production=production)


def test_no_providers_when_the_variable_is_empty():
    assert sign_in_providers("", production=True) == []


def test_a_microsoft_tenant_gets_its_issuer_and_keeps_its_verified_domains():
    (app,) = parse(NHSMAIL)

    assert app["provider_id"] == "nhsmail" and app["name"] == "NHSmail"
    assert app["settings"]["server_url"] == (
        "https://login.microsoftonline.com/37c354b2-85b0-47f5-b222-07b48d774ee3/v2.0"
    )
    assert app["settings"]["verified_domains"] == ["nhs.net"]
    assert app["settings"]["trust_mfa"] is False
    assert app["settings"]["oauth_pkce_enabled"] is True


def test_google_and_a_generic_provider_side_by_side():
    google = {"id": "google", "name": "Google", "kind": "google", "client_id": "g", "secret": "x"}
    okta = {
        "id": "okta",
        "name": "Okta",
        "issuer": "https://example.okta.com/",
        "client_id": "o",
        "secret": "y",
        "verified_domains": "uni.example.edu, hospital.example.org",
        "trust_mfa": True,
    }
    apps = parse(google, okta)

    assert [a["settings"]["server_url"] for a in apps] == [
        "https://accounts.google.com",
        "https://example.okta.com",
    ]
    assert apps[1]["settings"]["verified_domains"] == ["uni.example.edu", "hospital.example.org"]
    assert apps[1]["settings"]["trust_mfa"] is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client_id": ""}, "provider 1: client_id is required."),
        ({"tenant": "common"}, "needs its tenant's id"),
        ({"verified_domains": []}, "needs verified_domains"),
        ({"id": "NHS mail"}, "id must be"),
        ({"kind": "saml"}, "kind must be one of"),
        ({"trust_mfa": "yes"}, "trust_mfa must be true or false"),
        ({"colour": "blue"}, "unknown field(s) colour"),
    ],
)
def test_a_wrong_provider_stops_start_up_naming_the_field_but_not_the_secret(change, message):
    with pytest.raises(
        ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")
    ) as error:
        parse({**NHSMAIL, **change})

    assert "s3cret-value" not in str(error.value)


def test_production_refuses_a_provider_over_plain_http():
    plain = {
        "id": "dev",
        "name": "Dev",
        "issuer": "http://127.0.0.1:9400",
        "client_id": "a",
        "secret": "b",
    }

    with pytest.raises(ImproperlyConfigured, match="https://"):
        parse(plain)
    assert parse(plain, production=False)[0]["settings"]["server_url"] == "http://127.0.0.1:9400"


@pytest.mark.parametrize("value", ["not json", '{"id": "x"}', "[1, 2]"])
def test_something_other_than_a_list_of_objects_stops_start_up(value):
    with pytest.raises(ImproperlyConfigured, match="JSON list of objects"):
        sign_in_providers(value, production=False)


def test_two_providers_with_one_id_stop_start_up():
    with pytest.raises(ImproperlyConfigured, match="same id"):
        parse(NHSMAIL, NHSMAIL)


def test_the_settings_read_from_the_environment_allow_the_providers_origin_for_forms(
    configure_providers,
):
    fresh = configure_providers([NHSMAIL])

    assert fresh["SECURE_CSP"]["form-action"][1:] == ["https://login.microsoftonline.com"]
    assert fresh["SOCIALACCOUNT_PROVIDERS"]["openid_connect"]["APPS"][0]["client_id"] == "app-id"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["account_login", "account_signup"])
def test_without_providers_the_pages_show_no_sign_in_buttons(client, url):
    page = client.get(reverse(url)).content.decode()

    assert "Sign in with" not in page
    assert "organisation’s account" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["account_login", "account_signup"])
def test_with_providers_the_pages_offer_each_one_keeping_where_the_person_was_going(
    client, configure_providers, url
):
    configure_providers([NHSMAIL, {**NHSMAIL, "id": "work", "name": "Work account"}])

    page = client.get(reverse(url), {"next": "/groups/"}).content.decode()

    assert "Sign in with NHSmail" in page and "Sign in with Work account" in page
    assert 'action="/accounts/oidc/nhsmail/login/?process=login&amp;next=%2Fgroups%2F"' in page


@pytest.mark.django_db
def test_a_provider_that_cannot_be_reached_is_a_clear_page_not_a_server_error(
    client, configure_providers
):
    unused_tcp_port = free_port()
    configure_providers(
        [
            {
                "id": "down",
                "name": "Down",
                "issuer": f"http://127.0.0.1:{unused_tcp_port}",
                "client_id": "a",
                "secret": "b",
            }
        ]
    )

    response = client.post("/accounts/oidc/down/login/?process=login")

    assert response.status_code == 502
    assert "Signing in did not work" in response.content.decode()
