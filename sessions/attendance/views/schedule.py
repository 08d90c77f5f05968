from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from balint.errors import DomainError
from balint.views import show_refusal
from groups.access import access_managed_group
from sessions.meetings.forms import ScheduleForm
from sessions.meetings.models import Schedule
from sessions.meetings.schedule import GENERATING_STATUSES, rhythm_in_words
from sessions.meetings.services import set_schedule


def _saved_message(result) -> str:
    parts = [
        f"{count} {label}"
        for count, label in [
            (result.added, "added"),
            (result.moved, "moved"),
            (result.cancelled, "cancelled"),
            (result.restored, "restored"),
        ]
        if count
    ]
    done = "; ".join(parts) if parts else "no meetings needed changing"
    return f"The schedule has been saved: {done}."


@login_required
@require_http_methods(["GET", "POST"])
def edit_schedule(request, slug: str):
    """The leader's schedule form: "Preview" shows the next dates, "Save" saves."""
    access = access_managed_group(request.user, slug)
    group = access.group
    schedule = Schedule.objects.filter(group=group).first()
    now = timezone.now()
    data = request.POST if request.method == "POST" else None
    form = ScheduleForm(
        data, initial=ScheduleForm.initial_from(schedule), time_zone=group.time_zone, now=now
    )
    if data is not None and form.is_valid() and "save" in request.POST:
        try:
            _, result = set_schedule(group=group, by=request.user, spec=form.spec, now=now)
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(request, _saved_message(result))
            if group.status not in GENERATING_STATUSES:
                messages.info(
                    request, "The group is paused: no meetings are planned until it is active."
                )
            return redirect("meetings:group_meetings", slug=group.slug)
    context = {
        "group": group,
        "form": form,
        "schedule": schedule,
        "rhythm": rhythm_in_words(schedule) if schedule else "",
        "preview": form.preview() if data is not None and form.is_valid() else [],
        "preview_rhythm": rhythm_in_words(form.spec) if form.spec else "",
    }
    return render(request, "meetings/schedule_form.html", context)
