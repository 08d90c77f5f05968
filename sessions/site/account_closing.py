"""Closing an account (UK GDPR erasure) while keeping the programmes' statistics right.

The person's row stays as an anonymous tombstone, so attendance records, enrolments, membership
history and feedback invitations (the response rate's denominator) still count; everything that
names or reaches the person is erased. It reads every layer, so it lives at the top one.
"""

from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.html import escape

from balint.audit.models import AuditEvent
from balint.errors import DomainError
from balint.outbox.models import Message, MessageStatus
from groups.models import (
    CURRENT_STATUSES,
    LeaderContact,
    LeaderInvite,
    Leadership,
    Membership,
    PendingMembershipInvite,
)
from groups.services.joining import leave_group
from groups.services.leading import remove_leader
from groups.services.rules import GroupError
from members.models import ProgrammeAdminInvitation, User
from sessions.calendar.models import FeedKey
from sessions.meetings.models import Apology
from sessions.programmes.models import PendingEnrolment
from sessions.tasters.invitations import TasterError
from sessions.tasters.models import BookingStatus, TasterBooking, TasterInvitation
from sessions.tasters.services import cancel_taster_booking

FORMER_MEMBER = "Former member"
WORDS_REMOVED = "[removed: the writer closed their account]"


class AccountError(DomainError):
    """The account cannot be closed yet; `message` says why and what to do."""


def check_can_close(*, person: User) -> None:
    """Raise AccountError if the person is the only leader of a group."""
    for leadership in Leadership.objects.filter(person=person).select_related("group"):
        if leadership.group.leaderships.count() <= 1:
            raise AccountError(
                f"You are the only leader of {leadership.group.name}. Appoint another leader "
                "(or ask site staff to close the group) before you close your account."
            )


@transaction.atomic
def close_account(*, person: User, now: datetime | None = None) -> User:
    """Erase the person's personal data and leave an anonymous tombstone; AccountError if they
    are a group's only leader."""
    now = now or timezone.now()
    # Lock the person first: two closing requests (or a sign-in's writes) wait for each other.
    person = User.objects.select_for_update().get(pk=person.pk)
    check_can_close(person=person)
    addresses = _addresses(person)
    names = [person.display_name, person.email, *addresses]
    words = _own_words(person)
    try:
        _step_down(person, now=now)
    except (GroupError, TasterError) as error:
        # A co-leader closing at the same moment: remove_leader's re-check under the group lock
        # refuses the second one; the whole closing rolls back.
        raise AccountError(error.message) from error
    Apology.objects.filter(person=person, meeting__starts_at__gt=now).delete()
    _delete_invitations(person, addresses)
    _silence_outbox(addresses)
    _scrub_texts(names)
    _scrub_words(words)
    # The admin's history names the person as its object's label.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk)
    ).update(object_repr=FORMER_MEMBER)
    _make_tombstone(person)
    return person


def _make_tombstone(person: User) -> None:
    """Blank everything on and around the person's row that says who they were."""
    Membership.objects.filter(person=person).exclude(note="").update(note="")
    EmailAddress.objects.filter(user=person).delete()
    Authenticator.objects.filter(user=person).delete()
    # Linked organisation accounts (and any tokens with them): nobody may sign in as the tombstone.
    SocialAccount.objects.filter(user=person).delete()
    person.administered_programmes.clear()
    person.groups.clear()
    person.user_permissions.clear()
    person.email = f"deleted-{person.pk}@invalid"
    person.display_name = FORMER_MEMBER
    # A new (unusable) password changes the session hash, so every signed-in session ends.
    person.set_unusable_password()
    person.is_active = person.is_staff = person.is_superuser = False
    person.calendar_token_hash = None
    FeedKey.objects.filter(person=person).delete()  # what the feed link was derived from
    person.last_login = None
    person.save()


