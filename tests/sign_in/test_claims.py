"""Which email claims count as verified, what is kept of the claims, and when a provider's "mfa"
claim counts: the rules that decide whether a provider account may join an existing account."""

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from allauth.socialaccount.providers.oauth2.client import OAuth2Error

from sessions.site.sign_in import (
    OrganisationProvider,
    claims_verify_email,
    display_name_from,
    provider_did_mfa,
)

GENERIC = {"kind": "oidc", "verified_domains": [], "trust_mfa": False}
MICROSOFT = {"kind": "microsoft", "verified_domains": ["nhs.net"], "trust_mfa": False}


def provider(settings: dict) -> OrganisationProvider:
    app = SocialApp(
        provider="openid_connect",
        provider_id="work",
        name="Work",
        client_id="c",
        settings={"server_url": "https://id.example.org", **settings},
    )
    return OrganisationProvider(request=None, app=app)


def addresses(settings: dict, claims: dict) -> list[tuple[str, bool]]:
    found = provider(settings).extract_email_addresses({"userinfo": claims})
    return [(a.email, a.verified) for a in found]


@pytest.mark.parametrize(
    ("claim", "verified"),
    [(True, True), ("true", True), (False, False), ("false", False), (None, False)],
)
def test_a_generic_provider_vouches_only_with_email_verified_true(claim, verified):
    claims = {"sub": "1", "email": "ann@example.org"}
    if claim is not None:
        claims["email_verified"] = claim

    assert addresses(GENERIC, claims) == [("ann@example.org", verified)]


def test_a_generic_provider_with_domains_vouches_only_within_them():
    settings = {**GENERIC, "verified_domains": ["uni.example.edu"]}

    assert claims_verify_email(settings, {"email_verified": True}, "a@uni.example.edu")
    assert not claims_verify_email(settings, {"email_verified": True}, "a@gmail.com")


@pytest.mark.parametrize(
    ("email", "extra", "verified"),
    [
        ("jo.bloggs@nhs.net", {}, True),
        ("JO.BLOGGS@NHS.NET", {}, True),
        # Entra lets a tenant's admins write any address into `email`: not one of its domains.
        ("victim@example.org", {"email_verified": True}, False),
        ("jo@evil-nhs.net", {}, False),
        ("jo@sub.nhs.net", {}, False),
        # Entra's own "email domain owner verified" claim saying no is final.
        ("jo.bloggs@nhs.net", {"xms_edov": False}, False),
    ],
)
def test_microsoft_vouches_only_for_the_tenants_own_domains(email, extra, verified):
    assert addresses(MICROSOFT, {"sub": "1", "email": email, **extra}) == [(email, verified)]


def test_microsoft_without_an_email_claim_uses_the_sign_in_name():
    claims = {"sub": "1", "preferred_username": "jo.bloggs@nhs.net"}

    assert addresses(MICROSOFT, claims) == [("jo.bloggs@nhs.net", True)]
    assert addresses(GENERIC, claims) == []


def test_userinfo_about_another_person_than_the_id_token_is_refused():
    with pytest.raises(OAuth2Error):
        provider(GENERIC).extract_uid({"userinfo": {"sub": "a"}, "id_token": {"sub": "b"}})
    assert provider(GENERIC).extract_uid({"userinfo": {"sub": "a"}, "id_token": {"sub": "a"}})


def test_only_the_claims_the_site_uses_are_kept():
    data = {
        "userinfo": {"sub": "1", "email": "a@b.org", "phone_number": "0777", "address": {"x": 1}},
        "id_token": {"sub": "1", "amr": ["mfa"], "nonce": "n", "groups": ["finance"]},
    }

    assert provider(GENERIC).extract_extra_data(data) == {
        "userinfo": {"sub": "1", "email": "a@b.org"},
        "id_token": {"sub": "1", "amr": ["mfa"]},
    }


def login_with(settings: dict, id_token: dict) -> SocialLogin:
    account = SocialAccount(provider="work", uid="1", extra_data={"id_token": id_token})
    return SocialLogin(account=account, provider=provider(settings))


@pytest.mark.parametrize(
    ("trust", "id_token", "counts"),
    [
        (True, {"amr": ["pwd", "mfa"]}, True),
        (True, {"amr": ["pwd"]}, False),
        (True, {}, False),
        (True, {"amr": "mfa"}, False),
        (False, {"amr": ["mfa"]}, False),
    ],
)
def test_the_mfa_claim_counts_only_from_a_provider_trusted_for_it(trust, id_token, counts):
    assert provider_did_mfa(login_with({**GENERIC, "trust_mfa": trust}, id_token)) is counts


def test_the_mfa_claim_counts_only_from_the_id_token_not_userinfo():
    login = login_with({**GENERIC, "trust_mfa": True}, {})
    login.account.extra_data["userinfo"] = {"amr": ["mfa"]}

    assert not provider_did_mfa(login)


@pytest.mark.parametrize(
    ("fields", "email", "name"),
    [
        ({"name": "Dr Jo Bloggs"}, "jo@nhs.net", "Dr Jo Bloggs"),
        ({"first_name": "Jo", "last_name": "Bloggs"}, "jo@nhs.net", "Jo Bloggs"),
        ({"name": "Jo\u202eBloggs"}, "jo@nhs.net", "jo"),
        ({"name": "Jo\nBloggs"}, "jo@nhs.net", "Jo Bloggs"),
        ({}, "jo.bloggs@nhs.net", "jo.bloggs"),
    ],
)
def test_a_new_accounts_name_comes_from_the_claims_on_one_line(fields, email, name):
    assert display_name_from(fields, email) == name


def test_entras_verdict_in_the_id_token_counts_though_userinfo_lacks_it():
    data = {
        "userinfo": {"sub": "1", "email": "jo.bloggs@nhs.net"},
        "id_token": {"sub": "1", "xms_edov": False},
    }

    (address,) = provider(MICROSOFT).extract_email_addresses(data)
    assert (address.email, address.verified) == ("jo.bloggs@nhs.net", False)
