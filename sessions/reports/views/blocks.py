"""Blocks and history pages: place a cohort in a group for its block (with its weekly meetings)
in one step, add a block's meetings again, and enter a meeting that has already taken place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from balint.errors import DomainError
from balint.views import show_refusal
from groups.access import access_group
from sessions.meetings.history import add_past_meeting
from sessions.programmes.access import access_cohort
from sessions.programmes.blocks import BlockReport, add_block_meetings, place_cohort_for_block
from sessions.programmes.models import CohortPlacement
from sessions.reports.block_forms import BlockPlaceForm, PastMeetingForm

MAX_REFUSALS = 20


def _tell(request: HttpRequest, report: BlockReport) -> None:
    messages.success(request, report.summary())
    if report.not_signed_up:
        messages.info(
            request,
            f"{len(report.not_signed_up)} invited trainees have not signed up yet: place the "
            "cohort again once they have.",
        )
    for label, reason in report.refused[:MAX_REFUSALS]:
        messages.error(request, f"{label}: {reason}")


@login_required
@require_http_methods(["GET", "POST"])
def place_block(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, cohort = access_cohort(request.user, slug, pk)
    form = BlockPlaceForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            report = place_cohort_for_block(
                cohort=cohort,
                group=form.cleaned_data["group"],
                by=request.user,
                schedule=form.schedule(),
            )
        except DomainError as error:
            show_refusal(request, error, form=form, field="group")
        else:
            _tell(request, report)
            return redirect("reports:cohort_block", slug=slug, pk=pk)
    placements = CohortPlacement.objects.filter(cohort=cohort).select_related("group")
    context = {
        "programme": access.programme,
        "cohort": cohort,
        "form": form,
        "placements": placements,
    }
    return render(request, "reports/cohort_block.html", context)


@login_required
@require_POST
def block_meetings(request: HttpRequest, slug: str, pk: int, placement_id: int) -> HttpResponse:
    _, cohort = access_cohort(request.user, slug, pk)
    placement = (
        CohortPlacement.objects.filter(pk=placement_id, cohort=cohort)
        .select_related("group", "cohort")
        .first()
    )
    if placement is None:
        raise Http404("No such placement.")
    try:
        report = add_block_meetings(placement=placement, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        _tell(request, report)
    return redirect("reports:cohort_block", slug=slug, pk=pk)


def _access_history(user, group_slug: str):
    """The group whose history `user` enters: its leaders, its programme's admins and staff;
    404 for those who may not see it, 403 for its members."""
    access = access_group(user, group_slug)
    if not access.can_see_roster:
        raise Http404("No such group.")
    if not (access.can_manage or access.is_programme_admin):
        raise PermissionDenied("Only the group's leaders and its programme's admins can do this.")
    return access


@login_required
@require_http_methods(["GET", "POST"])
def past_meeting(request: HttpRequest, group_slug: str) -> HttpResponse:
    access = _access_history(request.user, group_slug)
    form = PastMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = add_past_meeting(
                group=access.group,
                by=request.user,
                day=data["day"],
                start=data["start"],
                duration_minutes=data["duration_minutes"],
            )
        except DomainError as error:
            show_refusal(request, error, form=form, field="day")
        else:
            messages.success(
                request, "The meeting has been recorded afterwards. Now fill in its register."
            )
            return redirect("meetings:register", pk=meeting.pk)
    context = {"group": access.group, "form": form}
    return render(request, "reports/past_meeting.html", context)
