"""The taster outreach funnel of a programme, as a chart and the table behind it, for all its
groups or for one."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from balint.page_cache import kept_page
from sessions.programmes.access import access_programme
from sessions.reports.dashboard import programme_groups
from sessions.reports.funnel import GEOMETRY, STAGES, funnels


@login_required
@require_GET
@kept_page
def taster_funnel(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_programme(request.user, slug)
    groups = list(programme_groups(access.programme))
    total, per_group = funnels(groups)
    chosen_slug = request.GET.get("group", "")
    chosen = next((f for f in per_group if f.group.slug == chosen_slug), None)
    context = {
        "programme": access.programme,
        "total": total,
        "per_group": per_group,
        "shown": chosen or total,
        "chosen": chosen,
        "unknown_group": bool(chosen_slug) and chosen is None,
        "stages": STAGES,
        "geometry": GEOMETRY,
    }
    return render(request, "reports/taster_funnel.html", context)
