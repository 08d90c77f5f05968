"""The calendar page (how to subscribe; a new private link), the private feed itself, and one
meeting as a file ("Add to calendar")."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_POST, require_safe

from sessions.attendance.roles import access_meeting
from sessions.calendar.feed import feed_etag, feed_for
from sessions.calendar.ical import one_meeting
from sessions.calendar.sequences import current_sequences
from sessions.calendar.tokens import (
    current_calendar_token,
    issue_calendar_token,
    person_for_token,
    revoke_calendar_token,
)


def _links(token: str) -> dict:
    url = settings.SITE_URL + reverse("calendar:feed", kwargs={"token": token})
    webcal = "webcal://" + url.split("://", 1)[1]
    return {
        "feed_url": url,
        "webcal_url": webcal,
        "google_url": "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
    }


def _page(request: HttpRequest, *, new_token: str | None = None) -> HttpResponse:
    token = new_token or current_calendar_token(request.user)
    context = {"has_feed": bool(request.user.calendar_token_hash), "new_token": new_token}
    if token:
        context.update(_links(token))
    response = render(request, "calendar/page.html", context)
    # The page carries the private link: no cache, browser or proxy, may keep it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def calendar_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def create_link(request: HttpRequest) -> HttpResponse:
    """A new private link, shown in this response (and on the page whenever the person comes
    back): it is never put in the session or a message for a redirect to show."""
    token = issue_calendar_token(person=request.user)
    return _page(request, new_token=token)


@login_required
@require_POST
def turn_off(request: HttpRequest) -> HttpResponse:
    revoke_calendar_token(person=request.user)
    messages.success(request, "Your calendar feed is off: its link no longer works.")
    return redirect("calendar:page")


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's meetings as iCalendar; 304 when the calendar already has this version."""
    person = person_for_token(token)
    if person is None:
        raise Http404("No such calendar.")
    body = feed_for(person)
    etag = feed_etag(body)
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        body, content_type="text/calendar; charset=utf-8"
    )
    response["ETag"] = etag
    # The URL is a secret: shared caches must not keep it, and calendars should ask each time
    # (a 304 costs them nothing).
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Disposition"] = 'inline; filename="balint-meetings.ics"'
    return response


@login_required
@require_safe
def meeting_file(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting as an .ics file, for those who take part in it (its members and leaders, and
    its booked tasters): 404 if the viewer may not see the meeting, 403 if they may see it but
    take no part (the file carries the room and the link)."""
    access = access_meeting(request.user, pk)
    if not access.can_see_private_details:
        raise PermissionDenied("Only the people taking part in this meeting can add it.")
    meeting = access.meeting
    sequence = current_sequences([meeting], request.user)[meeting.pk]
    body = one_meeting(meeting, person=request.user, sequence=sequence)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    day = meeting.local_starts_at.date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="balint-meeting-{day}.ics"'
    # It carries the room and the link: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response
