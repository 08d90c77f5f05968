"""The emails of taster invitations and the after-meeting invitation to join. Each call writes an
outbox row inside the caller's transaction (a rolled-back change sends nothing); keys make every
message unique. A booking's confirmation and cancellation are calendar emails, sent by
sessions.calendar.notify."""

import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils.dateformat import format as date_format

from balint.outbox.services import enqueue_email
from groups.models import Format
from sessions.meetings.models import Meeting
from sessions.tasters.models import TasterBooking, TasterInvitation


def absolute(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args or None)


def where_for_taster(meeting: Meeting) -> dict:
    """The room and link a booked taster may know (they are attendees of this meeting)."""
    group = meeting.group
    return {
        "room": meeting.room if group.format != Format.ONLINE else "",
        "link": meeting.meeting_link if group.format != Format.IN_PERSON else "",
        "is_online": group.format != Format.IN_PERSON,
    }


def invitation(invitation: TasterInvitation, *, token: str) -> None:
    """The invitation with its link; the raw token is in the email and nowhere else."""
    group = invitation.group
    enqueue_email(
        key=f"taster-invitation:{invitation.pk}:{invitation.send_count}",
        to=invitation.email,
        template="taster_invitation",
        context={
            "group": group,
            "inviter": invitation.inviter,
            "message": invitation.message,
            "landing_url": absolute("tasters:landing", token),
            "about_url": absolute("about"),
            "has_agreement": group.agreement_versions.exists(),
            "expires_on": date_format(
                invitation.expires_at.astimezone(zoneinfo.ZoneInfo(group.time_zone)), "j F Y"
            ),
        },
        secrets=[token],
    )


def join_invitation(booking: TasterBooking) -> None:
    """After the meeting: an invitation to ask to join, with a one-click link."""
    group, person = booking.meeting.group, booking.person
    enqueue_email(
        key=f"taster-join:{booking.pk}",
        to=person.email,
        template="taster_join_invite",
        context={
            "person": person,
            "group": group,
            "join_url": absolute("tasters:join", group.slug),
            "group_url": absolute("groups:detail", group.slug),
        },
    )
