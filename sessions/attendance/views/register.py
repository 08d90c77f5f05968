"""A meeting's attendance register: one form, one save, for everyone expected."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from balint.errors import DomainError
from balint.views import show_refusal
from sessions.attendance.forms import RegisterForm
from sessions.attendance.register import expected_people, register_closes_at, register_is_open
from sessions.attendance.roles import access_meeting_register
from sessions.attendance.services import record_register


def _recorded(expected) -> dict:
    """Who first wrote the register and who last changed it, and when."""
    records = [entry.record for entry in expected if entry.record is not None]
    if not records:
        return {}
    first = min(records, key=lambda record: record.recorded_at)
    last = max(records, key=lambda record: record.recorded_at)
    return {"first": first, "last": last if last.recorded_at != first.recorded_at else None}


@login_required
@require_http_methods(["GET", "POST"])
def register(request, pk: int):
    access = access_meeting_register(request.user, pk)
    meeting = access.meeting
    now = timezone.now()
    editable = access.can_record_register and register_is_open(
        meeting, now=now, is_staff=request.user.is_staff
    )
    if request.method == "POST" and not editable:
        raise PermissionDenied("This register cannot be changed now.")
    expected = expected_people(meeting)
    form = RegisterForm(request.POST if request.method == "POST" else None, expected=expected)
    if request.method == "POST" and form.is_valid():
        try:
            changed = record_register(meeting=meeting, by=request.user, marks=form.marks(), now=now)
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(
                request,
                "The register has been saved."
                if changed
                else "The register was already up to date.",
            )
            return redirect("meetings:register", pk=meeting.pk)
    context = {
        "meeting": meeting,
        "group": meeting.group,
        "form": form,
        "editable": editable,
        "not_started": now < meeting.starts_at,
        "closes_at": register_closes_at(meeting),
        "closed": now > register_closes_at(meeting),
        "recorded": _recorded(expected),
    }
    return render(request, "meetings/register.html", context)
