"""Signing in with an organisation's account: NHSmail and Microsoft Entra, Google Workspace, or
any OpenID Connect provider, as configured in OIDC_PROVIDERS (balint/env.py reads it).

Three rules live here, because a wrong one would hand someone else's account over:

- which email claim counts as verified. A provider account joins an existing account only by an
  address the provider vouches for (allauth's email authentication, settings.py); any other
  address is confirmed by email first. A generic provider vouches with `email_verified: true`.
  Entra sends no such claim and lets a tenant's admins write any address into `email`, so for a
  `microsoft` provider only addresses in the tenant's own domains (`verified_domains`) count,
  and never one its `xms_edov` claim says is unverified;
- what is kept of the claims: the few the site uses, not the whole profile (UK GDPR);
- whether the provider's multi-factor claim (`amr` holding "mfa", RFC 8176, in the ID token)
  stands in for the site's own two-factor check: only for a provider with `trust_mfa`.
"""

import logging

import requests
from allauth.account.models import EmailAddress
from allauth.account.signals import user_logged_in
from allauth.mfa import stages as mfa_stages
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.signals import social_account_added, social_account_removed
from django.dispatch import receiver

from balint.audit import services as audit
from groups.mfa import PROVIDER_MFA_SESSION_KEY
from members.names import has_control_characters

logger = logging.getLogger(__name__)

# What is kept of each response (userinfo, ID token): enough to sign in, show the person what is
# held and decide on two-factor. Everything else the provider sends is dropped.
KEPT_CLAIMS = frozenset(
    {
        "sub",
        "iss",
        "email",
        "email_verified",
        "xms_edov",
        "preferred_username",
        "name",
        "given_name",
        "family_name",
        "amr",
        "acr",
        "auth_time",
        "tid",
        "hd",
    }
)
NAME_MAX_LENGTH = 100


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def claims_verify_email(settings: dict, claims: dict, email: str) -> bool:
    """Whether the provider configured by `settings` vouches for `email` in these claims."""
    domains = settings.get("verified_domains") or []
    if domains and email_domain(email) not in domains:
        return False
    if settings.get("kind") == "microsoft":
        # Only the tenant's domains (checked above, required for this kind) and never an address
        # Entra itself marks as not verified by the domain's owner.
        return claims.get("xms_edov") not in (False, "false", 0, "0")
    return claims.get("email_verified") in (True, "true")


def provider_did_mfa(sociallogin) -> bool:
    """Whether this sign-in's provider is trusted for two-factor and says it asked for it."""
    app = getattr(sociallogin.provider, "app", None)
    if app is None or not app.settings.get("trust_mfa"):
        return False
    id_token = sociallogin.account.extra_data.get("id_token") or {}
    amr = id_token.get("amr") or []
    return isinstance(amr, list) and "mfa" in amr


def _kept(claims) -> dict:
    if not isinstance(claims, dict):
        return {}
    return {key: value for key, value in claims.items() if key in KEPT_CLAIMS}


class OrganisationProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider with the site's rules for email claims (settings.py
    names it as the `openid_connect` provider's class)."""

    # allauth finds a provider's URLs beside its class: these are the OpenID Connect ones.
    package = "allauth.socialaccount.providers.openid_connect"

    @property
    def server_url(self):
        if not self.app.settings.get("server_url"):
            # A provider no longer in OIDC_PROVIDERS (SocialAccountAdapter.get_provider): its
            # sign-in address answers 404, as an unknown one does.
            raise SocialApp.DoesNotExist
        return super().server_url

    def redirect_from_request(self, request):
        try:
            return super().redirect_from_request(request)
        except (requests.RequestException, ValueError, KeyError) as error:
            # The provider is down or its discovery document is wrong: say so, not a server error.
            logger.warning(
                "Sign-in provider %s could not be reached: %s",
                self.app.provider_id,
                type(error).__name__,
            )
            response = render_authentication_error(request, self, exception=error)
            response.status_code = 502
            return response

    def _claims(self, data: dict) -> dict:
        # Both say what the provider asserts about one person (extract_uid checks the `sub`):
        # userinfo first, as allauth prefers it, and what only the ID token carries (Entra's
        # `xms_edov`) from there.
        if "userinfo" not in data and "id_token" not in data:
            return data
        return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}

    def extract_uid(self, data) -> str:
        userinfo, id_token = data.get("userinfo"), data.get("id_token")
        if userinfo and id_token and userinfo.get("sub") != id_token.get("sub"):
            # OpenID Connect Core 5.3.2: userinfo about someone else must not be used.
            raise OAuth2Error("The provider's userinfo is about another person.")
        return super().extract_uid(data)

    def extract_extra_data(self, data) -> dict:
        if "userinfo" in data or "id_token" in data:
            parts = [part for part in ("userinfo", "id_token") if part in data]
            return {part: _kept(data[part]) for part in parts}
        return _kept(data)

    def _email(self, claims: dict) -> str:
        email = claims.get("email") or ""
        if not email and self.app.settings.get("kind") == "microsoft":
            # Entra puts the sign-in name (an address in one of the tenant's domains) here when
            # the `email` claim is not configured.
            email = claims.get("preferred_username") or ""
        return email.strip() if isinstance(email, str) and "@" in email else ""

    def extract_common_fields(self, data) -> dict:
        fields = super().extract_common_fields(data)
        fields["email"] = self._email(self._claims(data)) or None
        return fields

    def extract_email_addresses(self, data) -> list:
        claims = self._claims(data)
        email = self._email(claims)
        if not email:
            return []
        verified = claims_verify_email(self.app.settings, claims, email)
        return [EmailAddress(email=email, verified=verified, primary=True)]


