"""The inviters' page for a group: invite by email, see each invitation's state, re-send, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from balint.errors import DomainError
from balint.views import show_refusal
from sessions.attendance.roles import access_invitation, access_inviting_group
from sessions.tasters import services
from sessions.tasters.forms import InviteForm
from sessions.tasters.models import TasterInvitation

PER_PAGE = 50


def _summary(results) -> str:
    sent = sum(result.sent for result in results)
    refused = len(results) - sent
    text = f"{sent} invitation{'s' * (sent != 1)} sent."
    if refused:
        text += f" {refused} address{'es' * (refused != 1)} not invited: see below."
    return text


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's taster invitations, newest first, and the form to invite more people."""
    access = access_inviting_group(request.user, slug)
    group = access.group
    form = InviteForm(request.POST if request.method == "POST" else None)
    results = None
    if request.method == "POST" and form.is_valid():
        try:
            results = services.invite_tasters(group=group, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(request, _summary(results))
            if all(result.sent for result in results):
                return redirect("tasters:invitations", slug=group.slug)
            # Some addresses were refused: show why, line by line, on this page.
            form = InviteForm()
    listed = (
        TasterInvitation.objects.filter(group=group)
        .select_related("booking__meeting", "inviter", "accepted_by")
        .order_by("-created_at", "-id")
    )
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    for invitation in page:
        invitation.group = group
        invitation.current_state = invitation.state(now)
    context = {"group": group, "access": access, "form": form, "results": results, "page": page}
    return render(request, "tasters/invitations.html", context)


@login_required
@require_POST
def resend(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    _, invitation = access_invitation(request.user, slug, invitation_id)
    try:
        services.resend_invitation(invitation=invitation, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(
            request, f"The invitation to {invitation.email} has been sent again with a new link."
        )
    return redirect("tasters:invitations", slug=slug)


@login_required
@require_POST
def revoke(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    _, invitation = access_invitation(request.user, slug, invitation_id)
    try:
        services.revoke_invitation(invitation=invitation, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, f"The invitation to {invitation.email} has been revoked.")
    return redirect("tasters:invitations", slug=slug)
