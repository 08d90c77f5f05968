"""Attendance and trainee exports, as CSV (streamed) and XLSX; every one is logged."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from balint.exports import stream_csv
from sessions.programmes.access import ProgrammeAccess, access_programme
from sessions.reports import export_copy
from sessions.reports.export_files import (
    complete_export,
    export_filename,
    log_export,
    xlsx_file,
)
from sessions.reports.export_rows import (
    ATTENDANCE_HEADER,
    ATTENDANCE_KINDS,
    TRAINEE_HEADER,
    TRAINEE_KINDS,
    attendance_queryset,
    attendance_rows,
    trainee_rows,
)
from sessions.reports.forms import ReportFilterForm
from sessions.reports.models import ExportKind
from sessions.reports.summary import ReportFilter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request: HttpRequest, access: ProgrammeAccess) -> ReportFilter | None:
    form = ReportFilterForm(request.GET, programme=access.programme)
    return form.filters() if form.is_valid() else None


def _back(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """A filter that does not validate: back to the dashboard, which shows what is wrong."""
    messages.error(request, "The export's filter is not valid: please check it below.")
    url = reverse("reports:dashboard", args=[access.programme.slug])
    return redirect(f"{url}?{request.GET.urlencode()}")


def _rows(kind: str, access: ProgrammeAccess, filters: ReportFilter):
    """The export's header, each column's kind (for XLSX) and its rows."""
    programme = access.programme
    if kind == ExportKind.ATTENDANCE:
        queryset = attendance_queryset(programme=programme, filters=filters)
        rows = attendance_rows(queryset, programme_name=programme.name)
        return ATTENDANCE_HEADER, ATTENDANCE_KINDS, rows
    return TRAINEE_HEADER, TRAINEE_KINDS, trainee_rows(programme=programme, filters=filters)


def _csv(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    access = access_programme(request.user, slug)
    filters = _filters(request, access)
    if filters is None:
        return _back(request, access)
    log = log_export(
        by=request.user, programme=access.programme, kind=kind, file_format="csv", filters=filters
    )

    def on_complete(count: int) -> None:
        complete_export(log_id=log.pk, rows=count)

    if kind == ExportKind.ATTENDANCE and export_copy.supported():
        # PostgreSQL writes the same file itself, a million lines in a few seconds.
        chunks = export_copy.attendance_csv(
            programme=access.programme, filters=filters, on_complete=on_complete
        )
    else:
        header, _, rows = _rows(kind, access, filters)
        chunks = stream_csv(
            rows,
            header=header,
            on_complete=on_complete,
            # The attendance rows neutralise their own cells (cheaply, once per repeated name).
            neutralised=kind == ExportKind.ATTENDANCE,
        )
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    filename = export_filename(access.programme, kind, "csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    access = access_programme(request.user, slug)
    filters = _filters(request, access)
    if filters is None:
        return _back(request, access)
    header, kinds, rows = _rows(kind, access, filters)
    output, count = xlsx_file(rows, header=header, title=kind.capitalize(), kinds=kinds)
    log_export(
        by=request.user,
        programme=access.programme,
        kind=kind,
        file_format="xlsx",
        filters=filters,
        rows=count,
    )
    filename = export_filename(access.programme, kind, "xlsx")
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX)


@login_required
@require_GET
def attendance_csv(request: HttpRequest, slug: str) -> HttpResponse:
    return _csv(request, slug, ExportKind.ATTENDANCE)


@login_required
@require_GET
def attendance_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    return _xlsx(request, slug, ExportKind.ATTENDANCE)


@login_required
@require_GET
def trainees_csv(request: HttpRequest, slug: str) -> HttpResponse:
    return _csv(request, slug, ExportKind.TRAINEES)


@login_required
@require_GET
def trainees_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    return _xlsx(request, slug, ExportKind.TRAINEES)
