"""Reactions to allauth's events: a verified address takes up the group places it was given."""

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import receiver

from groups.services import accept_pending_invites


@receiver(user_signed_up, dispatch_uid="groups.accept_invites_on_signup")
def accept_invites_on_signup(sender, request, user, **kwargs) -> None:
    # Only an address the person has proved they own: otherwise anyone could sign up with an
    # invited address and read the group's private details. Unverified addresses wait for
    # `email_confirmed` below.
    for address in EmailAddress.objects.filter(user=user, verified=True):
        accept_pending_invites(user=user, email=address.email)


@receiver(email_confirmed, dispatch_uid="groups.accept_invites_on_confirmation")
def accept_invites_on_confirmation(sender, request, email_address, **kwargs) -> None:
    accept_pending_invites(user=email_address.user, email=email_address.email)
