"""A person's side: asking to join, taking up an offered place, leaving, and "My groups"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from balint.errors import DomainError
from balint.page_cache import kept_page
from balint.views import show_refusal
from groups import services
from groups.access import access_group
from groups.forms import JoinRequestForm
from groups.models import CURRENT_STATUSES, Leadership, Membership, MembershipStatus
from groups.views.common import groups_for_display, run
from groups.views.public import detail_context


@require_POST
@login_required
def request_to_join(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_group(request.user, slug, queryset=groups_for_display())
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        context = detail_context(request, access, join_form=form)
        return render(request, "groups/detail.html", context, status=400)
    try:
        membership = services.request_to_join(
            group=access.group, person=request.user, note=form.cleaned_data["note"]
        )
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(
            request,
            f"You have asked to join {membership.group}. The leaders will reply by email.",
        )
    return redirect("groups:detail", slug=slug)


@require_POST
@login_required
def accept_offer(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_group(request.user, slug)
    return run(
        request,
        lambda: services.accept_offer(group=access.group, person=request.user),
        success=lambda m: f"Welcome: you are now a member of {m.group}.",
        then="groups:detail",
        slug=slug,
    )


LEFT_MESSAGES = {
    MembershipStatus.REQUESTED: "You have withdrawn your request to join {group}.",
    MembershipStatus.WAITLISTED: "You have left the waitlist of {group}.",
    MembershipStatus.OFFERED: "You have turned down the place in {group}.",
    MembershipStatus.ACTIVE: "You have left {group}.",
}


@require_POST
@login_required
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_group(request.user, slug)
    status = access.membership_status
    return run(
        request,
        lambda: services.leave_group(group=access.group, person=request.user),
        success=lambda m: LEFT_MESSAGES.get(status, "You have left {group}.").format(group=m.group),
        then="groups:mine",
    )


@require_GET
@login_required
@kept_page
def mine(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(person=request.user)
        .select_related("group")
        .order_by("group__name", "-requested_at")
    )
    current = [m for m in memberships if m.status in CURRENT_STATUSES]
    past = [m for m in memberships if m.status not in CURRENT_STATUSES]
    led = (
        Leadership.objects.filter(person=request.user)
        .select_related("group")
        .prefetch_related(
            Prefetch(
                "group__memberships",
                queryset=Membership.objects.filter(status=MembershipStatus.REQUESTED),
                to_attr="open_requests",
            )
        )
        .order_by("group__name")
    )
    return render(request, "groups/mine.html", {"current": current, "past": past, "led": led})
