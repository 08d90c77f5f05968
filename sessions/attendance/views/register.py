"""A meeting's attendance register: one form, one save, for everyone expected; and staff
reopening a locked register."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from balint.errors import DomainError
from balint.page_cache import kept_page
from balint.views import show_refusal
from sessions.attendance.forms import RegisterForm
from sessions.attendance.register import expected_people, register_closes_at, register_is_open
from sessions.attendance.roles import access_meeting_register
from sessions.attendance.services import record_register, reopen_register

EVERYONE_PRESENT = "everyone_present"


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
@kept_page
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
    if request.method == "POST" and EVERYONE_PRESENT in request.POST:
        # Without JavaScript, "Everyone present" comes here: nothing is saved yet.
        form = form.with_everyone_present(request.POST)
        messages.info(
            request,
            "Everyone not yet marked is now marked present. Change anyone who was late, absent "
            "or sent apologies, then save the register.",
        )
    elif request.method == "POST" and form.is_valid():
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
    closes_at = register_closes_at(meeting)
    context = {
        "meeting": meeting,
        "group": meeting.group,
        "form": form,
        "editable": editable,
        "not_started": now < meeting.starts_at,
        "closes_at": closes_at,
        "closed": now > closes_at,
        "reopened": meeting.register_reopened_until is not None and now <= closes_at,
        "can_reopen": request.user.is_staff and not meeting.is_cancelled and now > closes_at,
        "recorded": _recorded(expected),
    }
    return render(request, "meetings/register.html", context)


@login_required
@require_POST
def reopen(request, pk: int):
    """Staff let the leaders write a locked register again for a week."""
    access = access_meeting_register(request.user, pk)
    if not request.user.is_staff:
        raise PermissionDenied("Only site staff can reopen a register.")
    try:
        until = reopen_register(meeting=access.meeting, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        day = timezone.localtime(until).strftime("%-d %B %Y")
        messages.success(
            request, f"The register is open again: the leaders can change it until {day}."
        )
    return redirect("meetings:register", pk=pk)
