"""The anonymous questionnaire (reached by the emailed link), and a cohort's and a group's
tasters' feedback pages for the programme's admins (send now, remind, results)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balint.errors import DomainError
from balint.page_cache import kept_page
from balint.views import show_refusal
from sessions.programmes.access import access_cohort, access_programme
from sessions.reports.dashboard import programme_groups
from sessions.reports.feedback import (
    close_round_now,
    has_answered,
    invite_cohort_feedback,
    open_invitation,
    send_reminders,
    submit_feedback,
)
from sessions.reports.feedback_models import Audience, FeedbackRound
from sessions.reports.feedback_results import results_for
from sessions.reports.models import MIN_RESPONSES_SHOWN
from sessions.reports.questionnaires import AnswerForm


@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire; the link is the only key, so no sign-in is needed (or recorded)."""
    invitation = open_invitation(token)
    if invitation is None:
        raise Http404("This feedback link is not valid.")
    if has_answered(invitation):
        return render(request, "reports/feedback_done.html", {"already": True})
    if invitation.round.closed_at is not None:
        return render(request, "reports/feedback_done.html", {"closed": True})
    form = AnswerForm(request.POST or None, version=invitation.round.version)
    if request.method == "POST" and form.is_valid():
        try:
            submit_feedback(token=token, answers=form.answer())
        except DomainError as error:
            show_refusal(request, error)
        return redirect("reports:feedback_thanks")
    context = {
        "form": form,
        "invitation": invitation,
        "round": invitation.round,
        "minimum": MIN_RESPONSES_SHOWN,
    }
    return render(request, "reports/feedback_form.html", context)


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/feedback_done.html", {"already": False})


def _cohort_rounds(cohort):
    return FeedbackRound.objects.filter(cohort=cohort)


@login_required
@require_GET
@kept_page
def cohort_results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A cohort's feedback: its trainees' and its facilitators' rounds, reported separately."""
    access, cohort = access_cohort(request.user, slug, pk)
    sections = [
        (audience, label, results_for(_cohort_rounds(cohort).filter(audience=audience)))
        for audience, label in (
            (Audience.TRAINEES, "Trainees"),
            (Audience.FACILITATORS, "Facilitators"),
        )
    ]
    context = {
        "programme": access.programme,
        "cohort": cohort,
        "title": cohort.name,
        "sections": sections,
        "sent": _cohort_rounds(cohort).exists(),
        "can_manage": access.can_manage,
    }
    return render(request, "reports/cohort_feedback.html", context)


@login_required
@require_POST
def send_now(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Send the block's feedback now, without waiting for the scan at its end."""
    _, cohort = access_cohort(request.user, slug, pk)
    try:
        invited = invite_cohort_feedback(cohort=cohort, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        if invited:
            who = "person was" if invited == 1 else "people were"
            messages.success(request, f"Feedback sent: {invited} {who} invited.")
        else:
            messages.info(request, "Everyone in this block has been invited already.")
    return redirect("reports:cohort_feedback", slug=slug, pk=cohort.pk)


@login_required
@require_POST
def remind(request: HttpRequest, slug: str, pk: int, audience: str) -> HttpResponse:
    """Remind those of the block who have not answered, without saying who they are."""
    _, cohort = access_cohort(request.user, slug, pk)
    round_ = get_object_or_404(_cohort_rounds(cohort), audience=audience)
    try:
        reminded = send_reminders(round_=round_, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _reminded(reminded))
    return redirect("reports:cohort_feedback", slug=slug, pk=cohort.pk)


@login_required
@require_http_methods(["GET", "POST"])
def close_now(request: HttpRequest, slug: str, pk: int, audience: str) -> HttpResponse:
    """Close the block's round before its closing day and publish its answers, all at once
    (GET asks to confirm)."""
    access, cohort = access_cohort(request.user, slug, pk)
    round_ = get_object_or_404(_cohort_rounds(cohort).select_related("cohort"), audience=audience)
    if request.method == "GET":
        back = reverse("reports:cohort_feedback", args=[slug, cohort.pk])
        context = {"programme": access.programme, "round": round_, "back_url": back}
        return render(request, "reports/feedback_close.html", context)
    try:
        close_round_now(round_=round_, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, "Closed: its answers are published.")
    return redirect("reports:cohort_feedback", slug=slug, pk=cohort.pk)


def _reminded(count: int) -> str:
    if not count:
        return "Nobody to remind: everyone has answered or has had a reminder."
    people = "person" if count == 1 else "people"
    return f"A reminder went to {count} {people} who had not answered."


@login_required
@require_GET
def taster_results(request: HttpRequest, slug: str, group_slug: str) -> HttpResponse:
    access = access_programme(request.user, slug)
    group = get_object_or_404(programme_groups(access.programme), slug=group_slug)
    results = results_for(FeedbackRound.objects.filter(group=group, audience=Audience.TASTERS))
    context = {
        "programme": access.programme,
        "title": f"Taster sessions of {group.name}",
        "results": results,
    }
    return render(request, "reports/feedback_results.html", context)
