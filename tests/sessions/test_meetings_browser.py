"""In a real browser: a leader sets a monthly schedule, sees the meetings, cancels one; a member
sends apologies; the leader records the register."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sessions.meetings.models import Apology, AttendanceRecord, Meeting, MeetingStatus
from tests.browser import screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, person):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=person.display_name)).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_schedule_cancel_apologies_and_register(live_server, page, group, leader, member):
    sign_in(page, live_server, leader)
    page.goto(f"{live_server.url}/meetings/mine/")
    page.get_by_role("link", name="Cotham GP Balint Group: meetings").click()
    page.get_by_role("link", name="Set the schedule").first.click()

    page.get_by_label("Monthly").check()
    page.get_by_label("Day of the week").select_option(label="Tuesday")
    page.get_by_label("Which week of the month").select_option(label="2nd")
    page.get_by_label("Start time").fill("19:30")
    page.get_by_label("Length in minutes").fill("90")
    page.get_by_label("First date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Preview the dates").click()
    preview = page.get_by_role("region", name=re.compile("The next 6 dates"))
    expect(preview.get_by_role("listitem")).to_have_count(6)
    expect(preview).to_contain_text("Monthly, 2nd Tuesday, 19:30–21:00, Europe/London")
    screenshot(page, "meetings-schedule-preview")
    assert not Meeting.objects.exists()

    page.get_by_role("button", name="Save the schedule").click()
    expect(page.get_by_text("The schedule has been saved: 6 added.")).to_be_visible()
    upcoming = page.get_by_role("table").first
    expect(upcoming.get_by_role("row")).to_have_count(7)  # a header and six meetings
    screenshot(page, "meetings-generated")

    second = Meeting.objects.order_by("starts_at")[1]
    page.get_by_role(
        "link", name=re.compile(f"Cancel the meeting of {second.local_starts_at.day} ")
    ).click()
    page.get_by_label("Reason").fill("The room is being repainted.")
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(page.get_by_text("The meeting has been cancelled.")).to_be_visible()
    expect(page.get_by_text("The room is being repainted.")).to_be_visible()
    screenshot(page, "meetings-cancelled")
    assert Meeting.objects.get(pk=second.pk).status == MeetingStatus.CANCELLED
    sign_out(page)

    first = Meeting.objects.order_by("starts_at").first()
    sign_in(page, live_server, member)
    page.goto(f"{live_server.url}/meetings/mine/")
    expect(page.get_by_text("The room is being repainted.")).to_be_visible()
    page.get_by_role(
        "link", name=re.compile(first.local_starts_at.strftime("%a %-d %b %Y"))
    ).click()
    page.get_by_role("button", name="Send apologies").click()
    expect(page.get_by_text("Your apologies have been sent")).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw my apologies")).to_be_visible()
    screenshot(page, "meetings-apologies-sent")
    assert Apology.objects.filter(meeting=first, person=member).exists()
    sign_out(page)

    # Time passes: the meeting has started, so its register opens.
    Meeting.objects.filter(pk=first.pk).update(
        starts_at=timezone.now() - timedelta(minutes=10),
        ends_at=timezone.now() + timedelta(minutes=80),
    )
    sign_in(page, live_server, leader)
    page.goto(f"{live_server.url}{first.get_absolute_url()}")
    page.get_by_role("link", name="Record the register").click()
    member_line = page.get_by_role("group", name=re.compile(member.display_name))
    expect(member_line.get_by_label("Apologies", exact=True)).to_be_checked()
    leader_line = page.get_by_role("group", name=re.compile(leader.display_name))
    leader_line.get_by_label("Present", exact=True).focus()
    page.keyboard.press("Space")  # radio groups work from the keyboard
    expect(leader_line.get_by_label("Present", exact=True)).to_be_checked()
    screenshot(page, "meetings-register-form")
    page.get_by_role("button", name="Save the register").click()

    expect(page.get_by_text("The register has been saved.")).to_be_visible()
    expect(page.get_by_text(re.compile("Recorded by Dr Lena Leader"))).to_be_visible()
    screenshot(page, "meetings-register-saved")
    statuses = dict(AttendanceRecord.objects.values_list("person__email", "status"))
    assert statuses == {leader.email: "present", member.email: "apologies"}
