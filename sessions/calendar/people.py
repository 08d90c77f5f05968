"""Who expects a meeting in their calendar: its group's leaders and active members, and the
tasters booked on it. Every function answers in a constant number of queries, however many
meetings and people there are (the reminder scan asks about thousands at once).

Everyone these functions return may see the room and the link (members, leaders and booked
tasters); people who are no longer expected are told without them (see notify.py).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Q, Subquery

from groups.models import Leadership, Membership, MembershipStatus
from members.models import User
from sessions.meetings.models import AttendanceRole, Meeting, MeetingStatus
from sessions.tasters import queries as tasters


@dataclass(frozen=True)
class Attendee:
    person: User
    role: str  # an AttendanceRole
    # A cohort's block membership expects only the meetings of its days (groups.Membership).
    starts_on: date | None = None
    until: date | None = None

    def expects(self, meeting: Meeting) -> bool:
        if self.starts_on is None and self.until is None:
            return True
        return in_block(meeting, self.starts_on, self.until)


def in_block(meeting: Meeting, starts_on: date | None, until: date | None) -> bool:
    """Whether `meeting` falls on a day of a block (its day in the group's zone)."""
    day = meeting.local_starts_at.date()
    return (starts_on or day) <= day <= (until or day)


def people_of_groups(group_ids: Iterable[int]) -> dict[int, list[Attendee]]:
    """Each group's leaders and active members, leaders first, in two queries."""
    ids = list(set(group_ids))
    people: dict[int, dict[int, Attendee]] = defaultdict(dict)
    for ship in Leadership.objects.filter(group_id__in=ids).select_related("person"):
        people[ship.group_id][ship.person_id] = Attendee(ship.person, AttendanceRole.LEADER)
    members = Membership.objects.filter(group_id__in=ids, status=MembershipStatus.ACTIVE)
    for membership in members.select_related("person"):
        attendee = Attendee(
            membership.person, AttendanceRole.MEMBER, membership.starts_on, membership.until
        )
        people[membership.group_id].setdefault(membership.person_id, attendee)
    return {group_id: list(found.values()) for group_id, found in people.items()}


def people_by_meeting(meetings: Sequence[Meeting]) -> dict[int, list[Attendee]]:
    """Everyone expected at each meeting: leaders, active members, booked tasters."""
    by_group = people_of_groups(meeting.group_id for meeting in meetings)
    booked = tasters.booked_tasters_by_meeting([meeting.pk for meeting in meetings])
    answer: dict[int, list[Attendee]] = {}
    for meeting in meetings:
        attendees = [a for a in by_group.get(meeting.group_id, []) if a.expects(meeting)]
        seen = {attendee.person.pk for attendee in attendees}
        for person in booked.get(meeting.pk, []):
            if person.pk not in seen:
                attendees.append(Attendee(person, AttendanceRole.TASTER))
                seen.add(person.pk)
        answer[meeting.pk] = attendees
    return answer


def upcoming_meetings_of_group(group_id: int, *, now: datetime) -> list[Meeting]:
    """The group's scheduled meetings that have not started, soonest first."""
    return list(
        Meeting.objects.filter(
            group_id=group_id, status=MeetingStatus.SCHEDULED, starts_at__gt=now
        ).select_related("group")
    )


def meetings_in_feed(person, *, now: datetime, keep: timedelta) -> list[Meeting]:
    """A person's meetings as leader, member or booked taster for their calendar feed: scheduled
    ones that have not ended more than `keep` ago, and ones cancelled within `keep`. A cohort's
    block membership brings only the meetings on the block's days. One query."""
    led = Leadership.objects.filter(person=person)
    membership = Membership.objects.filter(
        person=person, status=MembershipStatus.ACTIVE, group_id=OuterRef("group_id")
    )
    booked = Q(pk__in=tasters.meeting_ids_booked_by(person))
    theirs = Q(group_id__in=led.values("group_id")) | Exists(membership) | booked
    cancelled_lately = Q(status=MeetingStatus.CANCELLED, updated_at__gt=now - keep)
    recent = Q(ends_at__gt=now - keep) & (Q(status=MeetingStatus.SCHEDULED) | cancelled_lately)
    # At most one active membership per person and group (a database constraint).
    meetings = (
        Meeting.objects.filter(theirs & recent)
        .annotate(
            # Leading the group or a taster seat brings the meeting whatever a block says.
            viewer_leads=Exists(led.filter(group_id=OuterRef("group_id"))),
            viewer_booked=Exists(
                tasters.meeting_ids_booked_by(person).filter(meeting_id=OuterRef("pk"))
            ),
            block_from=Subquery(membership.values("starts_on")[:1]),
            block_until=Subquery(membership.values("until")[:1]),
        )
        .select_related("group")
        .order_by("starts_at", "pk")
    )
    # The block's days are the meeting's days in its group's zone, which SQL does not know.
    return [
        meeting
        for meeting in meetings
        if meeting.viewer_leads
        or meeting.viewer_booked
        or in_block(meeting, meeting.block_from, meeting.block_until)
    ]
