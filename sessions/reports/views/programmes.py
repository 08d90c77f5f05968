"""The programmes a person administers, and each programme's dashboard."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from balint.page_cache import kept_page, kept_until
from sessions.programmes.access import access_programme, programmes_for
from sessions.reports.dashboard import programme_dashboard
from sessions.reports.forms import ReportFilterForm
from sessions.reports.summary import next_to_start


@login_required
@require_GET
@kept_page
def index(request: HttpRequest) -> HttpResponse:
    programmes = programmes_for(request.user).order_by("name")
    return render(request, "reports/index.html", {"programmes": programmes})


@login_required
@require_GET
@kept_page
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """Groups (a page at a time), cohorts, trainees, charts and feedback rates, narrowed by
    the filters."""
    access = access_programme(request.user, slug)
    # The page of groups is no filter: the form, its Clear link and the exports ignore it.
    data = request.GET.copy()
    page_number = data.pop("page", [None])[-1]
    form = ReportFilterForm(data or None, programme=access.programme)
    filters = form.filters()
    now = timezone.now()
    dashboard = programme_dashboard(
        programme=access.programme, filters=filters, page_number=page_number, now=now
    )
    # The clock enters the dashboard only through the meetings that have started (the next
    # meetings, the meetings held, the cohorts' tallies): it is kept until the next one starts,
    # rather than rendered again each minute (a third of a second at a thousand groups).
    kept_until(request, next_to_start(now))
    context = {
        "access": access,
        "programme": access.programme,
        "form": form,
        "dashboard": dashboard,
        "ellipsis": Paginator.ELLIPSIS,
        # The export links carry the same filter, once it is valid.
        "query": data.urlencode() if form.is_bound and form.is_valid() else "",
    }
    return render(request, "reports/dashboard.html", context)
