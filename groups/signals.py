"""The group events higher layers react to, and reactions to allauth's events: a verified
address takes up the group places it was given."""

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import Signal, receiver

# Sent by groups.services inside the transaction of the change, so a receiver's writes (the
# meetings layer's calendar emails) commit or roll back with it. Groups never import the layers
# above; they listen here (ARCHITECTURE.md).
membership_activated = Signal()  # membership=: it has just become active
membership_ended = Signal()  # membership=, previous_status=: an active membership has ended
leadership_started = Signal()  # leadership=
leadership_ended = Signal()  # leadership=, leadership_id= (the row is deleted by then)
meeting_place_changed = Signal()  # group=, fields=: the group's usual room and/or link changed


@receiver(user_signed_up, dispatch_uid="groups.accept_invites_on_signup")
def accept_invites_on_signup(sender, request, user, **kwargs) -> None:
    # Imported here: groups.services imports this module to send the events above.
    from groups.services import accept_pending_invites

    # Only an address the person has proved they own: otherwise anyone could sign up with an
    # invited address and read the group's private details. Unverified addresses wait for
    # `email_confirmed` below.
    for address in EmailAddress.objects.filter(user=user, verified=True):
        accept_pending_invites(user=user, email=address.email)


@receiver(email_confirmed, dispatch_uid="groups.accept_invites_on_confirmation")
def accept_invites_on_confirmation(sender, request, email_address, **kwargs) -> None:
    from groups.services import accept_pending_invites

    accept_pending_invites(user=email_address.user, email=email_address.email)
