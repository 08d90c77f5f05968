"""Managing a group: its settings and leaders (leaders and staff), and creating one (staff)."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from balint.errors import DomainError
from balint.views import show_refusal
from groups import services
from groups.access import GroupAccess, access_managed_group, may_create_groups
from groups.forms import AppointLeaderForm, GroupCreateForm, GroupSettingsForm
from groups.models import LeaderInvite, Leadership, Listing
from groups.views.common import run


def _settings_page(request, access: GroupAccess, *, form=None, appoint_form=None, status=200):
    group = access.group
    context = {
        "group": group,
        "access": access,
        "form": form or GroupSettingsForm(instance=group),
        "leaders": group.leaderships.select_related("person"),
        "appoint_form": appoint_form or AppointLeaderForm(),
        "listing_choices": Listing.choices,
    }
    return render(request, "groups/settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def group_settings(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_managed_group(request.user, slug)
    if request.method == "GET":
        return _settings_page(request, access)
    # A copy: validating a ModelForm writes into its instance, and the page header must keep
    # showing the saved group if the change is refused.
    form = GroupSettingsForm(request.POST, instance=copy.copy(access.group))
    if form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.update_group_settings(group=access.group, by=request.user, changes=changes)
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            moved = {"room", "meeting_link"} & set(form.changed_data)
            messages.success(
                request,
                "The group's settings are saved."
                + (" Members' calendars are being updated with the new place." if moved else ""),
            )
            return redirect("groups:settings", slug=slug)
    return _settings_page(request, access, form=form, status=400)


@require_POST
@login_required
def appoint_leader(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_managed_group(request.user, slug)
    form = AppointLeaderForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, access, appoint_form=form, status=400)
    return run(
        request,
        lambda: services.appoint_leader(
            group=access.group,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            by=request.user,
        ),
        success=_appointed_message,
        then="groups:settings",
        slug=slug,
    )


def _appointed_message(result: Leadership | LeaderInvite) -> str:
    if isinstance(result, LeaderInvite):
        return (
            f"{result.email} has no account yet, so we have invited them by email to sign up. "
            f"They become {result.get_role_display().lower()} when they do."
        )
    return (
        f"{result.person} is now {result.get_role_display().lower()} of the "
        "group. They have been told by email."
    )


@require_POST
@login_required
def remove_leader(request: HttpRequest, slug: str, leadership_id: int) -> HttpResponse:
    access = access_managed_group(request.user, slug)
    get_object_or_404(Leadership.objects.only("pk"), pk=leadership_id, group=access.group)
    try:
        ship = services.remove_leader(
            group=access.group, leadership_id=leadership_id, by=request.user
        )
    except DomainError as error:
        show_refusal(request, error)
        return redirect("groups:settings", slug=slug)
    if ship.person_id == request.user.pk:
        messages.success(request, f"You no longer lead {access.group}.")
        return redirect("groups:detail", slug=slug)
    messages.success(request, f"{ship.person} no longer leads the group.")
    return redirect("groups:settings", slug=slug)


@require_http_methods(["GET", "POST"])
@login_required
def create_group(request: HttpRequest) -> HttpResponse:
    if not may_create_groups(request.user):
        raise PermissionDenied("Only site staff can create groups.")
    form = GroupCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields if name != "leader_emails"}
        try:
            group = services.create_group(
                by=request.user, fields=fields, leader_emails=form.cleaned_data["leader_emails"]
            )
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(request, f"{group} is created and its leaders have been told.")
            return redirect("groups:roster", slug=group.slug)
    status = 400 if form.is_bound else 200
    return render(request, "groups/create.html", {"form": form}, status=status)
