"""The page a taster invitation's link opens, and the after-meeting "ask to join" page."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from groups.access import access_group
from groups.forms import JoinRequestForm
from groups.models import Leadership
from sessions.tasters import services
from sessions.tasters.invitations import SIGNUP_SESSION_KEY
from sessions.tasters.queries import bookable_meetings, open_bookings_by_group

# What each refusal answers over HTTP; the page says what to do next in every case.
PROBLEM_STATUS = {"forged": 404, "revoked": 410, "expired": 410, "taken": 403, "closed": 410}


@require_GET
def landing(request: HttpRequest, token: str) -> HttpResponse:
    """About the group and Balint, its next meetings with free seats, and how to book."""
    opening = services.open_invitation(token=token, user=request.user)
    if not opening.ok and opening.outcome != "member":
        status = PROBLEM_STATUS[opening.outcome]
        context = {"opening": opening, "group": opening.group}
        return render(request, "tasters/landing_problem.html", context, status=status)
    group, invitation = opening.group, opening.invitation
    if opening.outcome == "ok":
        # Lets the sign-up count this address as verified (adapter.py) and the booking record
        # which invitation it came through.
        request.session[SIGNUP_SESSION_KEY] = invitation.pk
    here = request.get_full_path()
    context = {
        "opening": opening,
        "group": group,
        "invitation": invitation,
        "leaders": Leadership.objects.filter(group=group).select_related("person"),
        "meetings": bookable_meetings(group),
        "my_booking": open_bookings_by_group([group.pk], request.user).get(group.pk),
        "signup_url": _with_query(
            reverse("account_signup"),
            {"email": invitation.email if invitation else "", "next": here},
        ),
        "login_url": _with_query(reverse("account_login"), {"next": here}),
    }
    return render(request, "tasters/landing.html", context)


def _with_query(url: str, params: dict) -> str:
    return f"{url}?{urlencode({k: v for k, v in params.items() if v})}"


@login_required
@require_GET
def join(request: HttpRequest, slug: str) -> HttpResponse:
    """After a taster session: ask to join the group with one click (the form posts to the
    groups layer's request-to-join)."""
    access = access_group(request.user, slug)
    context = {"group": access.group, "access": access, "join_form": JoinRequestForm()}
    return render(request, "tasters/join.html", context)
