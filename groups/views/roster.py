"""The leaders' roster page and its actions: approve, decline, promote, remove, add, export."""

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from balint.audit import services as audit
from balint.exports import stream_csv
from balint.page_cache import kept_page
from groups import services
from groups.access import GroupAccess, access_managed_group
from groups.csv_export import roster_rows
from groups.forms import AddMemberForm, DeclineForm, RemoveForm
from groups.models import CURRENT_STATUSES, Membership, MembershipStatus, PendingMembershipInvite
from groups.views.common import run

PAST_SHOWN = 50
ROW_ID = "membership-id-placeholder"


@require_GET
@login_required
@kept_page
def roster(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_managed_group(request.user, slug)
    return render(request, "groups/roster.html", roster_context(access))


def roster_context(access: GroupAccess, *, add_form: AddMemberForm | None = None) -> dict:
    group = access.group
    current = list(
        group.memberships.filter(status__in=CURRENT_STATUSES)
        .select_related("person")
        .order_by("requested_at", "pk")
    )
    by_status = {status: [m for m in current if m.status == status] for status in CURRENT_STATUSES}
    decline, remove = _row_form_fields(services.today_in(group))
    for membership in current:
        membership.decline_fields = decline(membership.pk)
        membership.remove_fields = remove(membership.pk)
    return {
        "group": group,
        "access": access,
        "requests": by_status[MembershipStatus.REQUESTED],
        "members": sorted(
            by_status[MembershipStatus.ACTIVE] + by_status[MembershipStatus.OFFERED],
            key=lambda m: (m.status != MembershipStatus.ACTIVE, m.person.display_name.lower()),
        ),
        "waitlist": sorted(
            by_status[MembershipStatus.WAITLISTED], key=lambda m: (m.waitlisted_at, m.pk)
        ),
        # The most held on any day from today: a cohort's block only counts for its days.
        "places_taken": services.places_taken(group),
        "past": group.memberships.exclude(status__in=CURRENT_STATUSES)
        .select_related("person", "updated_by")
        .order_by("-ended_at", "-pk")[:PAST_SHOWN],
        "past_shown": PAST_SHOWN,
        "invites": group.invites.filter(accepted_at__isnull=True).select_related("invited_by"),
        "add_form": add_form or AddMemberForm(),
        "offer_days": settings.WAITLIST_OFFER_DAYS,
    }


def _row_form_fields(today: date) -> tuple[Callable[[int], str], Callable[[int], str]]:
    """The fields of each row's decline and remove forms, as functions of the membership's id.

    The forms are the same on every row but for their ids, so each is rendered once and its ids
    filled in per row: rendered per row, they were most of a 50-person roster's time."""

    def rendered(form) -> Callable[[int], str]:
        html = render_to_string("includes/form_fields.html", {"form": form})
        return lambda pk: mark_safe(html.replace(ROW_ID, str(pk)))  # noqa: S308 (ids only)

    decline = DeclineForm(auto_id=f"decline-{ROW_ID}-%s")
    remove = RemoveForm(auto_id=f"remove-{ROW_ID}-%s", initial={"ended_on": today})
    return rendered(decline), rendered(remove)


def _membership_action(request, slug: str, membership_id: int, operation, success):
    """Run `operation(group)` on a membership of a group the user manages."""
    access = access_managed_group(request.user, slug)
    # A membership of another group: as if it did not exist.
    get_object_or_404(Membership.objects.only("pk"), pk=membership_id, group=access.group)
    return run(
        request,
        lambda: operation(access.group),
        success=success,
        then="groups:roster",
        slug=slug,
    )


@require_POST
@login_required
def approve(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    def success(m: Membership) -> str:
        if m.status == MembershipStatus.ACTIVE:
            return f"{m.person} is now a member of the group."
        return f"The group is full, so {m.person} is on the waitlist. They have been told by email."

    return _membership_action(
        request,
        slug,
        membership_id,
        lambda group: services.approve_request(
            group=group, membership_id=membership_id, by=request.user
        ),
        success,
    )


@require_POST
@login_required
def decline(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    form = DeclineForm(request.POST)
    if not form.is_valid():
        access_managed_group(request.user, slug)
        messages.error(request, f"Not declined: {' '.join(form.errors['message'])}")
        return redirect("groups:roster", slug=slug)
    return _membership_action(
        request,
        slug,
        membership_id,
        lambda group: services.decline_request(
            group=group,
            membership_id=membership_id,
            by=request.user,
            message=form.cleaned_data["message"],
        ),
        lambda m: f"You have declined {m.person}. They have been told by email.",
    )


@require_POST
@login_required
def promote(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    return _membership_action(
        request,
        slug,
        membership_id,
        lambda group: services.promote_from_waitlist(
            group=group, membership_id=membership_id, by=request.user
        ),
        lambda m: f"{m.person} is now a member of the group.",
    )


@require_POST
@login_required
def remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    form = RemoveForm(request.POST)
    if not form.is_valid():
        access_managed_group(request.user, slug)
        messages.error(request, "Not removed: enter their last day as a date, e.g. 31/03/2026.")
        return redirect("groups:roster", slug=slug)
    ended_on = form.cleaned_data["ended_on"]
    return _membership_action(
        request,
        slug,
        membership_id,
        lambda group: services.remove_member(
            group=group, membership_id=membership_id, by=request.user, ended_on=ended_on
        ),
        lambda m: f"{m.person} has left the group as from {date_format(ended_on)}.",
    )


@require_POST
@login_required
def add_member(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_managed_group(request.user, slug)
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        context = roster_context(access, add_form=form)
        return render(request, "groups/roster.html", context, status=400)

    def success(result: Membership | PendingMembershipInvite) -> str:
        if isinstance(result, PendingMembershipInvite):
            return (
                f"{result.email} has no account yet. We have emailed them an invitation to "
                "sign up; they join the group when they do."
            )
        return f"{result.person} is now a member of the group. They have been told by email."

    return run(
        request,
        lambda: services.add_member_by_email(
            group=access.group, email=form.cleaned_data["email"], by=request.user
        ),
        success=success,
        then="groups:roster",
        slug=slug,
    )


@require_POST
@login_required
def cancel_invite(request: HttpRequest, slug: str, invite_id: int) -> HttpResponse:
    access = access_managed_group(request.user, slug)
    get_object_or_404(PendingMembershipInvite.objects.only("pk"), pk=invite_id, group=access.group)
    return run(
        request,
        lambda: services.cancel_invite(group=access.group, invite_id=invite_id, by=request.user),
        success=lambda invite: f"The invitation to {invite.email} is withdrawn.",
        then="groups:roster",
        slug=slug,
    )


@require_GET
@login_required
def roster_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    access = access_managed_group(request.user, slug)
    audit.record(
        actor=request.user,
        area=audit.Area.EXPORTS,
        action="export.roster",
        summary="Downloaded the group's roster (CSV)",
        where=access.group,
    )
    zone = timezone.get_current_timezone()
    response = StreamingHttpResponse(
        stream_csv(roster_rows(access.group, zone)), content_type="text/csv; charset=utf-8"
    )
    filename = f"{access.group.slug}-roster-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
