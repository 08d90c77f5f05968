"""Writing to a group's leaders from its page. The leaders' addresses stay hidden: the message
reaches them through the outbox with the sender's address in its body, and they reply by email.

A signed-in person's message goes at once. Anyone else gives an address, which must be proved
by a link emailed to it before the message goes, so that nobody can write in someone else's
name. Both are limited per sender address and per group, counted from the stored messages.
"""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from balint.audit import services as audit
from groups import start_emails
from groups.models import BalintGroup, LeaderContact, Leadership
from groups.services.locks import lock_group
from groups.services.rules import GroupError
from members.models import User

# Messages one address may start in a day (to any groups), proved or not: this also limits the
# confirmation emails a stranger can make us send to someone else's address.
PER_SENDER_PER_DAY = 5
# Messages one group's leaders receive in a day.
PER_GROUP_PER_DAY = 20
CONFIRM_DAYS = 3
# Rows are kept this long only to count towards the limits (sessions/site/retention.py).
KEEP_DAYS = 30


class ContactLimitReached(GroupError):
    """Too many messages from one sender or to one group today."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_limits(group: BalintGroup, email: str) -> None:
    """Refuse when the sender or the group has had its share today (the group is locked, so
    two messages at once cannot both take the last one)."""
    since = timezone.now() - datetime.timedelta(days=1)
    sent_by = LeaderContact.objects.filter(sender_email__iexact=email, created_at__gte=since)
    if sent_by.count() >= PER_SENDER_PER_DAY:
        raise ContactLimitReached(
            f"You have written to group leaders {PER_SENDER_PER_DAY} times in the last 24 hours, "
            "which is as many as we allow. Please try again tomorrow."
        )
    received = LeaderContact.objects.filter(group=group, sent_at__gte=since)
    if received.count() >= PER_GROUP_PER_DAY:
        raise ContactLimitReached(
            "This group's leaders have had many messages today, so we are holding new ones "
            "back. Please try again tomorrow."
        )


@transaction.atomic
def contact_leaders(
    *, group: BalintGroup, sender: User | None, name: str, email: str, message: str
) -> LeaderContact:
    """Send a message to the group's leaders (a signed-in sender), or store it and email the
    sender a link to confirm their address. ContactLimitReached over the limits; GroupError if
    the group has no leaders yet."""
    group = lock_group(group)
    if not Leadership.objects.filter(group=group).exists():
        raise GroupError("This group has no leaders yet, so there is no one to write to.")
    if sender is not None:
        name, email = sender.display_name or sender.email, sender.email
    _check_limits(group, email)
    contact = LeaderContact.objects.create(
        group=group, sender=sender, sender_name=name, sender_email=email, message=message
    )
    if sender is not None:
        _deliver(contact)
        return contact
    token = secrets.token_urlsafe(32)
    contact.token_hash = _hash(token)
    contact.save(update_fields=["token_hash"])
    start_emails.contact_confirmation(contact, token=token, days=CONFIRM_DAYS)
    return contact


@transaction.atomic
def confirm_contact(*, token: str) -> LeaderContact:
    """Send the message whose sender followed the link. GroupError if the link is unknown or
    has expired; following it twice sends once."""
    found = LeaderContact.objects.filter(token_hash=_hash(token)).values_list("group_id", "pk")
    if not found:
        raise GroupError("This link does not work. It may have been mistyped.")
    group_id, contact_id = found[0]
    group = lock_group(group_id)
    contact = LeaderContact.objects.select_related("group").get(pk=contact_id)
    if contact.sent_at is not None:
        return contact
    if contact.created_at < timezone.now() - datetime.timedelta(days=CONFIRM_DAYS):
        raise GroupError(
            f"This link has expired: links work for {CONFIRM_DAYS} days. "
            "Please write to the leaders again."
        )
    received = LeaderContact.objects.filter(
        group=group, sent_at__gte=timezone.now() - datetime.timedelta(days=1)
    )
    if received.count() >= PER_GROUP_PER_DAY:
        raise ContactLimitReached(
            "This group's leaders have had many messages today, so we are holding new ones "
            "back. Please follow the link again tomorrow."
        )
    _deliver(contact)
    return contact


def _deliver(contact: LeaderContact) -> None:
    start_emails.contact_to_leaders(contact)
    # The words now live only in the leaders' emails (the outbox's retention): none kept here.
    contact.sent_at = timezone.now()
    contact.message = ""
    contact.save(update_fields=["sent_at", "message"])
    audit.record_in_group(
        contact,
        by=contact.sender,
        area=audit.Area.ROSTER,
        action="leaders.contact",
        summary=f"{contact.sender_name} <{contact.sender_email}> wrote to the leaders",
    )
