"""A signed-in person's own meetings and their own attendance record (with a CSV download)."""

from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from balint.exports import stream_csv
from balint.page_cache import kept_page
from groups.models import Leadership, Membership, MembershipStatus
from sessions.meetings.models import (
    ATTENDED,
    Apology,
    AttendanceRecord,
    AttendanceRole,
    Meeting,
)
from sessions.tasters.queries import my_bookings

UPCOMING_LIMIT = 20
PAST_PER_PAGE = 15
RECORDS_PER_PAGE = 50


def _my_groups(user) -> tuple[list, list]:
    led = list(Leadership.objects.filter(person=user).select_related("group"))
    member_of = list(
        Membership.objects.filter(person=user, status=MembershipStatus.ACTIVE).select_related(
            "group"
        )
    )
    return led, member_of


def _upcoming(user, group_ids: set[int], now) -> tuple[list[Meeting], int]:
    """The next meetings of the person's groups and those they hold a taster seat at (each
    with `my_booking`), soonest first; and how many taster seats there are."""
    upcoming = list(
        Meeting.objects.filter(group_id__in=group_ids, ends_at__gt=now)
        .select_related("group")
        .annotate(my_apologies=Exists(Apology.objects.filter(meeting=OuterRef("pk"), person=user)))
        .order_by("starts_at")[:UPCOMING_LIMIT]
    )
    bookings = my_bookings(user, now=now)
    for booking in bookings:
        booking.meeting.my_booking = booking
    upcoming = sorted(
        [*upcoming, *(booking.meeting for booking in bookings)], key=lambda m: m.starts_at
    )
    return upcoming, len(bookings)


@login_required
@require_GET
@kept_page
def my_meetings(request):
    """Upcoming meetings (of the person's groups, and their taster seats) and past ones, and
    the groups they lead."""
    user, now = request.user, timezone.now()
    led, member_of = _my_groups(user)
    led_ids = {leadership.group_id for leadership in led}
    group_ids = led_ids | {membership.group_id for membership in member_of}
    upcoming, taster_seats = _upcoming(user, group_ids, now)
    # The meetings in the person's register lines, as a list: with a subquery in the OR,
    # PostgreSQL scans every meeting; with a list it combines two index scans.
    attended = AttendanceRecord.objects.filter(person=user).values_list("meeting_id", flat=True)
    past = (
        Meeting.objects.filter(
            Q(group_id__in=group_ids) | Q(pk__in=list(attended)), ends_at__lte=now
        )
        .select_related("group")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=AttendanceRecord.objects.filter(person=user),
                to_attr="my_records",
            )
        )
        .order_by("-starts_at")
    )
    past_page = Paginator(past, PAST_PER_PAGE).get_page(request.GET.get("page"))
    for meeting in [*upcoming, *past_page]:
        meeting.i_lead = meeting.group_id in led_ids
        meeting.my_record = meeting.my_records[0] if getattr(meeting, "my_records", None) else None
    context = {
        "led": led,
        "member_of": member_of,
        "upcoming": upcoming,
        "taster_seats": taster_seats,
        "past_page": past_page,
        "has_feed": bool(user.calendar_token_hash),
    }
    return render(request, "meetings/mine.html", context)


def _records(user):
    return (
        AttendanceRecord.objects.filter(person=user)
        .select_related("meeting__group")
        .order_by("-meeting__starts_at")
    )


def record_totals(user) -> dict:
    """Meetings attended, cases presented and meetings led, across all groups."""
    attended = Q(status__in=ATTENDED)
    return AttendanceRecord.objects.filter(person=user).aggregate(
        attended=Count("pk", filter=attended),
        cases=Count("pk", filter=attended & Q(presented_case=True)),
        led=Count("pk", filter=attended & Q(role=AttendanceRole.LEADER)),
    )


@login_required
@require_GET
@kept_page
def my_record(request):
    totals_by_group = (
        AttendanceRecord.objects.filter(person=request.user)
        .values("meeting__group__name")
        .annotate(
            attended=Count("pk", filter=Q(status__in=ATTENDED)),
            cases=Count("pk", filter=Q(status__in=ATTENDED, presented_case=True)),
            led=Count("pk", filter=Q(status__in=ATTENDED, role=AttendanceRole.LEADER)),
        )
        .order_by("meeting__group__name")
    )
    page = Paginator(_records(request.user), RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"totals": record_totals(request.user), "by_group": totals_by_group, "page": page}
    return render(request, "meetings/record.html", context)


CSV_HEADER = [
    "Date",
    "Start",
    "End",
    "Time zone",
    "Group",
    "Role",
    "Attendance",
    "Presented a case",
]


def _csv_rows(user) -> Iterator[list[str]]:
    yield CSV_HEADER
    for record in _records(user).iterator(chunk_size=500):
        meeting = record.meeting
        start, end = meeting.local_starts_at, meeting.local_ends_at
        yield [
            f"{start:%Y-%m-%d}",
            f"{start:%H:%M}",
            f"{end:%H:%M}",
            meeting.group.time_zone,
            meeting.group.name,
            record.get_role_display(),
            record.get_status_display(),
            "Yes" if record.presented_case else "No",
        ]


@login_required
@require_GET
def my_record_csv(request):
    """The person's attendance record as CSV (UTF-8 with a BOM), streamed row by row."""
    response = StreamingHttpResponse(
        stream_csv(_csv_rows(request.user)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="balint-record-{stamp}.csv"'
    return response
