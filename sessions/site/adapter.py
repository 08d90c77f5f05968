"""The site's allauth account adapter: an address that a taster invitation was sent to counts
as verified when the person signs up from that invitation's page.

The invitation's landing page puts the invitation's id in the session (only someone holding the
link can do that), so they may sign in and book its seat at once. Holding one link proves no more
than that: the address is noted as verified by a link (members/verification.py), so nothing else
sent to it is taken up until the person confirms it by email. Any other address goes through the
usual confirmation email.
"""

from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from members.verification import mark_verified_by_link
from sessions.tasters.invitations import SIGNUP_SESSION_KEY, invitation_for_signup


class AccountAdapter(DefaultAccountAdapter):
    def is_email_verified(self, request, email: str) -> bool:
        if super().is_email_verified(request, email):
            return True
        session = getattr(request, "session", None)
        invitation = invitation_for_signup(session.get(SIGNUP_SESSION_KEY) if session else None)
        if invitation is None or invitation.email.casefold() != email.casefold():
            return False
        mark_verified_by_link(request, email)
        return True

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth names the site after the request's host ("Hello from 127.0.0.1:8101!"); its
        # emails are signed with the site's own name and address, like every other we send.
        site = SimpleNamespace(name=settings.SITE_NAME, domain=settings.SITE_DOMAIN)
        context = {**context, "current_site": site, "site_url": settings.SITE_URL}
        super().send_mail(template_prefix, email, context)

    def get_login_stages(self) -> list[str]:
        """allauth's stages, with a two-factor step that a trusted provider's claim can satisfy
        (sessions/site/sign_in.py)."""
        return [
            "sessions.site.sign_in.AuthenticateStage"
            if stage == "allauth.mfa.stages.AuthenticateStage"
            else stage
            for stage in super().get_login_stages()
        ]
