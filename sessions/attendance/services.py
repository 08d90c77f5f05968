"""Business operations on who takes part in a meeting: apologies and the register.

Each is one transaction that locks the meeting first (the meetings layer's lock order: group,
then meeting). Every error a person can cause is a `MeetingError`.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from balint.audit import services as audit
from sessions.attendance.register import (
    Mark,
    expected_people,
    register_closes_at,
    register_opens_at,
)
from sessions.attendance.roles import is_expected
from sessions.meetings.models import (
    APOLOGY_NOTE_MAX,
    Apology,
    AttendanceRecord,
    AttendanceStatus,
    Meeting,
)
from sessions.meetings.services import MeetingError, lock_meeting

REOPEN_FOR = timedelta(days=7)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


@transaction.atomic
def send_apologies(
    *,
    meeting: Meeting,
    person,
    now: datetime | None = None,
    from_calendar: bool = False,
    note: str = "",
) -> Apology:
    """Record that `person` will miss `meeting`, with an optional short `note` to the leaders
    (sending twice keeps one, and where it came from: the site or, `from_calendar`, a calendar
    app's Decline; a second note replaces the first). Raises MeetingError if the meeting is
    cancelled or has started, the note is too long, or the person is not a member or leader."""
    note = " ".join(note.split())
    if len(note) > APOLOGY_NOTE_MAX:
        raise MeetingError(f"Please keep the note to {APOLOGY_NOTE_MAX} characters.")
    meeting = lock_meeting(meeting)
    if meeting.is_cancelled:
        raise MeetingError("This meeting is cancelled: there is no need to send apologies.")
    if meeting.starts_at <= _now(now):
        raise MeetingError("This meeting has started, so apologies can no longer be sent.")
    if not is_expected(meeting, person):
        raise MeetingError("Only the group's members and leaders can send apologies.")
    apology, created = Apology.objects.get_or_create(
        meeting=meeting, person=person, defaults={"from_calendar": from_calendar, "note": note}
    )
    if not created and note and apology.note != note:
        apology.note = note
        apology.save(update_fields=["note"])
    return apology


@transaction.atomic
def withdraw_apologies(*, meeting: Meeting, person, now: datetime | None = None) -> bool:
    """Withdraw `person`'s apologies; True if there were any. Raises MeetingError once the
    meeting has started."""
    meeting = lock_meeting(meeting)
    if meeting.starts_at <= _now(now):
        raise MeetingError("This meeting has started, so apologies can no longer be withdrawn.")
    deleted, _ = Apology.objects.filter(meeting=meeting, person=person).delete()
    return deleted > 0


@transaction.atomic
def record_register(
    *, meeting: Meeting, by, marks: Mapping[int, Mark], now: datetime | None = None
) -> int:
    """Save the whole register of a meeting at once: one mark for every person expected.
    Returns how many lines changed. Raises MeetingError if the meeting is cancelled or has not
    started, the 14 days are over (unless `by` is staff), or a mark is missing or impossible."""
    now = _now(now)
    meeting = lock_meeting(meeting)
    _check_register_open(meeting, by=by, now=now)
    expected = {entry.person.pk: entry for entry in expected_people(meeting)}
    _check_marks(expected, marks)
    new, changed = [], []
    for person_id, mark in marks.items():
        entry = expected[person_id]
        record = entry.record
        if record is None:
            record = AttendanceRecord(meeting=meeting, person=entry.person, role=entry.role)
            new.append(record)
        elif (record.status, record.presented_case) == (mark.status, mark.presented_case):
            continue  # unchanged lines keep who recorded them and when
        else:
            changed.append(record)
        record.status, record.presented_case = mark.status, mark.presented_case
        record.recorded_by, record.recorded_at = by, now
    AttendanceRecord.objects.bulk_create(new)
    fields = ["status", "presented_case", "recorded_by", "recorded_at"]
    AttendanceRecord.objects.bulk_update(changed, fields)
    if new or changed:
        audit.record_in_group(
            meeting,
            by=by,
            area=audit.Area.REGISTER,
            action="register.record",
            summary=f"Recorded the register of {meeting}: {len(new)} new marks, "
            f"{len(changed)} changed",
        )
    return len(new) + len(changed)


def _check_register_open(meeting: Meeting, *, by, now: datetime) -> None:
    if meeting.is_cancelled:
        raise MeetingError("This meeting was cancelled: it has no register.")
    if now < register_opens_at(meeting):
        raise MeetingError("The register opens when the meeting starts.")
    if now > register_closes_at(meeting) and not (by.is_staff or meeting.recorded_afterwards):
        raise MeetingError(
            "The register closed 14 days after the meeting. Site staff can still correct it."
        )


def _check_marks(expected: Mapping[int, object], marks: Mapping[int, Mark]) -> None:
    if set(marks) - set(expected):
        raise MeetingError("The register lists someone who is not expected at this meeting.")
    if set(expected) - set(marks):
        raise MeetingError("Please mark everyone in the register.")
    for mark in marks.values():
        if mark.status not in AttendanceStatus.values:
            raise MeetingError("Please choose present, late, absent or apologies for everyone.")
        if mark.presented_case and not mark.attended:
            raise MeetingError("Only someone who was there can have presented a case.")


@transaction.atomic
def reopen_register(*, meeting: Meeting, by, now: datetime | None = None) -> datetime:
    """Let the group's leaders write a locked register again for 7 days (site staff only);
    returns when it locks again. Raises MeetingError if `by` is not staff, the meeting was
    cancelled, or the register has not locked."""
    now = _now(now)
    if not by.is_staff:
        raise MeetingError("Only site staff can reopen a register.")
    meeting = lock_meeting(meeting)
    if meeting.is_cancelled:
        raise MeetingError("This meeting was cancelled: it has no register.")
    if now <= register_closes_at(meeting):
        raise MeetingError("This register has not locked: the leaders can still change it.")
    meeting.register_reopened_until = now + REOPEN_FOR
    meeting.save(update_fields=["register_reopened_until"])
    audit.record_in_group(
        meeting,
        by=by,
        area=audit.Area.REGISTER,
        action="register.reopen",
        summary=f"Reopened the register of {meeting} for the leaders until "
        f"{meeting.register_reopened_until:%Y-%m-%d %H:%M} UTC",
    )
    return meeting.register_reopened_until
