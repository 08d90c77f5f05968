"""Two-factor authentication for the people who can see others' records: staff and programme
admins. On every request of every session, such a person without an authenticator is sent to the
set-up page, wherever they go (signing out still works): a role granted in the middle of a session
counts from the next request, not from the next sign-in. Once set up, they cannot turn it off while
they hold the role.

It lives with the groups layer because that is the lowest layer that knows every role: the
person's roles come from one query shared with the navigation (groups/context_processors.py).

A session signed in through an organisation's account whose provider is trusted for two-factor
(`trust_mfa` in OIDC_PROVIDERS) and says it asked for a second factor needs no authenticator here:
sessions/site/sign_in.py notes that in the session at each sign-in (PROVIDER_MFA_SESSION_KEY).

MFA_REQUIRED_FOR_ADMINS (on by default) switches the rule off, for the local demo only."""

from functools import cache

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from groups.context_processors import request_roles

# The id of the person whose sign-in in this session had the provider's trusted second factor.
PROVIDER_MFA_SESSION_KEY = "mfa_by_provider"

SETUP_MESSAGE = (
    "You can see other people's records, so your account needs two-factor authentication. "
    "Please set it up now with an authenticator app; it takes a minute."
)


def mfa_required_for(user) -> bool:
    """Whether `user`'s role requires two-factor authentication."""
    if not settings.MFA_REQUIRED_FOR_ADMINS or not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or user.administered_programmes.exists()


def setup_needed(request) -> bool:
    """Whether the signed-in person's role requires an authenticator they do not have yet.

    Read afresh on every request, never remembered in the session: the session may have begun
    before the role was granted. The user row is loaded for each request anyway (is_staff), and
    programme admin and authenticator come from the navigation's roles query, which a page runs
    anyway: a page costs no query more, a download or a redirect one."""
    user = request.user
    if not settings.MFA_REQUIRED_FOR_ADMINS or not user.is_authenticated:
        return False
    if request.session.get(PROVIDER_MFA_SESSION_KEY) == user.pk:
        return False
    roles = request_roles(request)
    needs_role = user.is_staff or user.is_superuser or roles["administers"]
    return needs_role and not roles["has_authenticator"]


@cache
def _always_allowed() -> tuple[str, ...]:
    """Where someone without their required authenticator may still go (worked out once: the
    addresses don't change while the process runs)."""
    return (
        reverse("mfa_index"),  # every two-factor page: set-up, recovery codes
        reverse("account_logout"),
        reverse("account_reauthenticate"),
        settings.STATIC_URL,
        "/healthz",
    )


class MfaSetupMiddleware:
    """Send someone who must have two-factor authentication and has none to the set-up page,
    from wherever they go, until they have an authenticator."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._allowed(request.path) or not setup_needed(request):
            return self.get_response(request)
        setup = reverse("mfa_activate_totp")
        if request.method == "GET":
            messages.warning(request, SETUP_MESSAGE)
            target = request.get_full_path()
            if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                setup = f"{setup}?{urlencode({'next': target})}"
        return redirect(setup)

    @staticmethod
    def _allowed(path: str) -> bool:
        return path.startswith(_always_allowed())


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": "You can see other people's records, so two-factor "
        "authentication must stay on for your account.",
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff and programme admins keep their authenticator app."""
        return not mfa_required_for(authenticator.user)
