"""A programme's feedback results over a period, their exports (aggregated only), and editing
its questionnaires."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from balint.exports import stream_csv
from balint.page_cache import kept_page
from sessions.programmes.access import ProgrammeAccess, access_programme
from sessions.reports.export_files import export_filename
from sessions.reports.feedback_export import (
    HEADER,
    log_feedback_export,
    result_rows,
    results_xlsx,
)
from sessions.reports.feedback_forms import ResultsFilterForm, question_formset
from sessions.reports.feedback_models import Audience
from sessions.reports.feedback_results import programme_rounds, results_for
from sessions.reports.questionnaires import (
    current_version,
    questionnaire_for,
    save_questions,
    version_is_sent,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EDITABLE = {Audience.TRAINEES: "trainees", Audience.FACILITATORS: "facilitators"}


def _results(access: ProgrammeAccess, form: ResultsFilterForm):
    data = form.cleaned_data
    rounds = programme_rounds(access.programme, data["audience"], data["start"], data["end"])
    return results_for(rounds)


@login_required
@require_GET
@kept_page
def results(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's results over a period: response rate and each statement's share."""
    access = access_programme(request.user, slug)
    form = ResultsFilterForm(request.GET or {"audience": Audience.TRAINEES})
    valid = form.is_valid()
    context = {
        "programme": access.programme,
        "form": form,
        "results": _results(access, form) if valid else None,
        "query": request.GET.urlencode(),
        "audience_label": dict(Audience.choices).get(form.cleaned_data.get("audience"), ""),
        "editable": EDITABLE,
    }
    return render(request, "reports/programme_feedback.html", context)


def _export(request: HttpRequest, slug: str, file_format: str) -> HttpResponse:
    access = access_programme(request.user, slug)
    form = ResultsFilterForm(request.GET or {"audience": Audience.TRAINEES})
    if not form.is_valid():
        messages.error(request, "The period is not valid: please check it below.")
        url = reverse("reports:programme_feedback", args=[slug])
        return redirect(f"{url}?{request.GET.urlencode()}")
    data = form.cleaned_data
    label = f"{access.programme.name} ({data['audience']})"
    rows = result_rows(_results(access, form), label=label)
    filters = {
        "audience": data["audience"],
        "from": data["start"].isoformat() if data["start"] else "",
        "to": data["end"].isoformat() if data["end"] else "",
    }
    log_feedback_export(
        by=request.user,
        programme=access.programme,
        file_format=file_format,
        filters=filters,
        rows=len(rows),
    )
    name = export_filename(access.programme, "feedback", file_format)
    if file_format == "csv":
        response = StreamingHttpResponse(
            stream_csv(rows, header=HEADER), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    output = results_xlsx(rows, title="Feedback results")
    return FileResponse(output, as_attachment=True, filename=name, content_type=XLSX)


@login_required
@require_GET
def results_csv(request: HttpRequest, slug: str) -> HttpResponse:
    return _export(request, slug, "csv")


@login_required
@require_GET
def results_xlsx_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _export(request, slug, "xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def edit_questionnaire(request: HttpRequest, slug: str, audience: str) -> HttpResponse:
    """The programme's questionnaire for trainees or facilitators; an edit of questions that
    were sent makes a new version (earlier answers keep theirs)."""
    access = access_programme(request.user, slug)
    if audience not in EDITABLE:
        raise Http404("No such questionnaire.")
    questionnaire = questionnaire_for(audience=audience, programme=access.programme)
    version = current_version(questionnaire)
    formset = question_formset(request.POST or None, questions=version.questions)
    if request.method == "POST" and formset.is_valid():
        saved = save_questions(
            questionnaire=questionnaire, questions=formset.questions(), by=request.user
        )
        messages.success(request, f"Questionnaire saved (version {saved.number}).")
        return redirect("reports:feedback_questionnaire", slug=slug, audience=audience)
    context = {
        "programme": access.programme,
        "owner": access.programme,
        "questionnaire": questionnaire,
        "version": version,
        "sent": version_is_sent(version),
        "formset": formset,
        "back_url": reverse("reports:programme_feedback", args=[slug]),
    }
    return render(request, "reports/questionnaire_edit.html", context)
