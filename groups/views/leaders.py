"""On the settings page: a leader's role changed in one step, and who can find the group."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from groups import services
from groups.access import access_managed_group
from groups.models import Leadership
from groups.start_forms import LeaderRoleForm, ListingForm
from groups.views.common import run


@require_POST
@login_required
def change_role(request: HttpRequest, slug: str, leadership_id: int) -> HttpResponse:
    access = access_managed_group(request.user, slug)
    get_object_or_404(Leadership.objects.only("pk"), pk=leadership_id, group=access.group)
    form = LeaderRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose leader or co-leader.")
        return redirect("groups:settings", slug=slug)
    return run(
        request,
        lambda: services.change_leader_role(
            group=access.group,
            leadership_id=leadership_id,
            role=form.cleaned_data["role"],
            by=request.user,
        ),
        success=lambda ship: f"{ship.person} is now {ship.get_role_display().lower()}.",
        then="groups:settings",
        slug=slug,
    )


@require_POST
@login_required
def listing(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_managed_group(request.user, slug)
    form = ListingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose who can find the group.")
        return redirect("groups:settings", slug=slug)
    return run(
        request,
        lambda: services.set_listing(
            group=access.group, listing=form.cleaned_data["listing"], by=request.user
        ),
        success=lambda group: f"Saved. {group.get_listing_display()}.",
        then="groups:settings",
        slug=slug,
    )
