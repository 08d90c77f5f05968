"""The SEQUENCE of a meeting's event in one person's calendar: the meeting's revision (raised by
every change, for everyone) plus the person's own bumps (raised by every message only they get:
a taster booking or cancelling, joining or leaving a group). Both only go up, so a CANCEL is
always higher than the REQUEST before it and a later REQUEST higher again (RFC 5546 §2.1.4:
a calendar ignores a message whose SEQUENCE is lower than what it has, and orders equal ones by
DTSTAMP alone, which Outlook and Gmail are not known to do)."""

from collections.abc import Iterable, Sequence

from django.db.models import F

from sessions.calendar.models import PersonalSequence
from sessions.meetings.models import Meeting


def bumps_of(meetings: Iterable[Meeting], person_ids: Iterable[int] | None = None) -> dict:
    """{(meeting id, person id): bumps} for these meetings (and people), in one query; pairs
    never bumped are missing (0)."""
    rows = PersonalSequence.objects.filter(meeting__in=[meeting.pk for meeting in meetings])
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    return {
        (meeting_id, person_id): bumps
        for meeting_id, person_id, bumps in rows.values_list("meeting_id", "person_id", "bumps")
    }


def current_sequences(meetings: Sequence[Meeting], person) -> dict[int, int]:
    """{meeting id: SEQUENCE} of the last message `person` was sent for each meeting."""
    bumps = bumps_of(meetings, [person.pk])
    return {m.pk: m.revision + bumps.get((m.pk, person.pk), 0) for m in meetings}


def raise_sequences(meetings: Sequence[Meeting], person) -> dict[int, int]:
    """Raise `person`'s SEQUENCE of each meeting by one and return {meeting id: new SEQUENCE}.

    Call inside the transaction that writes the message. Race-safe in three queries: the unique
    constraint makes the row once, and the increment is done by the database (F()), whose row
    lock makes a concurrent raise wait and then add its own one."""
    ids = [meeting.pk for meeting in meetings]
    PersonalSequence.objects.bulk_create(
        [PersonalSequence(meeting_id=pk, person_id=person.pk) for pk in ids],
        ignore_conflicts=True,
    )
    mine = PersonalSequence.objects.filter(meeting_id__in=ids, person_id=person.pk)
    mine.update(bumps=F("bumps") + 1)
    bumps = dict(mine.values_list("meeting_id", "bumps"))
    return {meeting.pk: meeting.revision + bumps[meeting.pk] for meeting in meetings}
