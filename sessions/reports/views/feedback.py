"""The anonymous questionnaire (reached by the emailed link) and the admins' results pages."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from balint.errors import DomainError
from balint.views import show_refusal
from sessions.programmes.access import access_cohort, access_programme
from sessions.reports.dashboard import programme_groups
from sessions.reports.feedback import (
    feedback_results,
    has_answered,
    open_invitation,
    response_rates,
    submit_feedback,
)
from sessions.reports.forms import FeedbackForm
from sessions.reports.models import MIN_RESPONSES_SHOWN


@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire; the link is the only key, so no sign-in is needed (or recorded)."""
    invitation = open_invitation(token)
    if invitation is None:
        raise Http404("This feedback link is not valid.")
    if has_answered(invitation):
        return render(request, "reports/feedback_done.html", {"already": True})
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submit_feedback(token=token, answers=form.cleaned_data)
        except DomainError as error:
            show_refusal(request, error)
        return redirect("reports:feedback_thanks")
    context = {"form": form, "invitation": invitation, "minimum": MIN_RESPONSES_SHOWN}
    return render(request, "reports/feedback_form.html", context)


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/feedback_done.html", {"already": False})


@login_required
@require_GET
def cohort_results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access, cohort = access_cohort(request.user, slug, pk)
    rate = response_rates(cohort_ids=[cohort.pk]).get(("block", cohort.pk))
    context = {
        "programme": access.programme,
        "title": cohort.name,
        "rate": rate,
        "results": feedback_results(cohort=cohort),
    }
    return render(request, "reports/feedback_results.html", context)


@login_required
@require_GET
def taster_results(request: HttpRequest, slug: str, group_slug: str) -> HttpResponse:
    access = access_programme(request.user, slug)
    group = get_object_or_404(programme_groups(access.programme), slug=group_slug)
    rate = response_rates(group_ids=[group.pk]).get(("taster", group.pk))
    context = {
        "programme": access.programme,
        "title": f"Taster sessions of {group.name}",
        "rate": rate,
        "results": feedback_results(group=group),
    }
    return render(request, "reports/feedback_results.html", context)
