"""The roster's rows for its CSV download (streamed by balint.exports.stream_csv, which makes
every cell safe to open in Excel and LibreOffice)."""

import datetime
from collections.abc import Iterator

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from groups.models import BalintGroup, MembershipStatus

HEADER = ["Name", "Email", "Status", "Asked to join", "Joined", "Left", "Last changed by"]


def _day(moment: datetime.datetime | None, zone) -> str:
    return timezone.localtime(moment, zone).date().isoformat() if moment else ""


def roster_rows(group: BalintGroup, zone) -> Iterator[list[object]]:
    """Everyone who has been on the group's roster, current members first."""
    yield HEADER
    order = [
        MembershipStatus.ACTIVE,
        MembershipStatus.OFFERED,
        MembershipStatus.WAITLISTED,
        MembershipStatus.REQUESTED,
    ]
    rank = Case(
        *(When(status=status, then=Value(i)) for i, status in enumerate(order)),
        default=Value(len(order)),
        output_field=IntegerField(),
    )
    memberships = (
        group.memberships.select_related("person", "updated_by")
        .order_by(rank, "person__display_name", "requested_at")
        .iterator(chunk_size=500)
    )
    for m in memberships:
        yield [
            m.person.display_name,
            m.person.email,
            m.get_status_display(),
            _day(m.requested_at, zone),
            _day(m.joined_at, zone),
            m.ended_on.isoformat() if m.ended_on else "",
            m.updated_by.display_name if m.updated_by else "",
        ]
