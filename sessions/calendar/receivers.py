"""The groups layer's events, heard by calendars (connected in sessions/apps.py). Each runs
inside the transaction of the change that sent it."""

from django.dispatch import receiver

from groups.signals import (
    leadership_ended,
    leadership_started,
    meeting_place_changed,
    membership_activated,
    membership_ended,
)
from sessions.calendar import notify
from sessions.calendar.people import is_active_member
from sessions.models import AttendanceRole


@receiver(membership_activated, dispatch_uid="calendar.membership_activated")
def invite_new_member(sender, membership, **kwargs) -> None:
    notify.joined(
        group_id=membership.group_id,
        person=membership.person,
        key=f"calendar-join:{membership.pk}",
        role=AttendanceRole.MEMBER,
    )


@receiver(membership_ended, dispatch_uid="calendar.membership_ended")
def uninvite_former_member(sender, membership, **kwargs) -> None:
    notify.left(
        group_id=membership.group_id,
        person=membership.person,
        key=f"calendar-leave:{membership.pk}",
    )


@receiver(leadership_started, dispatch_uid="calendar.leadership_started")
def invite_new_leader(sender, leadership, **kwargs) -> None:
    group_id, person = leadership.group_id, leadership.person
    if is_active_member(person, group_id):
        # A member appointed leader has the meetings already; their membership ends just after,
        # and `notify.left` sees them leading, so nothing is cancelled either.
        return
    notify.joined(
        group_id=group_id,
        person=person,
        key=f"calendar-lead:{leadership.pk}",
        role=AttendanceRole.LEADER,
    )


@receiver(leadership_ended, dispatch_uid="calendar.leadership_ended")
def uninvite_former_leader(sender, leadership, leadership_id, **kwargs) -> None:
    notify.left(
        group_id=leadership.group_id,
        person=leadership.person,
        key=f"calendar-unlead:{leadership_id}",
    )


@receiver(meeting_place_changed, dispatch_uid="calendar.meeting_place_changed")
def update_meetings_in_the_usual_place(sender, group, fields, **kwargs) -> None:
    # Imported here: the meetings services import this package's notify module.
    from sessions.services import follow_group_place

    follow_group_place(group=group, fields=fields)
