"""One meeting's page, and a member's apologies."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from balint.errors import DomainError
from balint.page_cache import kept_page
from balint.views import show_refusal
from sessions.attendance.agreement import agreement_status
from sessions.attendance.forms import ApologyForm
from sessions.attendance.register import expected_people, register_is_open
from sessions.attendance.roles import access_meeting, access_meeting_as_attendee
from sessions.attendance.services import send_apologies, withdraw_apologies
from sessions.meetings.models import Apology


@require_GET
@kept_page
def detail(request, pk: int):
    """Date, time and place of a meeting; apologies for members; the apologies list for leaders."""
    access = access_meeting(request.user, pk)
    return render(request, "meetings/detail.html", _context(request, access, ApologyForm()))


def _context(request, access, apology_form: ApologyForm) -> dict:
    meeting = access.meeting
    now = timezone.now()
    expected = expected_people(meeting) if access.can_see_apologies else []
    apology = (
        Apology.objects.filter(meeting=meeting, person=request.user).first()
        if access.can_send_apologies
        else None
    )
    return {
        "meeting": meeting,
        "group": meeting.group,
        "access": access,
        "expected": expected,
        "apologies": [entry for entry in expected if entry.sent_apologies],
        "sent_apologies": apology is not None,
        "my_apology": apology,
        "apology_form": apology_form,
        "has_started": meeting.starts_at <= now,
        "changes": (
            list(meeting.changes.exclude(kind="added").select_related("by"))
            if access.can_see_cancel_reason
            else []
        ),
        "register_open": access.can_record_register
        and register_is_open(meeting, now=now, is_staff=request.user.is_staff),
        # Those who come accept the group's agreement before they see the room and the link.
        "agreement": (
            agreement_status(
                access.group_access, request.user, is_booked_taster=access.is_booked_taster
            )
            if access.can_see_private_details
            else None
        ),
        "can_add_to_calendar": access.can_see_private_details
        and not meeting.is_cancelled
        and meeting.ends_at > now,
    }


@login_required
@require_POST
def send(request, pk: int):
    access = access_meeting_as_attendee(request.user, pk)
    meeting = access.meeting
    form = ApologyForm(request.POST)
    if not form.is_valid():
        return render(request, "meetings/detail.html", _context(request, access, form))
    try:
        send_apologies(meeting=meeting, person=request.user, note=form.cleaned_data["note"])
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, "Your apologies have been sent to the group's leaders.")
    return redirect(meeting)


@login_required
@require_POST
def withdraw(request, pk: int):
    meeting = access_meeting_as_attendee(request.user, pk).meeting
    try:
        withdrawn = withdraw_apologies(meeting=meeting, person=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        if withdrawn:
            messages.success(request, "Your apologies have been withdrawn. See you there.")
        else:
            messages.info(request, "You had not sent apologies for this meeting.")
    return redirect(meeting)
