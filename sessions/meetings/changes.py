"""Every change to a meeting goes through here: the revision goes up by one and the change is
recorded, so people's calendar apps see one event whose SEQUENCE strictly increases (a lower or
equal SEQUENCE is ignored as stale).

Callers hold the group's row lock (see services.py for the lock order).
"""

from datetime import datetime

from django.utils import timezone

from balint.audit import services as audit
from sessions.meetings import signals
from sessions.meetings.models import ChangeKind, Meeting, MeetingChange, MeetingStatus


def record_added(meeting: Meeting, *, by=None) -> MeetingChange:
    """Record that a new meeting (revision 0) exists."""
    if by is not None:
        _audit(meeting, by=by, kind=ChangeKind.ADDED, summary=f"Added a meeting: {meeting}")
    return MeetingChange.objects.create(
        meeting=meeting,
        kind=ChangeKind.ADDED,
        revision=meeting.revision,
        new_starts_at=meeting.starts_at,
        new_ends_at=meeting.ends_at,
        new_place=meeting.place,
        new_link=meeting.link,
        by=by,
    )


def added_change(meeting: Meeting) -> MeetingChange:
    """An unsaved ADDED change for a meeting made by the schedule (saved in bulk)."""
    return MeetingChange(
        meeting=meeting,
        kind=ChangeKind.ADDED,
        revision=meeting.revision,
        new_starts_at=meeting.starts_at,
        new_ends_at=meeting.ends_at,
        at=timezone.now(),
    )


def apply_change(
    meeting: Meeting,
    *,
    kind: str,
    by=None,
    reason: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    place: str | None = None,
    link: str | None = None,
    by_hand: bool = True,
) -> MeetingChange:
    """Change a meeting, raise its revision by one and record the change with old and new values."""
    old = (meeting.starts_at, meeting.ends_at, meeting.place, meeting.link)
    meeting.starts_at = starts_at or meeting.starts_at
    meeting.ends_at = ends_at or meeting.ends_at
    meeting.place = meeting.place if place is None else place
    meeting.link = meeting.link if link is None else link
    if kind == ChangeKind.CANCELLED:
        meeting.status, meeting.cancel_reason = MeetingStatus.CANCELLED, reason
    elif kind == ChangeKind.RESTORED:
        meeting.status, meeting.cancel_reason = MeetingStatus.SCHEDULED, ""
    meeting.revision += 1
    meeting.edited_by_hand = meeting.edited_by_hand or by_hand
    meeting.save()
    if kind == ChangeKind.CANCELLED:
        # What hangs on it (taster bookings) ends with it, in this transaction, whoever
        # cancelled it: a leader or a changed schedule.
        signals.meeting_cancelled.send(sender=Meeting, meeting=meeting)
    elif kind == ChangeKind.RESTORED:
        # What ended with the cancellation comes back where it can (taster bookings), before
        # anyone is told, so that the calendar updates reach those tasters too.
        signals.meeting_restored.send(sender=Meeting, meeting=meeting)
    if by is not None:
        _audit(meeting, by=by, kind=kind, summary=_describe(kind, old[0], meeting))
    return MeetingChange.objects.create(
        meeting=meeting,
        kind=kind,
        revision=meeting.revision,
        old_starts_at=old[0],
        old_ends_at=old[1],
        old_place=old[2],
        old_link=old[3],
        new_starts_at=meeting.starts_at,
        new_ends_at=meeting.ends_at,
        new_place=meeting.place,
        new_link=meeting.link,
        reason=reason,
        by=by,
    )


def _describe(kind: str, old_starts_at: datetime, meeting: Meeting) -> str:
    if kind == ChangeKind.MOVED and old_starts_at != meeting.starts_at:
        was = Meeting(group=meeting.group, starts_at=old_starts_at)
        return f"Moved a meeting: {was} → {meeting.local_starts_at:%Y-%m-%d %H:%M}"
    if kind == ChangeKind.MOVED:
        return f"Changed the place or link of one meeting: {meeting}"
    return f"{ChangeKind(kind).label} a meeting: {meeting}"


def _audit(meeting: Meeting, *, by, kind: str, summary: str) -> None:
    audit.record_in_group(
        meeting, by=by, area=audit.Area.MEETINGS, action=f"meeting.{kind}", summary=summary
    )
