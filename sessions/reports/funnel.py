"""The taster outreach funnel: whether tasters bring people in, for a programme and per group.

    invited → opened → booked → attended → asked to join → joined

- invited: taster invitations emailed (revoked ones too: they were sent);
- opened: of those, the ones whose link was opened (`TasterInvitation.opened_at`, set when the
  link is first followed);
- booked: people who booked a taster seat in the group (through an invitation or not; a booking
  the group cancelled by cancelling its meeting does not count);
- attended: of those, people the register marked present or late as tasters;
- asked to join: tasters who then asked to join the group (or were added) after their first
  taster booking;
- joined: of those, people who became members.

Everything is counted in five queries whatever the number of groups, invitations or tasters.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from groups.models import BalintGroup, Membership, MembershipStatus
from sessions.tasters.models import BookingStatus, CancelledBecause, TasterBooking, TasterInvitation

STAGES = ["Invited", "Opened the link", "Booked a seat", "Attended", "Asked to join", "Joined"]
# Bar chart geometry: narrow enough to stay legible on a 390 px phone (the SVG scales down).
WIDTH, ROW, BAR, LABEL = 360, 46, 18, 20
INK, MUTED, ACCENT, TRACK = "#1d2b2a", "#5b6b69", "#1f5f5b", "#e7eeec"
NOT_ASKED = [MembershipStatus.DECLINED]
GEOMETRY = {
    "width": WIDTH,
    "bar": BAR,
    "ink": INK,
    "muted": MUTED,
    "accent": ACCENT,
    "track": TRACK,
}


@dataclass
class Funnel:
    group: BalintGroup | None
    counts: list[int] = field(default_factory=lambda: [0] * len(STAGES))
    invited_bookings: int = 0  # bookings that came through an invitation

    @property
    def rows(self) -> list[tuple[str, int, str]]:
        """Each stage with its count and its share of the stage before, in words."""
        rows = []
        for i, (stage, count) in enumerate(zip(STAGES, self.counts, strict=True)):
            before = self.counts[i - 1] if i else None
            share = f"{round(100 * count / before)}% of the stage before" if before else ""
            rows.append((stage, count, share))
        return rows

    @property
    def is_empty(self) -> bool:
        return not any(self.counts)

    def bars(self) -> list[dict]:
        top = max([*self.counts, 1])
        return [
            {
                "label": stage,
                "value": count,
                "label_y": i * ROW + 14,
                "bar_y": i * ROW + LABEL,
                "width": round((WIDTH - 2) * count / top, 1),
            }
            for i, (stage, count) in enumerate(zip(STAGES, self.counts, strict=True))
        ]

    @property
    def height(self) -> int:
        return len(STAGES) * ROW


def funnels(groups: list[BalintGroup]) -> tuple[Funnel, list[Funnel]]:
    """The funnel of all these groups together, and one per group (in the order given)."""
    per_group = {group.pk: Funnel(group) for group in groups}
    ids = list(per_group)
    _count_invitations(ids, per_group)
    taken_up = set(
        TasterInvitation.objects.filter(group_id__in=ids, accepted_by__isnull=False).values_list(
            "group_id", "accepted_by_id"
        )
    )
    first_booking = _count_bookings(ids, per_group, taken_up)
    _count_joining(ids, per_group, first_booking)
    total = Funnel(None)
    for funnel in per_group.values():
        total.counts = [a + b for a, b in zip(total.counts, funnel.counts, strict=True)]
        total.invited_bookings += funnel.invited_bookings
    return total, list(per_group.values())


def _count_invitations(ids: list[int], per_group: dict[int, Funnel]) -> None:
    rows = (
        TasterInvitation.objects.filter(group_id__in=ids, sent_at__isnull=False)
        .values("group_id")
        .annotate(sent=Count("pk"), opened=Count("pk", filter=Q(opened_at__isnull=False)))
        .order_by()
    )
    for row in rows:
        per_group[row["group_id"]].counts[0] = row["sent"]
        per_group[row["group_id"]].counts[1] = row["opened"]


def _count_bookings(ids: list[int], per_group: dict[int, Funnel], taken_up: set) -> dict:
    """Booked and attended, per person once; returns each taster's first booking time. A
    booking came through an invitation if it names one or the person took one up."""
    bookings = (
        TasterBooking.objects.filter(group_id__in=ids)
        .exclude(cancelled_because=CancelledBecause.MEETING)
        .values_list("group_id", "person_id", "status", "booked_at", "invitation_id")
    )
    first: dict[tuple[int, int], object] = {}
    attended, invited = set(), set()
    for group_id, person_id, status, booked_at, invitation_id in bookings:
        key = (group_id, person_id)
        first[key] = min(first.get(key, booked_at), booked_at)
        if status == BookingStatus.ATTENDED:
            attended.add(key)
        if invitation_id is not None or key in taken_up:
            invited.add(key)
    for (group_id, _), _ in first.items():
        per_group[group_id].counts[2] += 1
    for group_id, _ in attended:
        per_group[group_id].counts[3] += 1
    for group_id, _ in invited:
        per_group[group_id].invited_bookings += 1
    return first


def _count_joining(ids: list[int], per_group: dict[int, Funnel], first_booking: dict) -> None:
    if not first_booking:
        return
    people = {person_id for _, person_id in first_booking}
    memberships = (
        Membership.objects.filter(group_id__in=ids, person_id__in=people)
        .exclude(status__in=NOT_ASKED)
        .values_list("group_id", "person_id", "requested_at", "joined_at")
    )
    asked, joined = set(), set()
    for group_id, person_id, requested_at, joined_at in memberships:
        booked_at = first_booking.get((group_id, person_id))
        if booked_at is None or requested_at < booked_at:
            continue  # a member before they tasted: not brought in by the taster
        asked.add((group_id, person_id))
        if joined_at is not None:
            joined.add((group_id, person_id))
    for group_id, _ in asked:
        per_group[group_id].counts[4] += 1
    for group_id, _ in joined:
        per_group[group_id].counts[5] += 1
