"""The tasters part of the demo world: a trainee's booking and some invitations in each state.
Running it again changes nothing (each row is found before it is made).

The demo's open invitations have fixed tokens, so that locally `/tasters/invite/demo-taster-1/`
shows the invitation page; the tokens are fictional like everything else here.
"""

from datetime import timedelta

from django.utils import timezone

from groups.models import BalintGroup
from members.models import User
from sessions.meetings.models import Meeting, MeetingStatus
from sessions.tasters.models import BookingStatus, TasterBooking, TasterInvitation, hash_token

# (group, email, token, state): the states the inviters' page shows.
INVITATIONS = [
    ("cotham-gp-balint", "trainee@example.org", "demo-taster-0", "booked"),
    ("severn-gp-trainees", "st1.trainee@example.org", "demo-taster-1", "sent"),
    ("severn-gp-trainees", "st2.trainee@example.org", "demo-taster-2", "opened"),
    ("severn-gp-trainees", "st3.trainee@example.org", "demo-taster-3", "expired"),
    ("severn-gp-trainees", "st4.trainee@example.org", "demo-taster-4", "revoked"),
    ("online-multiprofessional-balint", "nurse.practitioner@example.org", "demo-taster-5", "sent"),
]


def _invitation(group: BalintGroup, email: str, token: str, state: str) -> TasterInvitation:
    now = timezone.now()
    sent = now - timedelta(days=40 if state == "expired" else 3)
    inviter = group.leaderships.first().person
    invitation, _ = TasterInvitation.objects.get_or_create(
        token_hash=hash_token(token),
        defaults={
            "group": group,
            "email": email,
            "inviter": inviter,
            "created_at": sent,
            "sent_at": sent,
            "send_count": 1,
            "expires_at": sent + timedelta(days=30),
            "opened_at": sent + timedelta(hours=2) if state in ("opened", "booked") else None,
            "revoked_at": now if state == "revoked" else None,
        },
    )
    return invitation


def _book(person: User, group: BalintGroup, invitation: TasterInvitation | None) -> None:
    if TasterBooking.objects.filter(group=group, person=person).exists():
        return
    meeting = (
        Meeting.objects.filter(
            group=group, status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now()
        )
        .order_by("starts_at")
        .first()
    )
    if meeting is None or group.taster_seats == 0:
        return
    booking = TasterBooking.objects.create(
        meeting=meeting, group=group, person=person, seat=1, status=BookingStatus.BOOKED
    )
    if invitation is not None:
        TasterInvitation.objects.filter(pk=invitation.pk).update(
            booking=booking, accepted_by=person
        )
        TasterBooking.objects.filter(pk=booking.pk).update(invitation=invitation)


def seed_tasters(people: dict[str, User]) -> None:
    """Invitations in every state, and a trainee booked on Cotham's next meeting."""
    groups = {group.slug: group for group in BalintGroup.objects.filter(slug__in=_slugs())}
    for slug, email, token, state in INVITATIONS:
        invitation = _invitation(groups[slug], email, token, state)
        if state == "booked" and email in people:
            _book(people[email], groups[slug], invitation)


def _slugs() -> set[str]:
    return {slug for slug, *_ in INVITATIONS}
