"""Who is expected at a meeting, and when its register may be written.

Expected: the group's leaders, the members who held a place on the day (not those who joined
after it; those who have left since, yes), the tasters booked on it (sessions.tasters), and anyone
already in the register.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, CharField, Q, Value, When

from groups.models import Leadership, Membership, MembershipStatus
from sessions.meetings.models import (
    ATTENDED,
    Apology,
    AttendanceRecord,
    AttendanceRole,
    AttendanceStatus,
    CalendarAnswer,
    CalendarReply,
    Meeting,
)
from sessions.tasters.queries import tasters_booked_at

REGISTER_EDITABLE_FOR = timedelta(days=14)


@dataclass(frozen=True)
class Mark:
    """One person's line in a register as the leader submits it."""

    status: str
    presented_case: bool = False

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED


@dataclass(frozen=True)
class Expected:
    person: object  # members.User
    role: str
    sent_apologies: bool
    record: AttendanceRecord | None
    # What leaders see of calendar answers (sessions/calendar/replies.py): apologies sent by
    # declining, and a Maybe (TENTATIVE) with no apologies.
    apologies_from_calendar: bool = False
    maybe: bool = False
    # The apology's optional short note to the leaders.
    apology_note: str = ""

    @property
    def initial(self) -> Mark | None:
        """What the register shows before the leader changes it: the record, or apologies."""
        if self.record is not None:
            return Mark(self.record.status, self.record.presented_case)
        if self.sent_apologies:
            return Mark(AttendanceStatus.APOLOGIES)
        return None


def expected_people(meeting: Meeting) -> list[Expected]:
    """Everyone expected at `meeting`, leaders first, in five queries whatever their number."""
    records = {
        record.person_id: record
        for record in AttendanceRecord.objects.filter(meeting=meeting).select_related(
            "person", "recorded_by"
        )
    }
    answers, notes = _answers(meeting)
    people: dict[int, tuple[object, str]] = {}
    for leadership in Leadership.objects.filter(group_id=meeting.group_id).select_related("person"):
        people[leadership.person_id] = (leadership.person, AttendanceRole.LEADER)
    members = Membership.objects.filter(
        _member_at(meeting), group_id=meeting.group_id
    ).select_related("person")
    for membership in members:
        people.setdefault(membership.person_id, (membership.person, AttendanceRole.MEMBER))
    for person in tasters_booked_at(meeting):
        people.setdefault(person.pk, (person, AttendanceRole.TASTER))
    for person_id, record in records.items():
        people.setdefault(person_id, (record.person, record.role))
    expected = [
        Expected(
            person,
            role,
            sent_apologies=answers.get(person_id, MAYBE) != MAYBE,
            record=records.get(person_id),
            apologies_from_calendar=answers.get(person_id) == FROM_CALENDAR,
            maybe=answers.get(person_id) == MAYBE,
            apology_note=notes.get(person_id, ""),
        )
        for person_id, (person, role) in people.items()
    ]
    order = {AttendanceRole.LEADER: 0, AttendanceRole.MEMBER: 1, AttendanceRole.TASTER: 2}
    return sorted(expected, key=lambda e: (order.get(e.role, 3), str(e.person).casefold()))


FROM_SITE, FROM_CALENDAR, MAYBE = "site", "calendar", "maybe"


def _answers(meeting: Meeting) -> tuple[dict[int, str], dict[int, str]]:
    """Each person's apologies (from the site or a calendar) or calendar Maybe, and the notes
    sent with apologies, in one query; apologies win over a Maybe."""
    kind = Case(
        When(from_calendar=True, then=Value(FROM_CALENDAR)),
        default=Value(FROM_SITE),
        output_field=CharField(),
    )
    apologies = (
        Apology.objects.filter(meeting=meeting)
        .annotate(kind=kind)
        .values_list("person_id", "kind", "note")
        .order_by()
    )
    maybes = (
        CalendarReply.objects.filter(meeting=meeting, answer=CalendarAnswer.TENTATIVE)
        .annotate(
            kind=Value(MAYBE, output_field=CharField()),
            no_note=Value("", output_field=CharField()),
        )
        .values_list("person_id", "kind", "no_note")
        .order_by()
    )
    answers: dict[int, str] = {}
    notes: dict[int, str] = {}
    for person_id, found, note in apologies.union(maybes, all=True).order_by():
        if found != MAYBE or person_id not in answers:
            answers[person_id] = found
        if note:
            notes[person_id] = note
    return answers, notes


def _member_at(meeting: Meeting) -> Q:
    """Memberships that held a place when the meeting took place: joined by its end and not
    ended before its day (leaders may back-date a removal, hence `ended_on`). A cohort's block
    membership held its place on the block's days, whenever it was entered."""
    ended = [MembershipStatus.LEFT, MembershipStatus.REMOVED]
    day = meeting.local_starts_at.date()
    joined = Q(starts_on__isnull=True) & (
        Q(joined_at__isnull=True) | Q(joined_at__lte=meeting.ends_at)
    ) | Q(starts_on__lte=day, until__gte=day)
    still_there = (
        Q(status=MembershipStatus.ACTIVE)
        | Q(status__in=ended, ended_on__gte=day)
        | Q(status__in=ended, ended_on__isnull=True, ended_at__gte=meeting.starts_at)
    )
    return joined & still_there


def register_opens_at(meeting: Meeting) -> datetime:
    return meeting.starts_at


def register_locks_at(meeting: Meeting) -> datetime:
    """When the register locks by itself: 14 days after the meeting ends."""
    return meeting.ends_at + REGISTER_EDITABLE_FOR


def register_closes_at(meeting: Meeting) -> datetime:
    """When leaders can no longer write the register: it locks 14 days after the meeting, or
    later if staff reopened it (staff can write it at any time)."""
    reopened = meeting.register_reopened_until
    locks = register_locks_at(meeting)
    return max(locks, reopened) if reopened else locks


def register_is_open(meeting: Meeting, *, now: datetime, is_staff: bool) -> bool:
    """Whether the register may be written now: from the start for 14 days (staff, and a
    meeting recorded afterwards: for ever)."""
    if meeting.is_cancelled or now < register_opens_at(meeting):
        return False
    return is_staff or meeting.recorded_afterwards or now <= register_closes_at(meeting)
