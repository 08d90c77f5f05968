"""Certificates of attendance: a trainee's own, and a programme admin's for their trainees."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from balint.audit import services as audit
from balint.page_cache import kept_page
from sessions.programmes.access import access_own_cohort, access_programme, access_trainee
from sessions.programmes.enrolment import invitations_for
from sessions.programmes.models import EnrolmentRequest
from sessions.reports.certificates import (
    Certificate,
    cohort_certificate,
    range_certificate,
    render_pdf,
)
from sessions.reports.forms import CertificateRangeForm
from sessions.reports.summary import own_rows


def _pdf(certificate: Certificate) -> HttpResponse:
    response = HttpResponse(render_pdf(certificate), content_type="application/pdf")
    name = slugify(certificate.person) or "certificate"
    filename = f"certificate-{name}-{certificate.start:%Y-%m-%d}-{certificate.end:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _mine(request: HttpRequest, form: CertificateRangeForm) -> HttpResponse:
    """The person's own programmes: invitations to answer, requests waiting, and each cohort
    with their attendance against its requirement (the dashboard's rule) and certificate."""
    person = request.user
    context = {
        "rows": own_rows(person=person),
        "invitations": invitations_for(person),
        "requests": EnrolmentRequest.objects.filter(person=person, decided_at__isnull=True)
        .select_related("cohort__programme")
        .order_by("created_at"),
        "form": form,
    }
    return render(request, "reports/my_certificates.html", context)


@login_required
@require_GET
@kept_page
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's cohorts, each with its certificate, and a date-range form."""
    return _mine(request, CertificateRangeForm())


@login_required
@require_GET
def own_cohort(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = access_own_cohort(request.user, cohort_id)
    return _pdf(cohort_certificate(cohort=cohort, person=request.user))


@login_required
@require_GET
def own_range(request: HttpRequest) -> HttpResponse:
    form = CertificateRangeForm(request.GET)
    if not form.is_valid():
        return _mine(request, form)
    data = form.cleaned_data
    return _pdf(range_certificate(person=request.user, start=data["start"], end=data["end"]))


@login_required
@require_GET
def trainee(request: HttpRequest, slug: str, pk: int, person_id: int) -> HttpResponse:
    """A trainee's certificate for the cohort, or for a date range in the programme's groups
    when `start` and `end` are given."""
    cohort, person = access_trainee(request.user, slug, pk, person_id)
    audit.record(
        actor=request.user,
        area=audit.Area.EXPORTS,
        action="export.certificate",
        summary=f"Downloaded {person}'s attendance certificate (PDF)",
        where=cohort.programme,
        target=person,
    )
    if "start" in request.GET or "end" in request.GET:
        form = CertificateRangeForm(request.GET)
        if not form.is_valid():
            return HttpResponse(
                "Please give the start and end as dates (YYYY-MM-DD), the end after the start.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        programme = access_programme(request.user, slug).programme
        data = form.cleaned_data
        return _pdf(
            range_certificate(
                person=person, start=data["start"], end=data["end"], programme=programme
            )
        )
    return _pdf(cohort_certificate(cohort=cohort, person=person))
