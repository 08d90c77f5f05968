"""Reactions to allauth's events: an address the person has proved they own takes up the group
places (and the leaderships) it was given (connected in GroupsConfig.ready)."""

from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import receiver

from groups.services import accept_leader_invites, accept_pending_invites
from members.verification import proven_addresses


@receiver(user_signed_up, dispatch_uid="groups.accept_invites_on_signup")
def accept_invites_on_signup(sender, request, user, **kwargs) -> None:
    # Only a proved address: otherwise anyone could sign up with an invited address and read the
    # group's private details. The others wait for `email_confirmed` below.
    for email in proven_addresses(request, user):
        accept_pending_invites(user=user, email=email)
        accept_leader_invites(user=user, email=email)


@receiver(email_confirmed, dispatch_uid="groups.accept_invites_on_confirmation")
def accept_invites_on_confirmation(sender, request, email_address, **kwargs) -> None:
    accept_pending_invites(user=email_address.user, email=email_address.email)
    accept_leader_invites(user=email_address.user, email=email_address.email)
