"""Joining a cohort with the trainee's consent: the admin's self-enrolment link and the
requests it brings, the page the link opens, a person answering an invitation, and the cohort's
counting rule."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from balint.errors import DomainError
from balint.views import show_refusal
from sessions.programmes.access import access_cohort, access_link, access_request
from sessions.programmes.cohorts import set_counting_rule
from sessions.programmes.enrolment import (
    accept_invitation,
    decide_request,
    decline_invitation,
    enrol_with_link,
    invitations_for,
    issue_link,
    link_for_token,
    revoke_link,
)
from sessions.programmes.models import EnrolmentRequest
from sessions.reports.forms import CountingRuleForm
from sessions.reports.programme_forms import DecisionForm, LinkForm
from sessions.reports.views.cohorts import _page as _cohort_page


@login_required
@require_POST
def new_link(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Make the cohort's self-enrolment link (replacing any other) and show it, once."""
    access, cohort = access_cohort(request.user, slug, pk)
    form = LinkForm(request.POST, cohort=cohort)
    if not form.is_valid():
        return _cohort_page(request, access, cohort, link_form=form)
    try:
        link, token = issue_link(
            cohort=cohort,
            expires_on=form.cleaned_data["expires_on"],
            needs_approval=form.cleaned_data["needs_approval"],
            by=request.user,
        )
    except DomainError as error:
        show_refusal(request, error, form=form, field="expires_on")
        return _cohort_page(request, access, cohort, link_form=form)
    url = settings.SITE_URL + reverse("reports:enrol", args=[token])
    context = {"programme": access.programme, "cohort": cohort, "link": link, "url": url}
    response = render(request, "reports/joining/link_made.html", context)
    # The token exists only on this page: no cache may keep a copy.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def end_link(request: HttpRequest, slug: str, pk: int, link_id: int) -> HttpResponse:
    link = access_link(request.user, slug, pk, link_id)
    try:
        revoke_link(link=link, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, "The enrolment link has been turned off. It no longer works.")
    return redirect("reports:cohort", slug=slug, pk=pk)


@login_required
@require_POST
def decide(request: HttpRequest, slug: str, pk: int, request_id: int) -> HttpResponse:
    asked = access_request(request.user, slug, pk, request_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please choose Approve or Decline.")
        return redirect("reports:cohort", slug=slug, pk=pk)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        decide_request(request=asked, approve=approve, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        verb = "enrolled" if approve else "told no"
        messages.success(request, f"{asked.person} has been {verb}.")
    return redirect("reports:cohort", slug=slug, pk=pk)


@login_required
@require_POST
def counting_rule(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, cohort = access_cohort(request.user, slug, pk)
    form = CountingRuleForm(request.POST, auto_id="rule-%s")
    if not form.is_valid():
        return _cohort_page(request, access, cohort, rule_form=form)
    try:
        cohort = set_counting_rule(cohort=cohort, by=request.user, **form.counting_fields())
    except DomainError as error:
        show_refusal(request, error, form=form, field="apologies")
        return _cohort_page(request, access, cohort, rule_form=form)
    messages.success(request, f"Saved: {cohort.counting_rule}.")
    return redirect("reports:cohort", slug=slug, pk=pk)


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, token: str) -> HttpResponse:
    """The page a self-enrolment link opens: who runs the cohort and when, and a button to enrol
    (or ask to). A wrong, expired or revoked link is a plain 404 page."""
    link = link_for_token(token)
    if link is None:
        return render(request, "reports/joining/link_gone.html", status=404)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            result = enrol_with_link(link=link, person=request.user)
        except DomainError as error:
            show_refusal(request, error)
            return redirect(request.path)
        if isinstance(result, EnrolmentRequest):
            messages.success(request, "You have asked to join. The programme will decide soon.")
        else:
            messages.success(request, f"You are enrolled in {link.cohort.name}.")
        return redirect("reports:my_certificates")
    context = {"link": link, "cohort": link.cohort, "programme": link.cohort.programme}
    if request.user.is_authenticated:
        person = request.user
        context["enrolled"] = link.cohort.enrolments.filter(
            person=person, left_on__isnull=True
        ).exists()
        context["asked"] = link.cohort.requests.filter(
            person=person, decided_at__isnull=True
        ).exists()
    response = render(request, "reports/joining/enrol.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def answer_invitation(request: HttpRequest, pending_id: int, answer: str) -> HttpResponse:
    """Accept or decline an invitation to one of the person's own verified addresses (404 for
    anyone else's: they may not learn it exists)."""
    if not invitations_for(request.user).filter(pk=pending_id).exists():
        raise Http404("No such invitation.")
    try:
        if answer == "accept":
            enrolment = accept_invitation(person=request.user, pending_id=pending_id)
            messages.success(request, f"You are enrolled in {enrolment.cohort.name}.")
        else:
            decline_invitation(person=request.user, pending_id=pending_id)
            messages.success(request, "You have declined the invitation.")
    except DomainError as error:
        show_refusal(request, error)
    return redirect("reports:my_certificates")
