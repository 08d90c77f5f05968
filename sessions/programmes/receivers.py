"""Reactions to allauth's events: a verified address takes up the cohort places, and the
programme admin roles, it was given before it had an account."""

from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import receiver

from members.programmes import activate_admin_invitations
from members.verification import proven_addresses
from sessions.programmes.cohorts import activate_pending_enrolments


@receiver(user_signed_up, dispatch_uid="programmes.enrol_on_signup")
def enrol_on_signup(sender, request, user, **kwargs) -> None:
    # Only an address the person has proved they own: otherwise anyone could sign up with an
    # invited address and appear in a programme's reports (or administer it).
    for email in proven_addresses(request, user):
        activate_pending_enrolments(user=user, email=email)
        activate_admin_invitations(user=user, email=email)


@receiver(email_confirmed, dispatch_uid="programmes.enrol_on_confirmation")
def enrol_on_confirmation(sender, request, email_address, **kwargs) -> None:
    activate_pending_enrolments(user=email_address.user, email=email_address.email)
    activate_admin_invitations(user=email_address.user, email=email_address.email)
