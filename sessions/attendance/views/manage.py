"""The leaders' pages for a group's meetings: the list, cancel, reinstate, move, add an extra
meeting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from balint.errors import DomainError
from balint.page_cache import kept_page
from balint.views import show_refusal
from groups.access import access_managed_group
from sessions.attendance.roles import access_managed_meeting
from sessions.meetings.forms import CancelForm, MeetingTimeForm
from sessions.meetings.models import AttendanceRecord, Meeting, Schedule
from sessions.meetings.schedule import rhythm_in_words
from sessions.meetings.services import (
    add_extra_meeting,
    cancel_meeting,
    move_meeting,
    reinstate_meeting,
)
from sessions.tasters.models import BookingStatus, CancelledBecause, TasterBooking

PAST_PER_PAGE = 10


def _with_counts(meetings):
    return meetings.annotate(
        apologies_count=Count("apologies", distinct=True),
        has_register=Exists(AttendanceRecord.objects.filter(meeting=OuterRef("pk"))),
    )


@login_required
@require_http_methods(["GET"])
@kept_page
def group_meetings(request, slug: str):
    """A group's meetings for its leaders: upcoming ones with their changes, then past ones."""
    group = access_managed_group(request.user, slug).group
    now = timezone.now()
    meetings = _with_counts(Meeting.objects.filter(group=group))
    upcoming = list(meetings.filter(ends_at__gt=now).order_by("starts_at"))
    past = Paginator(meetings.filter(ends_at__lte=now).order_by("-starts_at"), PAST_PER_PAGE)
    past_page = past.get_page(request.GET.get("page"))
    for meeting in [*upcoming, *past_page]:
        meeting.group = group
    schedule = Schedule.objects.filter(group=group).first()
    context = {
        "group": group,
        "schedule": schedule,
        "rhythm": rhythm_in_words(schedule) if schedule else "",
        "upcoming": upcoming,
        "past_page": past_page,
        "now": now,
    }
    return render(request, "meetings/group_meetings.html", context)


def _time_initial(meeting: Meeting) -> dict:
    start = meeting.local_starts_at
    return {
        "day": start.date(),
        "start": start.time().replace(second=0, microsecond=0),
        "duration_minutes": meeting.duration_minutes,
        "place": meeting.place,
        "link": meeting.link,
    }


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, pk: int):
    meeting = access_managed_meeting(request.user, pk).meeting
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cancel_meeting(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(request, "The meeting has been cancelled. Members will see why.")
            return redirect("meetings:group_meetings", slug=meeting.group.slug)
    return render(request, "meetings/cancel.html", {"meeting": meeting, "form": form})


def _tasters_lost(meeting: Meeting) -> int:
    """How many people's taster bookings ended with the meeting's cancellation and are still
    cancelled."""
    return (
        TasterBooking.objects.filter(
            meeting=meeting,
            status=BookingStatus.CANCELLED,
            cancelled_because=CancelledBecause.MEETING,
        )
        .values("person_id")
        .distinct()
        .count()
    )


@login_required
@require_http_methods(["GET", "POST"])
def reinstate(request, pk: int):
    """Put a cancelled meeting back on (GET asks first, saying what happens to tasters)."""
    meeting = access_managed_meeting(request.user, pk).meeting
    if request.method == "POST":
        try:
            reinstate_meeting(meeting=meeting, by=request.user)
        except DomainError as error:
            show_refusal(request, error)
        else:
            booked = TasterBooking.objects.filter(meeting=meeting, status=BookingStatus.BOOKED)
            restored, lost = booked.count(), _tasters_lost(meeting)
            text = "The meeting is on again and everyone's calendar has been updated."
            if restored:
                have = "s have" if restored != 1 else " has"
                text += f" {restored} taster{have} their seat back."
            if lost:
                text += (
                    f" {lost} taster{'s' if lost != 1 else ''} who booked another meeting or "
                    "joined the group since did not get a seat back; they can book again."
                )
            messages.success(request, text)
        return redirect(meeting)
    context = {
        "meeting": meeting,
        "tasters_lost": _tasters_lost(meeting),
        "has_started": meeting.starts_at <= timezone.now(),
    }
    return render(request, "meetings/reinstate.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def move(request, pk: int):
    meeting = access_managed_meeting(request.user, pk).meeting
    form = MeetingTimeForm(
        request.POST if request.method == "POST" else None,
        initial=_time_initial(meeting),
        time_zone=meeting.group.time_zone,
    )
    if request.method == "POST" and form.is_valid():
        try:
            move_meeting(meeting=meeting, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(request, "The meeting has been changed.")
            return redirect("meetings:group_meetings", slug=meeting.group.slug)
    return render(request, "meetings/move.html", {"meeting": meeting, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def add_extra(request, slug: str):
    group = access_managed_group(request.user, slug).group
    schedule = Schedule.objects.filter(group=group).first()
    initial = {"duration_minutes": schedule.duration_minutes if schedule else 90}
    if schedule:
        initial["start"] = schedule.start_time
    form = MeetingTimeForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        time_zone=group.time_zone,
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = add_extra_meeting(group=group, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(request, "The extra meeting has been added.")
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/add_extra.html", {"group": group, "form": form})
