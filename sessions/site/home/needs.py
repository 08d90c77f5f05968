"""What needs the viewer now, by role: each source is one function from the viewer to a list of
`Need`s, in a fixed number of queries however much there is. The home shows them by section,
the urgent first.

Another part of the site that has something waiting for people adds a source to `SOURCES`
(the home is the top layer: it may import any of them).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, Min, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from groups.models import CURRENT_STATUSES, GroupStatus, Membership, MembershipStatus
from sessions.attendance.register import REGISTER_EDITABLE_FOR, register_closes_at
from sessions.meetings.models import AttendanceRecord, AttendanceStatus, Meeting, MeetingStatus
from sessions.reports.models import FeedbackInvitation, FeedbackKind
from sessions.site.home.people import Viewer
from sessions.tasters.models import BookingStatus, TasterBooking, TasterInvitation

YOU, LEADING, PROGRAMMES, STAFF = "you", "leading", "programmes", "staff"
SECTION_TITLES = {
    YOU: "For you",
    LEADING: "Groups you lead",
    PROGRAMMES: "Your programmes",
    STAFF: "Waiting for staff",
}
# What a role's section says when nothing waits in it (the person's own says nothing).
ALL_CLEAR = {
    LEADING: "No requests are waiting and every register is recorded.",
    PROGRAMMES: "No cohort starts or ends in the next two weeks.",
    STAFF: "Nothing waits for staff: no email has failed or is late, every group has a leader "
    "and every programme an admin.",
}
# A register that locks within this is flagged: after it locks only staff can change it.
REGISTER_LOCKS_SOON = timedelta(days=3)
OFFER_LAPSES_SOON = timedelta(days=2)
REGISTERS_SHOWN = 8
# A taster is asked whether they would like to join for this long after the meeting.
ASK_TO_JOIN_FOR = timedelta(days=60)


@dataclass(frozen=True)
class Need:
    section: str  # YOU, LEADING, PROGRAMMES or STAFF
    title: str
    detail: str = ""
    url: str = ""
    action: str = ""  # the link's words; with `title` for screen readers
    due: datetime | date | None = None  # shown in the viewer's time zone
    due_label: str = ""  # e.g. "Locks", "Lapses"
    warning: str = ""  # set when it is urgent, e.g. "Locks in 2 days"

    @property
    def urgent(self) -> bool:
        return bool(self.warning)

    @property
    def due_text(self) -> str:
        """`due` in words, a time in the viewer's zone (the one active for the request)."""
        if isinstance(self.due, datetime):
            return date_format(timezone.localtime(self.due), "l j F Y, H:i")
        return date_format(self.due, "l j F Y") if self.due else ""

    @property
    def due_iso(self) -> str:
        return self.due.isoformat() if self.due else ""


def time_left(delta: timedelta) -> str:
    """ "in 3 days", "in 5 hours", "within the hour": how soon something happens."""
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return "within the hour"
    if hours < 48:
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    return f"in {delta.days} days"


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "l j F")


# ------------------------------------------------------------------------------ for the person


def place_offers(viewer: Viewer) -> list[Need]:
    """Places offered from a waitlist, until the offer lapses (one query, only if offered)."""
    offered = [a.group.pk for a in viewer.groups if a.has_offer]
    if not offered:
        return []
    memberships = Membership.objects.filter(
        person=viewer.user, group_id__in=offered, status=MembershipStatus.OFFERED
    ).select_related("group")
    needs = []
    for membership in memberships:
        lapses = membership.offer_lapses_at
        soon = lapses is not None and lapses - viewer.now <= OFFER_LAPSES_SOON
        needs.append(
            Need(
                YOU,
                f"A place is offered to you in {membership.group.name}",
                detail="Accept it, or turn it down so that it goes to the next person waiting.",
                url=membership.group.get_absolute_url(),
                action="Accept or turn down",
                due=lapses,
                due_label="Lapses",
                warning=f"The offer lapses {time_left(lapses - viewer.now)}" if soon else "",
            )
        )
    return needs


def taster_invitations(viewer: Viewer) -> list[Need]:
    """Open invitations to taste a group, sent to the viewer's address (one query)."""
    mine = {access.group.pk for access in viewer.groups}
    invitations = (
        TasterInvitation.objects.filter(
            email__iexact=viewer.user.email,
            revoked_at__isnull=True,
            booking__isnull=True,
            expires_at__gt=viewer.now,
        )
        .exclude(group__status=GroupStatus.CLOSED)
        .exclude(
            Exists(
                TasterBooking.objects.filter(
                    group=OuterRef("group"), person=viewer.user, status=BookingStatus.BOOKED
                )
            )
        )
        .select_related("group", "inviter")
        .order_by("expires_at")
    )
    return [
        Need(
            YOU,
            f"You are invited to try a meeting of {invitation.group.name}",
            detail=f"{invitation.inviter} invited you." if invitation.inviter else "",
            url=invitation.group.get_absolute_url(),
            action="Choose a meeting",
            due=invitation.expires_at,
            due_label="Open until",
        )
        for invitation in invitations
        if invitation.group_id not in mine
    ]