def display_name_from(fields: dict, email: str) -> str:
    """A display name from the provider's name claims, or the address's first part."""
    name = fields.get("name") or " ".join(
        part for part in (fields.get("first_name"), fields.get("last_name")) if part
    )
    name = " ".join(str(name or "").split())[:NAME_MAX_LENGTH]
    if not name or has_control_characters(name):
        name = email.partition("@")[0][:NAME_MAX_LENGTH]
    return name


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list:
        # Providers come from OIDC_PROVIDERS only (settings, unsaved apps), never from rows put
        # in the database by other means.
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        return [app for app in apps if app.pk is None]

    def get_provider(self, request, provider, client_id=None):
        try:
            return super().get_provider(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            # An account linked through a provider since taken out of OIDC_PROVIDERS: it can still
            # be listed, downloaded and unlinked, but nobody can sign in through it.
            app = SocialApp(
                provider=OrganisationProvider.id,
                provider_id=provider,
                name=f"{provider} (no longer offered)",
                client_id="",
                settings={},
            )
            return OrganisationProvider(request, app=app)

    def populate_user(self, request, sociallogin, data: dict):
        user = super().populate_user(request, sociallogin, data)
        user.display_name = display_name_from(data, data.get("email") or "")
        return user

    def get_signup_form_initial_data(self, sociallogin) -> dict:
        # The form asked for when the provider's details are not enough (no address): the name
        # the provider gave is filled in.
        initial = super().get_signup_form_initial_data(sociallogin)
        return {**initial, "display_name": getattr(sociallogin.user, "display_name", "")}

    def is_email_verified(self, provider, email: str) -> bool:
        # Only the claims decide (OrganisationProvider); no provider is trusted wholesale.
        return False


class AuthenticateStage(mfa_stages.AuthenticateStage):
    """allauth's two-factor step at sign-in, skipped when a provider trusted for it says it
    asked for a second factor (sessions/site/adapter.py puts it in allauth's stages)."""

    def _should_handle(self, request) -> bool:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        # A sign-in resumed from the session holds the provider's login serialised: not trusted.
        trusted = not isinstance(sociallogin, dict | None) and provider_did_mfa(sociallogin)
        return not trusted and super()._should_handle(request)


@receiver(user_logged_in, dispatch_uid="site.note_provider_mfa")
def note_provider_mfa(sender, request, user, **kwargs) -> None:
    """Every sign-in says afresh whether its session had the provider's second factor: the
    two-factor set-up rule (groups/mfa.py) reads it on each request."""
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is not None and provider_did_mfa(sociallogin):
        request.session[PROVIDER_MFA_SESSION_KEY] = user.pk
    else:
        request.session.pop(PROVIDER_MFA_SESSION_KEY, None)


@receiver(social_account_added, dispatch_uid="site.audit_provider_linked")
def audit_provider_linked(sender, request, sociallogin, **kwargs) -> None:
    user = sociallogin.user
    audit.record(
        actor=user,
        area=audit.Area.ACCOUNTS,
        action="sign_in.link",
        summary=f"Linked a {sociallogin.provider.name} account to {user}'s account",
        target=sociallogin.account,
    )


@receiver(social_account_removed, dispatch_uid="site.audit_provider_unlinked")
def audit_provider_unlinked(sender, request, socialaccount, **kwargs) -> None:
    user = socialaccount.user
    audit.record(
        actor=user,
        area=audit.Area.ACCOUNTS,
        action="sign_in.unlink",
        summary=f"Removed a {socialaccount.get_provider().name} account from {user}'s account",
        target=user,
    )