def _addresses(person: User) -> set[str]:
    addresses = {
        e.lower() for e in EmailAddress.objects.filter(user=person).values_list("email", flat=True)
    }
    addresses.add(person.email.lower())
    return addresses


def _step_down(person: User, *, now: datetime) -> None:
    """Leave groups and stand down through the groups' own operations (waitlist offers,
    calendar cancellations), and cancel future taster bookings."""
    for leadership in Leadership.objects.filter(person=person).select_related("group"):
        remove_leader(group=leadership.group, leadership_id=leadership.pk, by=person)
    current = Membership.objects.filter(person=person, status__in=CURRENT_STATUSES)
    for membership in current.select_related("group"):
        leave_group(group=membership.group, person=person)
    bookings = TasterBooking.objects.filter(
        person=person, status=BookingStatus.BOOKED, meeting__starts_at__gt=now
    ).select_related("meeting")
    for booking in bookings:
        cancel_taster_booking(booking=booking, person=person, now=now)


def _delete_invitations(person: User, addresses: set[str]) -> None:
    by_address = Q()
    for address in addresses:
        by_address |= Q(email__iexact=address)
    TasterInvitation.objects.filter(by_address | Q(accepted_by=person)).delete()
    PendingMembershipInvite.objects.filter(by_address).delete()
    PendingEnrolment.objects.filter(by_address).delete()
    LeaderInvite.objects.filter(by_address).delete()
    # Their messages to leaders (already delivered, or never confirmed) go with them.
    by_sender = Q()
    for address in addresses:
        by_sender |= Q(sender_email__iexact=address)
    LeaderContact.objects.filter(by_sender | Q(sender=person)).delete()
    ProgrammeAdminInvitation.objects.filter(by_address).delete()


def _silence_outbox(addresses: set[str]) -> None:
    """Take the person's addresses off every message; one left with nobody is never sent."""
    query = Q()
    for address in addresses:
        query |= Q(to__icontains=address)
    for message in Message.objects.select_for_update().filter(query):
        kept = [a for a in message.to if str(a).lower() not in addresses]
        if kept == message.to:
            continue  # the address only appeared inside another one
        message.to = kept
        if not kept and message.status == MessageStatus.PENDING:
            message.status = MessageStatus.FAILED
            message.last_error = "Not sent: the recipient closed their account."
        message.save(update_fields=["to", "status", "last_error"])


def _own_words(person: User) -> set[str]:
    """What the person wrote that others were emailed: notes with join requests, the messages
    of taster invitations they sent."""
    notes = Membership.objects.filter(person=person).exclude(note="").values_list("note", flat=True)
    messages = (
        TasterInvitation.objects.filter(inviter=person)
        .exclude(message="")
        .values_list("message", flat=True)
    )
    return {text for text in [*notes, *messages] if len(text.strip()) >= 3}


def _scrub_words(words: set[str]) -> None:
    """Take the person's own words out of every stored email (as written and as HTML shows
    them), so that closing the account leaves none of them behind."""
    fields = ["body_text", "body_html"]
    forms = words | {escape(text) for text in words}
    for text in sorted(forms, key=len, reverse=True):
        for field in fields:
            Message.objects.filter(**{f"{field}__contains": text}).update(
                **{field: Replace(field, Value(text), Value(WORDS_REMOVED))}
            )


def _scrub_texts(names: list[str]) -> None:
    """Replace the person's name and addresses in stored emails to others (e.g. "X has left")
    and in the audit log's sentences."""
    fields = ["subject", "body_text", "body_html", "ical"]
    for name in {n for n in names if len(n) >= 3} | {escape(n) for n in names if len(n) >= 3}:
        for field in fields:
            Message.objects.filter(**{f"{field}__icontains": name}).update(
                **{field: Replace(field, Value(name), Value(FORMER_MEMBER))}
            )
        AuditEvent.objects.filter(summary__icontains=name).update(
            summary=Replace("summary", Value(name), Value(FORMER_MEMBER))
        )
