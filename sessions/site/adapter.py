"""The site's allauth account adapter: an address that a taster invitation was sent to counts
as verified when the person signs up from that invitation's page.

The invitation's landing page puts the invitation's id in the session (only someone holding the
link can do that); following the link proves they read mail at that address, just as the
confirmation email would. Any other address goes through the usual confirmation email.
"""

from allauth.account.adapter import DefaultAccountAdapter

from sessions.tasters.invitations import SIGNUP_SESSION_KEY, invitation_for_signup


class AccountAdapter(DefaultAccountAdapter):
    def is_email_verified(self, request, email: str) -> bool:
        if super().is_email_verified(request, email):
            return True
        session = getattr(request, "session", None)
        invitation = invitation_for_signup(session.get(SIGNUP_SESSION_KEY) if session else None)
        return invitation is not None and invitation.email.casefold() == email.casefold()
