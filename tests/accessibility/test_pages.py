"""Every main page, for every persona, in a real Chromium: Deque's axe-core (the npm package,
installed by scripts/test.sh from package-lock.json) finds no violation of any impact, and no
page scrolls sideways at desktop (1280 px) or phone (390 px) width.

The pages keep their strict Content Security Policy: axe's source is evaluated through the
DevTools protocol, which the policy does not govern, never added to the page as a script.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups.models import BalintGroup
from members.models import User
from sessions.meetings.models import AttendanceRecord, Meeting, MeetingStatus
from sessions.programmes.models import Cohort
from sessions.tasters.models import TasterBooking
from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}
VISITOR = None


def main_pages() -> dict[str | None, list[str]]:
    """Each persona's main pages in the demo world (None: a visitor)."""
    now = timezone.now()
    cotham = BalintGroup.objects.get(slug="cotham-gp-balint")
    upcoming = Meeting.objects.filter(
        group=cotham, status=MeetingStatus.SCHEDULED, starts_at__gt=now
    ).order_by("starts_at")[0]
    held = (
        Meeting.objects.filter(group=cotham, starts_at__lt=now, status=MeetingStatus.SCHEDULED)
        .exclude(pk__in=AttendanceRecord.objects.values("meeting"))
        .order_by("-starts_at")
        .first()
    ) or Meeting.objects.filter(group=cotham, starts_at__lt=now).order_by("-starts_at")[0]
    cancelled = Meeting.objects.filter(group=cotham, status=MeetingStatus.CANCELLED).first()
    booking = TasterBooking.objects.filter(person__email="trainee@example.org").first()
    slug = "severn-and-mersey"
    cohort = Cohort.objects.filter(programme__slug=slug).first()
    cohort_pages = (
        [
            reverse(name, args=[slug, cohort.pk])
            for name in (
                "reports:cohort",
                "reports:cohort_block",
                "reports:cohort_place",
                "reports:cohort_feedback",
            )
        ]
        if cohort
        else []
    )
    return {
        VISITOR: [
            "/",
            "/about/",
            "/groups/",
            "/groups/cotham-gp-balint/",
            "/groups/cotham-gp-balint/contact/",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            "/tasters/invite/demo-taster-1/",
        ],
        "member@example.org": [
            "/",
            "/meetings/mine/",
            "/meetings/record/",
            f"/meetings/{upcoming.pk}/",
            "/meetings/groups/cotham-gp-balint/agreement/",
            "/groups/mine/",
            "/groups/propose/",
            "/calendar/",
            "/programmes/certificates/mine/",
            "/me/profile/",
            "/me/data/",
            "/accounts/email/",
            "/accounts/password/change/",
            "/accounts/2fa/",
            "/accounts/3rdparty/",
        ],
        "trainee@example.org": [
            "/",
            "/meetings/mine/",
            *([f"/tasters/bookings/{booking.pk}/"] if booking else []),
        ],
        "judith.marlow@example.org": [
            "/",
            "/groups/cotham-gp-balint/",
            "/groups/cotham-gp-balint/roster/",
            "/groups/cotham-gp-balint/settings/",
            "/meetings/groups/cotham-gp-balint/",
            "/meetings/groups/cotham-gp-balint/schedule/",
            "/meetings/groups/cotham-gp-balint/add/",
            "/meetings/groups/cotham-gp-balint/agreement/edit/",
            "/meetings/groups/cotham-gp-balint/write/",
            f"/meetings/{upcoming.pk}/move/",
            f"/meetings/{upcoming.pk}/cancel/",
            *([f"/meetings/{cancelled.pk}/reinstate/"] if cancelled else []),
            f"/meetings/{held.pk}/register/",
            "/tasters/cotham-gp-balint/invitations/",
            f"/tasters/meetings/{upcoming.pk}/",
            reverse("reports:group_feedback", args=["cotham-gp-balint"]),
            reverse("reports:group_questionnaire", args=["cotham-gp-balint"]),
        ],
        "programme.admin@example.org": [
            "/",
            "/programmes/",
            reverse("reports:dashboard", args=[slug]),
            reverse("reports:cohort_create", args=[slug]),
            reverse("reports:programme_settings", args=[slug]),
            reverse("reports:programme_admins", args=[slug]),
            reverse("reports:programme_feedback", args=[slug]),
            reverse("reports:feedback_questionnaire", args=[slug, "trainees"]),
            reverse("reports:feedback_questionnaire", args=[slug, "facilitators"]),
            reverse("reports:taster_funnel", args=[slug]),
            reverse("reports:history_import", args=[slug]),
            reverse("reports:past_meeting", args=["year-4-psychiatry-students"]),
            *cohort_pages,
        ],
        "admin@example.org": [
            "/",
            "/groups/new/",
            "/groups/proposals/",
            "/staff/who-groups-are-for/",
            "/programmes/all/",
            "/programmes/all/new/",
        ],
    }


def sign_in(context, live_server, email: str | None) -> None:
    if email is None:
        return
    client = Client()
    client.force_login(User.objects.get(email=email))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
    )


def scan(page) -> list[str]:
    """axe-core's violations on the page, one line each (rule, impact, where)."""
    page.evaluate(AXE.read_text())
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {', '.join(n['target'][0] for n in v['nodes'][:3])}"
        for v in results
    ]


def test_the_scan_finds_a_violation_when_there_is_one(browser, live_server):
    """The negative control: an image without a text alternative, added to a clean page."""
    page = browser.new_page()
    page.goto(f"{live_server.url}/about/")
    assert scan(page) == []
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")

    assert [line.split(" ")[0] for line in scan(page)] == ["image-alt"]


def test_every_main_page_is_accessible_and_fits_the_screen(browser, live_server, settings):
    # The demo's printed logins skip two-factor set-up, as ./scripts/run.sh does.
    settings.MFA_REQUIRED_FOR_ADMINS = False
    call_command("seed_demo")
    problems: dict[str, list[str]] = {}
    for email, paths in main_pages().items():
        context = browser.new_context()
        sign_in(context, live_server, email)
        page = context.new_page()
        for path in paths:
            for size, width in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(f"{live_server.url}{path}")
                where = f"{email or 'visitor'} {path} at {width} px"
                if response.status != 200:
                    problems[where] = [f"HTTP {response.status}"]
                    continue
                found = scan(page)
                overflow = page.evaluate(
                    "document.scrollingElement.scrollWidth - window.innerWidth"
                )
                if overflow > 0:
                    found.append(f"scrolls sideways by {overflow} px")
                    screenshot(page, f"overflow-{size}-{path.strip('/').replace('/', '-')}")
                if found:
                    problems[where] = found
        context.close()
    assert not problems, "\n".join(
        f"{where}: {'; '.join(found)}" for where, found in problems.items()
    )
