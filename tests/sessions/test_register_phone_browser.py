"""The register on a phone (390 px, touch): ten people recorded in four taps including save,
with tap targets of at least 44 px and no sideways scrolling; every choice read in full at
320 px; and the same form without JavaScript, where "Everyone present" is a round trip that
saves nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sessions.meetings.models import Apology, AttendanceRecord, AttendanceStatus
from tests.browser import screenshot
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


@pytest.fixture
def ten_people(group, leader):
    """A meeting that ended an hour ago: its leader and nine members, one of whom sent
    apologies ahead."""
    started = timezone.now() - timedelta(hours=2, minutes=30)
    members = [
        UserFactory(display_name=f"Dr {name} Member", email=f"{name.lower()}@example.org")
        for name in ["Ada", "Ben", "Cai", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy"]
    ]
    for person in members:
        MembershipFactory(group=group, person=person, joined_at=started - timedelta(days=60))
    meeting = MeetingFactory(group=group, starts_at=started)
    Apology.objects.create(meeting=meeting, person=members[8], note="On call that evening.")
    return meeting, members


def sign_in(page, live_server, person):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=person.display_name)).to_be_visible()


class Taps:
    """Taps on the touch screen, counted."""

    def __init__(self):
        self.count = 0

    def __call__(self, locator):
        self.count += 1
        locator.tap()


def test_ten_people_are_recorded_in_four_taps_on_a_phone(browser, live_server, leader, ten_people):
    meeting, members = ten_people
    page = browser.new_context(**PHONE).new_page()
    sign_in(page, live_server, leader)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/register/")
    expect(page.get_by_role("group", name="Dr Ivy Member")).to_contain_text(
        "Their note: On call that evening."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for target in [
        page.get_by_role("button", name="Everyone present"),
        page.get_by_role("button", name="Save the register"),
        page.locator(".segmented label").first,
        page.locator(".segmented label").last,
        page.locator(".register-case").first,
    ]:
        box = target.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, target
    # "Apologies" fits on one line within its segment.
    apologies = page.locator(".segmented label span", has_text="Apologies").first.bounding_box()
    assert apologies["height"] < 50
    screenshot(page, "register-phone-before")

    tap = Taps()
    tap(page.get_by_role("button", name="Everyone present"))
    expect(page.get_by_role("status")).to_contain_text("9 people marked present")
    ben = page.get_by_role("group", name="Dr Ben Member")
    tap(ben.get_by_role("radio", name="Late"))
    cai = page.get_by_role("group", name="Dr Cai Member")
    tap(cai.get_by_role("checkbox", name="Presented a case"))
    screenshot(page, "register-phone-marked")
    tap(page.get_by_role("button", name="Save the register"))
    expect(page.get_by_text("The register has been saved.")).to_be_visible()
    screenshot(page, "register-phone-saved")

    assert tap.count <= 4
    stored = {
        record.person_id: (record.status, record.presented_case)
        for record in AttendanceRecord.objects.filter(meeting=meeting)
    }
    assert len(stored) == 10
    assert stored[members[1].pk] == (AttendanceStatus.LATE, False)
    assert stored[members[2].pk] == (AttendanceStatus.PRESENT, True)
    assert stored[members[8].pk] == (AttendanceStatus.APOLOGIES, False)
    assert stored[leader.pk] == (AttendanceStatus.PRESENT, False)
    others = [m.pk for m in members if m not in (members[1], members[2], members[8])]
    assert all(stored[pk] == (AttendanceStatus.PRESENT, False) for pk in others)


def test_every_choice_reads_in_full_on_the_narrowest_phone(
    browser, live_server, leader, ten_people
):
    meeting, _ = ten_people
    page = browser.new_context(**(PHONE | {"viewport": {"width": 320, "height": 640}})).new_page()
    sign_in(page, live_server, leader)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/register/")

    # Four equal segments are too narrow for "Apologies" here: two rows of two.
    clipped = page.locator(".segmented span").evaluate_all(
        "spans => spans.filter(s => s.scrollWidth > s.clientWidth).map(s => s.textContent)"
    )
    assert clipped == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "register-phone-320")


def test_the_register_works_without_javascript_and_by_keyboard(
    browser, live_server, leader, ten_people
):
    meeting, members = ten_people
    page = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = page.new_page()
    sign_in(page, live_server, leader)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/register/")

    page.get_by_role("button", name="Everyone present").click()
    expect(page.get_by_text("Everyone not yet marked is now marked present.")).to_be_visible()
    assert not AttendanceRecord.objects.filter(meeting=meeting).exists()  # nothing saved yet
    ada = page.get_by_role("group", name="Dr Ada Member")
    expect(ada.get_by_role("radio", name="Present")).to_be_checked()
    ivy = page.get_by_role("group", name="Dr Ivy Member")
    expect(ivy.get_by_role("radio", name="Apologies")).to_be_checked()
    # By keyboard: the arrow key moves Ada's choice from Present to Late.
    ada.get_by_role("radio", name="Present").focus()
    page.keyboard.press("ArrowRight")
    expect(ada.get_by_role("radio", name="Late")).to_be_checked()
    screenshot(page, "register-phone-no-javascript")
    page.get_by_role("button", name="Save the register").click()
    expect(page.get_by_text("The register has been saved.")).to_be_visible()

    statuses = dict(
        AttendanceRecord.objects.filter(meeting=meeting).values_list("person_id", "status")
    )
    assert statuses[members[0].pk] == AttendanceStatus.LATE
    assert statuses[members[8].pk] == AttendanceStatus.APOLOGIES
    assert list(statuses.values()).count(AttendanceStatus.PRESENT) == 8
