"""Which of a person's addresses they have proved they own, for taking up what was sent to them.

An address counts as verified when the person signs up from a taster invitation's link: holding
the link shows they read that invitation, and they may book its seat at once. It does not show
that they read everything else sent to the address (another group's invitation, a cohort place):
a forwarded link would otherwise open all of those. So an address verified that way in this
sign-up is not proven; confirming it by email (`confirm_address`) proves it, and is sent at once.
"""

from allauth.account.models import EmailAddress
from allauth.account.signals import user_signed_up
from django.conf import settings
from django.core import signing
from django.dispatch import receiver
from django.urls import reverse

from balint.outbox.services import enqueue_email

LINK_VERIFIED_SESSION_KEY = "address_verified_by_link"
CONFIRM_SALT = "members.confirm-address"
CONFIRM_MAX_AGE = 7 * 24 * 3600


def mark_verified_by_link(request, email: str) -> None:
    """Note that `email` counts as verified in this sign-up only because of an invitation link."""
    if request is not None and hasattr(request, "session"):
        request.session[LINK_VERIFIED_SESSION_KEY] = email.casefold()


def proven_addresses(request, user) -> list[str]:
    """The person's verified addresses, less one verified only by an invitation link."""
    by_link = ""
    if request is not None and hasattr(request, "session"):
        by_link = request.session.get(LINK_VERIFIED_SESSION_KEY, "")
    return [
        address.email
        for address in EmailAddress.objects.filter(user=user, verified=True)
        if address.email.casefold() != by_link
    ]


def confirmation_token(address: EmailAddress) -> str:
    return signing.dumps({"address": address.pk, "email": address.email}, salt=CONFIRM_SALT)


def address_for_token(token: str, user) -> EmailAddress | None:
    """The signed-in person's address that `token` confirms, or None if it is not theirs, has
    changed since, or the token is wrong or older than a week."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    return EmailAddress.objects.filter(
        pk=data.get("address"), email=data.get("email"), user_id=user.pk
    ).first()


def send_confirmation(address: EmailAddress) -> None:
    """Email the person a link that proves they own `address` (its token removed from the stored
    message once sent)."""
    token = confirmation_token(address)
    enqueue_email(
        key=f"confirm-address:{address.pk}:{token[-12:]}",
        to=address.email,
        template="confirm_address",
        context={
            "person": address.user,
            "confirm_url": settings.SITE_URL + reverse("members:confirm_address", args=[token]),
        },
        secrets=[token],
    )


@receiver(user_signed_up, dispatch_uid="members.confirm_address_verified_by_link")
def confirm_address_verified_by_link(sender, request, user, **kwargs) -> None:
    by_link = request.session.get(LINK_VERIFIED_SESSION_KEY) if request is not None else None
    if not by_link:
        return
    address = EmailAddress.objects.filter(user=user, email__iexact=by_link).first()
    if address is not None:
        send_confirmation(address)
