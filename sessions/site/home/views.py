"""The home page: the visitors' home for people not signed in, the person's own home for
everyone else (their next meetings, their groups and what needs them now)."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from balint import views as visitors
from balint.page_cache import kept_page
from sessions.site.home import admin_needs, needs
from sessions.site.home.meetings import next_meetings
from sessions.site.home.needs import (
    ALL_CLEAR,
    LEADING,
    PROGRAMMES,
    SECTION_TITLES,
    STAFF,
    Need,
)
from sessions.site.home.people import Viewer, viewer_for

SOURCES = [*needs.SOURCES, *admin_needs.SOURCES]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    needs: list[Need]
    all_clear: str = ""


def sections_of(found: list[Need], viewer: Viewer) -> list[Section]:
    """The needs by section, in the sections' order, the urgent first within each; a role's
    section shows even when nothing waits in it, saying so."""
    roles = {LEADING: bool(viewer.led), PROGRAMMES: viewer.administers, STAFF: viewer.is_staff}
    sections = []
    for key, title in SECTION_TITLES.items():
        items = sorted((need for need in found if need.section == key), key=lambda n: not n.urgent)
        if items or roles.get(key):
            sections.append(Section(key, title, items, ALL_CLEAR.get(key, "")))
    return sections


def is_first_time(viewer: Viewer, meetings: list) -> bool:
    """Nothing yet: no group, request, taster seat, cohort or programme, and not staff."""
    return not (
        viewer.groups or meetings or viewer.enrolments or viewer.administers or viewer.is_staff
    )


@require_GET
@kept_page
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return visitors.home(request)
    viewer = viewer_for(request, now=timezone.now())
    meetings = next_meetings(viewer)
    found = [need for source in SOURCES for need in source(viewer)]
    context = {
        "viewer": viewer,
        "meetings": meetings,
        "sections": sections_of(found, viewer),
        "urgent_count": sum(need.urgent for need in found),
        "first_time": is_first_time(viewer, meetings),
        "taster_seats": sum(1 for entry in meetings if entry.booking),
        "has_feed": bool(request.user.calendar_token_hash),
    }
    response = render(request, "home/mine.html", context)
    # The page shows rooms and meeting links: no shared cache may keep it.
    patch_cache_control(response, private=True, no_cache=True)
    return response
