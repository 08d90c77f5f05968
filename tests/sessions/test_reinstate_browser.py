"""In a real browser on a phone (390 px): a leader cancels a meeting and puts it back on. The
confirmation page says what will happen, the meeting page shows it on again, and the outbox holds
each calendar's update: the same event (UID) at a higher SEQUENCE than its cancellation."""

import re

import pytest
from playwright.sync_api import expect

from balint.outbox.models import Message
from sessions.calendar.ical import meeting_uid
from sessions.meetings.models import MeetingStatus
from tests.browser import screenshot
from tests.calendar.conftest import calendar_of
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def on_a_phone(browser, live_server, person):
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def fits_the_screen(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width} px"


def tall_enough(locator) -> None:
    box = locator.bounding_box()
    assert box and box["height"] >= 44, f"tap target {box}"


def the_event(message: Message):
    [event] = calendar_of(message).events
    return str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])


def test_a_leader_cancels_and_reinstates_a_meeting_on_a_phone(
    browser, live_server, group, leader, member, meeting
):
    page = on_a_phone(browser, live_server, leader)
    page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    page.get_by_role("link", name="Cancel", exact=True).click()
    page.get_by_label("Reason").fill("The room is double-booked.")
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(page.get_by_text("The meeting has been cancelled.")).to_be_visible()
    page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancelled: meeting")

    reinstate = page.get_by_role("link", name="Reinstate this meeting")
    tall_enough(reinstate)
    reinstate.click()
    expect(page.get_by_role("heading", name="Put this meeting back on?")).to_be_visible()
    expect(page.get_by_text("Members and leaders get an update")).to_be_visible()
    expect(page.get_by_text("No taster bookings ended with the cancellation.")).to_be_visible()
    expect(page.get_by_role("link", name="Keep it cancelled")).to_be_visible()
    confirm = page.get_by_role("button", name="Reinstate the meeting")
    tall_enough(confirm)
    fits_the_screen(page)
    screenshot(page, "meetings-reinstate-confirm-390")

    confirm.click()
    expect(
        page.get_by_text("The meeting is on again and everyone's calendar has been updated.")
    ).to_be_visible()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Meeting on "))
    expect(page.get_by_role("link", name="Cancel", exact=True)).to_be_visible()
    fits_the_screen(page)
    screenshot(page, "meetings-reinstated-390")
    # The badge is gone; the cancellation stays in the meeting's history of changes.
    expect(page.locator(".badge-danger", has_text="Cancelled")).to_have_count(0)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    cancels = {m.to[0]: m for m in Message.objects.filter(key__startswith="cancel:")}
    updates = {m.to[0]: m for m in Message.objects.filter(key__startswith="reinstate:")}
    assert set(cancels) == set(updates) == {leader.email, member.email}
    for email, update in updates.items():
        cancel_uid, cancel_sequence, _ = the_event(cancels[email])
        uid, sequence, status = the_event(update)
        assert uid == cancel_uid == meeting_uid(meeting)
        assert sequence > cancel_sequence
        assert status == "CONFIRMED"
        assert update.ical_method == "REQUEST"
