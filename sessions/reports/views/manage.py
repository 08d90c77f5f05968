"""Running programmes in the site: staff list and create programmes and appoint or remove
their admins; a programme's admins edit its details and see who its admins are."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balint.errors import DomainError
from balint.views import show_refusal
from members.models import Programme, ProgrammeAdminInvitation
from members.programmes import (
    appoint_admin,
    create_programme,
    remove_admin,
    update_programme,
    withdraw_admin_invitation,
)
from sessions.programmes.access import access_programme, check_may_appoint, check_staff
from sessions.reports.programme_forms import AdminForm, NewProgrammeForm, ProgrammeForm

PER_PAGE = 25


@login_required
@require_GET
def all_programmes(request: HttpRequest) -> HttpResponse:
    """Every programme, for staff: its admins and open invitations counted, paginated."""
    check_staff(request.user)
    programmes = Programme.objects.annotate(
        admin_count=Count("admins", distinct=True),
        invited_count=Count(
            "admin_invitations",
            filter=Q(admin_invitations__accepted_at__isnull=True),
            distinct=True,
        ),
        cohort_count=Count("cohorts", distinct=True),
    ).order_by("name")
    page = Paginator(programmes, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reports/manage/list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def new_programme(request: HttpRequest) -> HttpResponse:
    check_staff(request.user)
    form = NewProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = create_programme(
                name=data["name"],
                slug=data["slug"],
                description=data["description"],
                by=request.user,
            )
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(
                request,
                f"The programme “{programme.name}” has been created. Now appoint its admins.",
            )
            return redirect("reports:programme_admins", slug=programme.slug)
    return render(request, "reports/manage/new.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's name and description: its admins and staff change them."""
    access = access_programme(request.user, slug)
    programme = access.programme
    initial = {"name": programme.name, "description": programme.description}
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_programme(
                programme=programme,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except DomainError as error:
            show_refusal(request, error, form=form, field="name")
        else:
            messages.success(request, "The programme's details have been saved.")
            return redirect("reports:dashboard", slug=slug)
    return render(request, "reports/manage/settings.html", {"programme": programme, "form": form})


def _admins_page(request: HttpRequest, access, form: AdminForm | None = None) -> HttpResponse:
    programme = access.programme
    context = {
        "programme": programme,
        "access": access,
        "admins": programme.admins.order_by("display_name", "email"),
        "invitations": programme.admin_invitations.filter(accepted_at__isnull=True),
        "form": form or AdminForm(),
    }
    return render(request, "reports/manage/admins.html", context)


@login_required
@require_GET
def admins(request: HttpRequest, slug: str) -> HttpResponse:
    """Who administers the programme: staff change it, its admins only see it."""
    return _admins_page(request, access_programme(request.user, slug))


@login_required
@require_POST
def add_admin(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_programme(request.user, slug)
    check_may_appoint(access)
    form = AdminForm(request.POST)
    if not form.is_valid():
        return _admins_page(request, access, form)
    try:
        result = appoint_admin(
            programme=access.programme, email=form.cleaned_data["email"], by=request.user
        )
    except DomainError as error:
        show_refusal(request, error, form=form, field="email")
        return _admins_page(request, access, form)
    if isinstance(result, ProgrammeAdminInvitation):
        messages.success(
            request, f"{result.email} has been invited to sign up, and becomes an admin then."
        )
    else:
        messages.success(request, f"{result} is now an admin of {access.programme.name}.")
    return redirect("reports:programme_admins", slug=slug)


@login_required
@require_POST
def remove(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    access = access_programme(request.user, slug)
    person = access.programme.admins.filter(pk=person_id).first()
    if person is None:
        raise Http404("No such admin.")
    check_may_appoint(access)
    try:
        remove_admin(programme=access.programme, person=person, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, f"{person} is no longer an admin of {access.programme.name}.")
    return redirect("reports:programme_admins", slug=slug)


@login_required
@require_POST
def withdraw(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    access = access_programme(request.user, slug)
    invitation = access.programme.admin_invitations.filter(
        pk=invitation_id, accepted_at__isnull=True
    ).first()
    if invitation is None:
        raise Http404("No such invitation.")
    check_may_appoint(access)
    try:
        withdraw_admin_invitation(invitation=invitation, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, f"The invitation to {invitation.email} has been withdrawn.")
    return redirect("reports:programme_admins", slug=slug)
