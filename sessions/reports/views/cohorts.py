"""A programme's cohorts: create one, enrol trainees by pasting addresses, place them in groups,
record a trainee leaving, withdraw an unused invitation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from balint.errors import DomainError
from balint.page_cache import kept_page
from balint.views import show_refusal
from sessions.programmes.access import (
    ProgrammeAccess,
    access_cohort,
    access_enrolment,
    access_pending,
    access_programme,
)
from sessions.programmes.cohorts import (
    cancel_pending_enrolment,
    create_cohort,
    end_enrolment,
    enrol_by_email,
)
from sessions.programmes.models import Cohort
from sessions.programmes.placement import cohort_addresses, place_trainees
from sessions.reports.forms import CohortForm, EndEnrolmentForm, EnrolForm, PlaceForm, open_groups
from sessions.reports.joining import cohort_context
from sessions.reports.summary import ReportFilter, cohort_reports

MAX_LINE_MESSAGES = 20  # invalid lines reported one by one; beyond this, a count
ROW_ID = "person-id-placeholder"


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_programme(request.user, slug)
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cohort = create_cohort(
                programme=access.programme,
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                by=request.user,
                **form.requirement_fields(),
                **form.counting_fields(),
            )
        except DomainError as error:
            show_refusal(request, error, form=form, field="name")
        else:
            messages.success(request, f"The cohort “{cohort.name}” has been created.")
            return redirect("reports:cohort", slug=slug, pk=cohort.pk)
    context = {"programme": access.programme, "form": form}
    return render(request, "reports/cohort_form.html", context)


def _initial_day(cohort: Cohort):
    return min(max(timezone.localdate(), cohort.starts_on), cohort.ends_on)


def _page(request, access: ProgrammeAccess, cohort: Cohort, **forms) -> HttpResponse:
    """The cohort page, with any bound form that has errors shown in place."""
    reports = cohort_reports(programme=access.programme, filters=ReportFilter(cohort=cohort))
    addresses = cohort_addresses(cohort)
    report = reports[0]
    current = {e.person_id: e for e in cohort.enrolments.filter(left_on__isnull=True)}
    # The "left the cohort" form is the same on every row but for its ids: rendered once, its
    # ids filled in per row (rendered per row, it was most of the page's time).
    end_fields = render_to_string(
        "includes/form_fields.html",
        {
            "form": EndEnrolmentForm(
                auto_id=f"end-{ROW_ID}-%s", initial={"left_on": _initial_day(cohort)}
            )
        },
    )
    for row in report.trainees:
        row.enrolment = current.get(row.person.pk)
        if row.enrolment is not None:
            row.end_fields = mark_safe(end_fields.replace(ROW_ID, str(row.person.pk)))  # noqa: S308 (ids only)
    context = {
        "programme": access.programme,
        "cohort": cohort,
        "report": report,
        "pending": cohort.pending.filter(accepted_at__isnull=True),
        "enrol_form": forms.get("enrol_form")
        or EnrolForm(cohort=cohort, initial={"enrolled_on": _initial_day(cohort)}),
        "has_trainees": bool(addresses),
        "has_open_groups": open_groups(cohort.programme).exists(),
        **cohort_context(cohort, forms),
    }
    return render(request, "reports/cohort.html", context)


@login_required
@require_http_methods(["GET"])
@kept_page
def detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, cohort = access_cohort(request.user, slug, pk)
    return _page(request, access, cohort)


def _report_lines(request: HttpRequest, form: EnrolForm) -> None:
    for number, text, reason in form.invalid_lines[:MAX_LINE_MESSAGES]:
        messages.error(request, f"Line {number}: “{text}” {reason}")
    extra = len(form.invalid_lines) - MAX_LINE_MESSAGES
    if extra > 0:
        messages.error(request, f"And {extra} more lines that are not email addresses.")


@login_required
@require_POST
def enrol(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, cohort = access_cohort(request.user, slug, pk)
    form = EnrolForm(request.POST, cohort=cohort)
    if not form.is_valid():
        return _page(request, access, cohort, enrol_form=form)
    _report_lines(request, form)
    if form.cleaned_data["emails"]:
        try:
            report = enrol_by_email(
                cohort=cohort,
                emails=form.cleaned_data["emails"],
                enrolled_on=form.cleaned_data["enrolled_on"],
                by=request.user,
            )
        except DomainError as error:
            show_refusal(request, error)
        else:
            messages.success(request, report.summary())
            for reason in report.refused:
                messages.error(request, reason)
    return redirect("reports:cohort", slug=slug, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def place(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Placing trainees in a group, on a page of its own: its list of the programme's open
    groups can be a thousand long, which the cohort page, read every week, need not carry."""
    access, cohort = access_cohort(request.user, slug, pk)
    addresses = cohort_addresses(cohort)
    form = PlaceForm(request.POST or None, cohort=cohort, addresses=addresses)
    if not form.is_valid():
        context = {"programme": access.programme, "cohort": cohort, "place_form": form}
        status = 400 if form.is_bound else 200
        return render(request, "reports/cohort_place.html", context, status=status)
    group = form.cleaned_data["group"]
    try:
        report = place_trainees(
            cohort=cohort, group=group, emails=form.cleaned_data["trainees"], by=request.user
        )
    except DomainError as error:
        show_refusal(request, error)
        return redirect("reports:cohort", slug=slug, pk=pk)
    if report.placed:
        messages.success(request, f"Placed in {group.name}: {', '.join(report.placed)}.")
    if report.invited:
        invited = ", ".join(report.invited)
        messages.info(request, f"Invited to {group.name}, joining when they sign up: {invited}.")
    for label, reason in report.refused:
        messages.error(request, f"{label}: {reason}")
    return redirect("reports:cohort", slug=slug, pk=pk)


@login_required
@require_POST
def end(request: HttpRequest, slug: str, pk: int, enrolment_id: int) -> HttpResponse:
    enrolment = access_enrolment(request.user, slug, pk, enrolment_id)
    form = EndEnrolmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please give the last day as a date, e.g. 2026-10-31.")
        return redirect("reports:cohort", slug=slug, pk=pk)
    try:
        end_enrolment(enrolment=enrolment, left_on=form.cleaned_data["left_on"], by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, f"{enrolment.person} has left the cohort.")
    return redirect("reports:cohort", slug=slug, pk=pk)


@login_required
@require_POST
def cancel_pending(request: HttpRequest, slug: str, pk: int, pending_id: int) -> HttpResponse:
    pending = access_pending(request.user, slug, pk, pending_id)
    try:
        cancel_pending_enrolment(pending=pending, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, f"The invitation to {pending.email} has been withdrawn.")
    return redirect("reports:cohort", slug=slug, pk=pk)