def asks_after_tasters(viewer: Viewer) -> list[Need]:
    """Groups the viewer tasted recently and may now ask to join (one query)."""
    missed = AttendanceRecord.objects.filter(
        meeting=OuterRef("meeting"),
        person=viewer.user,
        status__in=[AttendanceStatus.ABSENT, AttendanceStatus.APOLOGIES],
    )
    current = Membership.objects.filter(
        group=OuterRef("group"), person=viewer.user, status__in=CURRENT_STATUSES
    )
    bookings = (
        TasterBooking.objects.filter(
            person=viewer.user,
            status__in=[BookingStatus.BOOKED, BookingStatus.ATTENDED],
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__ends_at__lte=viewer.now,
            meeting__ends_at__gt=viewer.now - ASK_TO_JOIN_FOR,
            group__accepting_members=True,
        )
        .exclude(group__status=GroupStatus.CLOSED)
        .exclude(Exists(missed))
        .exclude(Exists(current))
        .exclude(group_id__in=viewer.led_group_ids)
        .select_related("group")
        .order_by("-meeting__ends_at")
    )
    seen, needs = set(), []
    for booking in bookings:
        if booking.group_id in seen:
            continue
        seen.add(booking.group_id)
        needs.append(
            Need(
                YOU,
                f"You tried {booking.group.name}: would you like to join?",
                detail="If the group suits you, ask to join and the leaders will reply by email.",
                url=reverse("tasters:join", args=[booking.group.slug]),
                action="Ask to join",
            )
        )
    return needs


def feedback_to_give(viewer: Viewer) -> list[Need]:
    """Anonymous questionnaires the viewer was invited to and has not answered (one query). The
    link is in their email only (we keep its hash), so the home can only point to it."""
    invitations = FeedbackInvitation.objects.filter(
        person=viewer.user, receipt__isnull=True
    ).select_related("cohort", "group")
    needs = []
    for invitation in invitations:
        about = invitation.cohort if invitation.kind == FeedbackKind.BLOCK else invitation.group
        needs.append(
            Need(
                YOU,
                f"Anonymous feedback about {about}",
                detail="Use the link in the email we sent you: it is yours alone, and your "
                "answers are never linked to your name.",
            )
        )
    return needs


# ------------------------------------------------------------------------------- for leaders


def join_requests(viewer: Viewer) -> list[Need]:
    """Requests to join the viewer's groups, waiting for an answer (one query)."""
    names = {access.group.pk: access.group for access in viewer.led}
    if not names:
        return []
    rows = (
        Membership.objects.filter(group_id__in=list(names), status=MembershipStatus.REQUESTED)
        .values("group_id")
        .annotate(n=Count("pk"), since=Min("requested_at"))
        .order_by()
    )
    needs = []
    for row in sorted(rows, key=lambda row: row["since"]):
        group, n = names[row["group_id"]], row["n"]
        needs.append(
            Need(
                LEADING,
                f"{n} request{'s' if n != 1 else ''} to join {group.name}",
                detail="Approve or decline each: the person hears by email.",
                url=reverse("groups:roster", args=[group.slug]),
                action="Answer them",
                due=row["since"],
                due_label="Waiting since",
            )
        )
    return needs


def registers_to_record(viewer: Viewer) -> list[Need]:
    """Registers of the viewer's groups' meetings that have started and have no line yet, and
    may still be written: the soonest to lock first (one query)."""
    if not viewer.led_group_ids:
        return []
    meetings = (
        Meeting.objects.filter(
            group_id__in=viewer.led_group_ids,
            status=MeetingStatus.SCHEDULED,
            starts_at__lte=viewer.now,
            ends_at__gt=viewer.now - REGISTER_EDITABLE_FOR,
        )
        .exclude(Exists(AttendanceRecord.objects.filter(meeting=OuterRef("pk"))))
        .select_related("group")
        .order_by("ends_at")[:REGISTERS_SHOWN]
    )
    needs = []
    for meeting in meetings:
        locks = register_closes_at(meeting)
        left = locks - viewer.now
        needs.append(
            Need(
                LEADING,
                f"Register of {meeting.group.name}, {_day(meeting.starts_at)}",
                detail="Record who came. After it locks, only staff can change it.",
                url=reverse("meetings:register", args=[meeting.pk]),
                action="Record the register",
                due=locks,
                due_label="Locks",
                warning=f"Locks {time_left(left)}" if left <= REGISTER_LOCKS_SOON else "",
            )
        )
    return needs


Source = Callable[[Viewer], list[Need]]

SOURCES: list[Source] = [
    place_offers,
    taster_invitations,
    asks_after_tasters,
    feedback_to_give,
    join_requests,
    registers_to_record,
]
