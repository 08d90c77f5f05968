"""Leaders write to everyone in their group (and, if they choose, the tasters booked for one of
its meetings) through the outbox. Here and not in groups/ because the tasters' bookings live
in the layer below this one."""

import uuid

from django import forms
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format

from balint.audit import services as audit
from balint.outbox.services import OutgoingEmail, enqueue_emails_bulk
from groups.emails import absolute
from groups.models import BalintGroup, Leadership, MembershipStatus
from groups.services import GroupError, lock_group
from members.models import User
from sessions.meetings.models import Meeting
from sessions.tasters.models import BookingStatus

NO_CASE_CONTENT = (
    "Please do not write about patients or cases: no names, no clinical details, nothing said "
    "in a group. Email is not a safe place for them."
)


class MeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, meeting: Meeting) -> str:
        when = date_format(meeting.local_starts_at, "l j F Y, H:i")
        return f"{when} ({meeting.booked_count} booked)"


class LetterForm(forms.Form):
    subject = forms.CharField(
        label="Subject",
        max_length=150,
        error_messages={"required": "Give the message a subject."},
    )
    message = forms.CharField(
        label="Message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Write a message."},
        help_text=f"It goes to every member and leader of the group by email. {NO_CASE_CONTENT}",
    )
    tasters_of = MeetingChoice(
        label="Also to the tasters booked for",
        required=False,
        queryset=Meeting.objects.none(),
        empty_label="No tasters: members and leaders only",
        help_text="Only upcoming meetings with taster seats booked are listed.",
    )

    def __init__(self, *args, group: BalintGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasters_of"].queryset = meetings_with_tasters(group)

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError("Write a message.")
        return message


def meetings_with_tasters(group: BalintGroup):
    """The group's upcoming meetings that have booked tasters, with how many."""
    booked = Count("taster_bookings", filter=Q(taster_bookings__status=BookingStatus.BOOKED))
    return (
        Meeting.objects.filter(group=group, starts_at__gt=timezone.now())
        .annotate(booked_count=booked)
        .filter(booked_count__gt=0)
        .order_by("starts_at")
    )


@transaction.atomic
def write_to_members(
    *, group: BalintGroup, by: User, subject: str, message: str, meeting: Meeting | None = None
) -> int:
    """Email the group's members and leaders (and the tasters booked for `meeting`), each in
    their own time zone; returns how many were written to. GroupError if there are no members
    and no tasters to write to."""
    group = lock_group(group)
    members = User.objects.filter(
        memberships__group=group, memberships__status=MembershipStatus.ACTIVE
    )
    leaders = User.objects.filter(pk__in=Leadership.objects.filter(group=group).values("person"))
    tasters = []
    if meeting is not None:
        tasters = list(
            User.objects.filter(
                taster_bookings__meeting=meeting, taster_bookings__status=BookingStatus.BOOKED
            )
        )
    taster_ids = {person.pk for person in tasters}
    readers = {person.pk: person for person in [*members, *tasters]}
    if not readers:
        raise GroupError("There is no one to write to yet: the group has no members.")
    everyone = {**readers, **{person.pk: person for person in leaders}}
    letter = uuid.uuid4().hex
    context = {
        "group": group,
        "sender": by,
        "subject": subject,
        "message": message,
        "group_url": absolute("groups:detail", slug=group.slug),
        "contact_url": absolute("groups:contact", slug=group.slug),
    }
    enqueue_emails_bulk(
        OutgoingEmail(
            key=f"group-letter:{letter}:{person.pk}",
            to=person.email,
            template="group_letter",
            context={**context, "person": person, "is_taster": person.pk in taster_ids},
            time_zone=person.time_zone,
        )
        for person in everyone.values()
    )
    to_tasters = ""
    if meeting is not None:
        to_tasters = f" and the tasters of {date_format(meeting.local_starts_at, 'j F Y')}"
    audit.record_in_group(
        group,
        by=by,
        area=audit.Area.ROSTER,
        action="group.letter",
        summary=f"Wrote to the group's members{to_tasters} ({len(everyone)} people)",
    )
    return len(everyone)
