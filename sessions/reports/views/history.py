"""Importing a programme's past attendance from a CSV file: a preview with every problem line by
line, then one confirmation that saves all of it or nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sessions.programmes.access import access_programme
from sessions.programmes.history_import import COLUMNS, read_import, save_import
from sessions.reports.block_forms import ImportConfirmForm, ImportFileForm

MAX_ERRORS_SHOWN = 200


@login_required
@require_http_methods(["GET", "POST"])
def import_attendance(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_programme(request.user, slug)
    programme = access.programme
    preview, confirm = None, None
    form = ImportFileForm()
    if request.method == "POST" and "confirm" in request.POST:
        confirm = ImportConfirmForm(request.POST)
        if confirm.is_valid():
            text = confirm.cleaned_data["text"]
            preview = save_import(programme=programme, text=text, by=request.user)
            if preview.ok:
                messages.success(request, _saved(preview))
                return redirect("reports:dashboard", slug=slug)
    elif request.method == "POST":
        form = ImportFileForm(request.POST, request.FILES)
        if form.is_valid():
            text = form.cleaned_data["file"]
            preview = read_import(programme=programme, text=text)
            confirm = ImportConfirmForm(initial={"text": text}) if preview.ok else None
    context = {
        "programme": programme,
        "form": form,
        "preview": preview,
        "errors": preview.errors[:MAX_ERRORS_SHOWN] if preview else [],
        "more_errors": max(len(preview.errors) - MAX_ERRORS_SHOWN, 0) if preview else 0,
        "confirm": confirm,
        "columns": ",".join(COLUMNS),
    }
    return render(request, "reports/history_import.html", context)


def _saved(preview) -> str:
    return (
        f"Imported: {preview.new_meetings} meetings recorded afterwards, "
        f"{preview.new_marks} register lines added, {preview.changed_marks} changed, "
        f"{preview.unchanged_marks} already there."
    )
