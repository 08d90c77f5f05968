"""The events of the layers below (groups, meetings, tasters), heard by calendars (connected in
CalendarConfig.ready). Each runs inside the transaction of the change that sent it."""

from django.dispatch import receiver

from groups.access import roles_in_group
from groups.signals import (
    leadership_ended,
    leadership_started,
    meeting_place_changed,
    membership_activated,
    membership_ended,
)
from sessions.calendar import notify
from sessions.meetings import signals as meetings
from sessions.meetings.models import AttendanceRole
from sessions.meetings.services import follow_group_place
from sessions.tasters import signals as tasters


@receiver(membership_activated, dispatch_uid="calendar.membership_activated")
def invite_new_member(sender, membership, **kwargs) -> None:
    notify.joined(
        group_id=membership.group_id,
        person=membership.person,
        key=f"calendar-join:{membership.pk}",
        role=AttendanceRole.MEMBER,
        block=(membership.starts_on, membership.until),
    )


@receiver(membership_ended, dispatch_uid="calendar.membership_ended")
def uninvite_former_member(sender, membership, **kwargs) -> None:
    notify.left(
        group_id=membership.group_id,
        person=membership.person,
        key=f"calendar-leave:{membership.pk}",
        block=(membership.starts_on, membership.until),
    )


@receiver(leadership_started, dispatch_uid="calendar.leadership_started")
def invite_new_leader(sender, leadership, **kwargs) -> None:
    group_id, person = leadership.group_id, leadership.person
    if roles_in_group(person, group_id).holds_membership:
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
    follow_group_place(group=group, fields=fields)


@receiver(meetings.meeting_added, dispatch_uid="calendar.meeting_added")
def invite_to_added_meeting(sender, meeting, **kwargs) -> None:
    notify.meeting_added(meeting=meeting)


@receiver(meetings.meeting_moved, dispatch_uid="calendar.meeting_moved")
def update_moved_meeting(sender, meeting, change, **kwargs) -> None:
    notify.meeting_moved(meeting=meeting, change=change)


@receiver(meetings.meeting_cancelled_by_leader, dispatch_uid="calendar.meeting_cancelled")
def cancel_meeting_in_calendars(sender, meeting, **kwargs) -> None:
    notify.meeting_cancelled(meeting=meeting)


@receiver(meetings.meeting_reinstated_by_leader, dispatch_uid="calendar.meeting_reinstated")
def reinstate_meeting_in_calendars(sender, meeting, **kwargs) -> None:
    notify.meeting_reinstated(meeting=meeting)


@receiver(meetings.schedule_applied, dispatch_uid="calendar.schedule_applied")
def update_scheduled_meetings(sender, added, updated, cancelled, **kwargs) -> None:
    notify.schedule_changed(added=added, updated=updated, cancelled=cancelled)


@receiver(meetings.usual_place_followed, dispatch_uid="calendar.usual_place_followed")
def update_meetings_in_new_place(sender, meetings, **kwargs) -> None:
    notify.place_changed(meetings=meetings)


@receiver(tasters.taster_booked, dispatch_uid="calendar.taster_booked")
def invite_taster(sender, booking, **kwargs) -> None:
    notify.taster_booked(booking)


@receiver(tasters.taster_booking_cancelled, dispatch_uid="calendar.taster_booking_cancelled")
def uninvite_taster(sender, booking, **kwargs) -> None:
    notify.taster_booking_cancelled(booking)
