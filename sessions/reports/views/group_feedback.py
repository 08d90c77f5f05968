"""A group's own feedback rounds (for example yearly, or after moving online): its leaders open a
round for the members, remind those who have not answered, edit the group's questionnaire and
read the published results. Nobody else sees these pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balint.errors import DomainError
from balint.page_cache import kept_page
from balint.views import show_refusal
from groups.access import GroupAccess, access_group
from sessions.reports.feedback import close_round_now, open_group_round, send_reminders
from sessions.reports.feedback_forms import GroupRoundForm, question_formset
from sessions.reports.feedback_models import Audience, FeedbackRound
from sessions.reports.feedback_results import results_for
from sessions.reports.questionnaires import (
    current_version,
    questionnaire_for,
    save_questions,
    version_is_sent,
)
from sessions.reports.views.feedback import _reminded


def _leaders_only(user, group_slug: str) -> GroupAccess:
    """The group, for its leaders (and staff); 404 for everyone else, members included: a
    group's feedback is its leaders' to read."""
    access = access_group(user, group_slug)
    if not (access.is_leader or access.is_staff):
        raise Http404("No such page.")
    return access


def _rounds(group):
    return FeedbackRound.objects.filter(group=group, audience=Audience.MEMBERS)


def _page(request, access: GroupAccess, form: GroupRoundForm) -> HttpResponse:
    group = access.group
    rounds = list(_rounds(group).order_by("-opened_on", "-pk"))
    context = {
        "access": access,
        "group": group,
        "form": form,
        "results": results_for(_rounds(group)),
        "open_round": next((r for r in rounds if r.closed_at is None), None),
        "rounds": rounds,
    }
    return render(request, "reports/group_feedback.html", context)


@login_required
@require_GET
@kept_page
def page(request: HttpRequest, group_slug: str) -> HttpResponse:
    access = _leaders_only(request.user, group_slug)
    return _page(request, access, GroupRoundForm())


@login_required
@require_POST
def start(request: HttpRequest, group_slug: str) -> HttpResponse:
    access = _leaders_only(request.user, group_slug)
    form = GroupRoundForm(request.POST)
    if form.is_valid():
        try:
            _, invited = open_group_round(
                group=access.group, closes_on=form.cleaned_data["closes_on"], by=request.user
            )
        except DomainError as error:
            show_refusal(request, error, form=form, field="closes_on")
        else:
            who = "member was" if invited == 1 else "members were"
            messages.success(request, f"Feedback round opened: {invited} {who} invited.")
            return redirect("reports:group_feedback", group_slug=group_slug)
    return _page(request, access, form)


@login_required
@require_POST
def remind(request: HttpRequest, group_slug: str, round_id: int) -> HttpResponse:
    access = _leaders_only(request.user, group_slug)
    round_ = get_object_or_404(_rounds(access.group), pk=round_id)
    try:
        reminded = send_reminders(round_=round_, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _reminded(reminded))
    return redirect("reports:group_feedback", group_slug=group_slug)


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, group_slug: str, round_id: int) -> HttpResponse:
    """Close the group's round and publish its answers (GET asks to confirm)."""
    access = _leaders_only(request.user, group_slug)
    round_ = get_object_or_404(_rounds(access.group).select_related("group"), pk=round_id)
    if request.method == "GET":
        back = reverse("reports:group_feedback", args=[group_slug])
        return render(request, "reports/feedback_close.html", {"round": round_, "back_url": back})
    try:
        close_round_now(round_=round_, by=request.user)
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, "Closed: its answers are published.")
    return redirect("reports:group_feedback", group_slug=group_slug)


@login_required
@require_http_methods(["GET", "POST"])
def edit_questionnaire(request: HttpRequest, group_slug: str) -> HttpResponse:
    access = _leaders_only(request.user, group_slug)
    questionnaire = questionnaire_for(audience=Audience.MEMBERS, group=access.group)
    version = current_version(questionnaire)
    formset = question_formset(request.POST or None, questions=version.questions)
    if request.method == "POST" and formset.is_valid():
        saved = save_questions(
            questionnaire=questionnaire, questions=formset.questions(), by=request.user
        )
        messages.success(request, f"Questionnaire saved (version {saved.number}).")
        return redirect("reports:group_questionnaire", group_slug=group_slug)
    context = {
        "owner": access.group,
        "questionnaire": questionnaire,
        "version": version,
        "sent": version_is_sent(version),
        "formset": formset,
        "back_url": reverse("reports:group_feedback", args=[group_slug]),
    }
    return render(request, "reports/questionnaire_edit.html", context)
