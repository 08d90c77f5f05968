"""Starting a group: proposing one (anyone signed in) and the staff's queue of proposals, where
staff approve or decline them and choose who may start groups without approval."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balint.errors import DomainError
from balint.views import show_refusal
from groups.models import BalintGroup, GroupProposal
from groups.services import proposals as services
from groups.start_forms import AllowCreatorForm, DecideProposalForm, ProposalForm
from groups.start_models import ProposalState
from groups.views.common import run
from members.models import User

PAGE_SIZE = 20


def _staff_only(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise PermissionDenied("Only site staff can decide on proposed groups.")


@require_http_methods(["GET", "POST"])
@login_required
def propose(request: HttpRequest) -> HttpResponse:
    direct = services.may_start_directly(request.user)
    form = ProposalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        names = [n for n in form.fields if n not in {"co_leader_emails", "co_leader_role"}]
        try:
            result = services.propose_group(
                by=request.user,
                fields={name: form.cleaned_data[name] for name in names},
                co_leader_emails=form.cleaned_data["co_leader_emails"],
                co_leader_role=form.cleaned_data["co_leader_role"],
            )
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            if isinstance(result, BalintGroup):
                messages.success(request, f"{result} is created and you lead it.")
                return redirect("groups:settings", slug=result.slug)
            messages.success(
                request,
                f"Thank you: your group “{result.name}” is with the site staff. "
                "We will email you when they have looked at it.",
            )
            return redirect("groups:mine")
    status = 400 if form.is_bound else 200
    return render(request, "groups/propose.html", {"form": form, "direct": direct}, status=status)


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    pending = GroupProposal.objects.filter(state=ProposalState.PENDING).select_related("proposer")
    decided = (
        GroupProposal.objects.exclude(state=ProposalState.PENDING)
        .select_related("proposer", "decided_by", "group")
        .order_by("-decided_at", "-pk")
    )
    page = Paginator(decided, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "pending": pending,
        "decided_page": page,
        "decide_form": DecideProposalForm(),
        "allow_form": AllowCreatorForm(),
        "creators": User.objects.filter(may_create_groups=True).order_by("display_name"),
    }
    return render(request, "groups/proposals.html", context)


@require_POST
@login_required
def approve(request: HttpRequest, proposal_id: int) -> HttpResponse:
    _staff_only(request)
    return run(
        request,
        lambda: services.approve_proposal(proposal_id=proposal_id, by=request.user),
        success=lambda proposal: (
            f"{proposal.group} is created, and {proposal.proposer} leads it. "
            "They have been told by email."
        ),
        then="groups:proposals",
    )


@require_POST
@login_required
def decline(request: HttpRequest, proposal_id: int) -> HttpResponse:
    _staff_only(request)
    form = DecideProposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The note is too long: keep it under 1,000 characters.")
        return redirect("groups:proposals")
    return run(
        request,
        lambda: services.decline_proposal(
            proposal_id=proposal_id, by=request.user, note=form.cleaned_data["note"]
        ),
        success=lambda proposal: (
            f"The proposal “{proposal.name}” is declined. {proposal.proposer} has been told."
        ),
        then="groups:proposals",
    )


@require_POST
@login_required
def allow_creator(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    allowed = request.POST.get("allowed") != "false"
    form = AllowCreatorForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the email address of someone with an account.")
        return redirect("groups:proposals")
    return run(
        request,
        lambda: services.allow_group_creation(
            email=form.cleaned_data["email"], allowed=allowed, by=request.user
        ),
        success=lambda person: (
            f"{person} may now create groups directly."
            if allowed
            else f"{person}'s groups now wait for staff approval."
        ),
        then="groups:proposals",
    )
