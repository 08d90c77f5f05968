"""Two-factor authentication for the people who can see others' records: staff and programme
admins. At sign-in, such a person without an authenticator is marked in their session, and until
they set one up every page sends them to the set-up page (signing out still works). Once set up,
they cannot turn it off while they hold the role.

MFA_REQUIRED_FOR_ADMINS (on by default) switches the rule off, for the local demo only."""

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

SETUP_NEEDED = "mfa_setup_needed"
SETUP_MESSAGE = (
    "You can see other people's records, so your account needs two-factor authentication. "
    "Please set it up now with an authenticator app; it takes a minute."
)


def mfa_required_for(user) -> bool:
    """Whether `user`'s role requires two-factor authentication."""
    if not settings.MFA_REQUIRED_FOR_ADMINS or not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or user.administered_programmes.exists()


@receiver(user_logged_in, dispatch_uid="members.mfa_check_at_login")
def check_at_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if mfa_required_for(user) and not is_mfa_enabled(user):
        request.session[SETUP_NEEDED] = True
    else:
        request.session.pop(SETUP_NEEDED, None)


class MfaSetupMiddleware:
    """Send someone whose session is marked to the set-up page, from wherever they go, until they
    have an authenticator. Only a marked session costs a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(SETUP_NEEDED) and not self._allowed(request.path):
            if is_mfa_enabled(request.user):
                del request.session[SETUP_NEEDED]
                return self.get_response(request)
            setup = reverse("mfa_activate_totp")
            if request.method == "GET":
                messages.warning(request, SETUP_MESSAGE)
                target = request.get_full_path()
                if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                    setup = f"{setup}?{urlencode({'next': target})}"
            return redirect(setup)
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        allowed = (
            reverse("mfa_index"),  # every two-factor page: set-up, recovery codes
            reverse("account_logout"),
            reverse("account_reauthenticate"),
            settings.STATIC_URL,
            "/healthz",
        )
        return path.startswith(allowed)


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": "You can see other people's records, so two-factor "
        "authentication must stay on for your account.",
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff and programme admins keep their authenticator app."""
        return not mfa_required_for(authenticator.user)
