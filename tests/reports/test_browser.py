"""The programme admin's journey in a real browser: create a cohort, invite trainees (who
accept) and place them, a leader records the register, the admin downloads CSV and XLSX (opened
here with csv and openpyxl), trainees answer the anonymous questionnaire and the results appear
after the fifth."""

import csv
import re
from datetime import datetime, time, timedelta

import openpyxl
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from sessions.programmes.enrolment import accept_invitation, invitations_for
from sessions.reports.feedback import invite_feedback_for_ended_blocks, publish_due
from tests.browser import screenshot
from tests.factories import PASSWORD, UserFactory, totp_code
from tests.sessions.factories import MeetingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATUSES = ["Present", "Present", "Present", "Late", "Absent"]


def signed_in(browser, live_server, email: str):
    page = browser.new_context(accept_downloads=True).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if "/2fa/" in page.url:  # programme admins have an authenticator app
        page.get_by_label("Code").fill(totp_code())
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def create_cohort(page, live_server, programme) -> None:
    today = timezone.localdate()
    page.goto(f"{live_server.url}/programmes/{programme.slug}/")
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Name").fill("Year 4 psychiatry, block 3")
    page.get_by_label("First day").fill(f"{today - timedelta(days=7):%Y-%m-%d}")
    page.get_by_label("Last day").fill(f"{today:%Y-%m-%d}")
    page.get_by_label("A percentage of the meetings held while enrolled").check()
    page.get_by_label("Number of meetings or percentage").fill("75")
    page.get_by_role("button", name="Create the cohort").click()
    expect(page.get_by_role("heading", name="Year 4 psychiatry, block 3")).to_be_visible()


def enrol_and_place(page, browser, live_server, trainees, group) -> None:
    pasted = [t.email for t in trainees] + ["not-an-email", "new.trainee@example.org"]
    page.get_by_label("Email addresses").fill("\n".join(pasted))
    page.get_by_role("button", name="Invite to the cohort").click()
    expect(page.get_by_text("Line 6: “not-an-email” is not an email address.")).to_be_visible()
    expect(page.get_by_text("6 invited; they join the cohort when they accept.")).to_be_visible()
    # Until they accept, the admin sees addresses, not names.
    expect(page.get_by_text(f"Invited: {trainees[0].email}")).to_be_visible()
    expect(page.get_by_text(trainees[0].display_name)).to_have_count(0)

    # One accepts on their own page; the others do the same, more quickly.
    first = signed_in(browser, live_server, trainees[0].email)
    first.goto(f"{live_server.url}/programmes/certificates/mine/")
    first.get_by_role("button", name="Accept the invitation to Year 4 psychiatry, block 3").click()
    expect(first.get_by_text("You are enrolled in Year 4 psychiatry, block 3.")).to_be_visible()
    screenshot(first, "reports-invitation-accepted")
    for trainee in trainees[1:]:
        (pending,) = invitations_for(trainee)
        accept_invitation(person=trainee, pending_id=pending.pk)
    page.reload()

    page.get_by_role("link", name="Choose a group and trainees").click()
    page.get_by_label("Group", exact=True).select_option(value=group.slug)
    for trainee in trainees:
        page.get_by_label(f"{trainee.display_name} ({trainee.email})").check()
    page.get_by_role("button", name="Place in the group").click()
    expect(page.get_by_text(re.compile("^Placed in Cotham GP Balint Group: "))).to_be_visible()
    screenshot(page, "reports-cohort-placed")


def record_register(page, live_server, meeting, trainees) -> None:
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/register/")
    page.get_by_role("group", name=re.compile("^Dr Lena Leader")).get_by_label(
        "Present", exact=True
    ).check()
    for trainee, status in zip(trainees, STATUSES, strict=True):
        row = page.get_by_role("group", name=re.compile(f"^{trainee.display_name}"))
        row.get_by_label(status, exact=True).check()
    page.get_by_role("group", name=re.compile(f"^{trainees[0].display_name}")).get_by_label(
        "Presented a case"
    ).check()
    screenshot(page, "reports-register")
    page.get_by_role("button", name="Save the register").click()
    expect(page.get_by_text("The register has been saved.")).to_be_visible()


def download(page, name: str, extension: str):
    with page.expect_download() as info:
        page.get_by_role("link", name=name).click()
    assert info.value.suggested_filename.endswith(extension)
    return info.value.path()


def check_downloads(page, live_server, programme, trainees) -> None:
    page.goto(f"{live_server.url}/programmes/{programme.slug}/")
    expect(page.get_by_text("No (0% of 75%)")).to_be_visible()  # the absent trainee
    screenshot(page, "reports-dashboard")

    path = download(page, "Attendance (CSV)", ".csv")
    with open(path, encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    with open(download(page, "Attendance (Excel)", ".xlsx"), "rb") as file:
        workbook = openpyxl.load_workbook(file)
    sheet = [list(row) for row in workbook.active.iter_rows(values_only=True)]

    assert rows[0][:3] == ["Programme", "Cohort", "Group"] and len(rows) == 7
    assert [str(cell or "") for cell in sheet[0]] == rows[0] and len(sheet) == 7
    # Excel holds the meeting's date and time as such (sorting and filtering work), not as text.
    assert all(isinstance(row[3], datetime) and isinstance(row[4], time) for row in sheet[1:])
    assert {f"{row[3]:%Y-%m-%d} {row[4]:%H:%M}" for row in sheet[1:]} == {
        f"{row[3]} {row[4]}" for row in rows[1:]
    }
    by_person = {row[6]: row for row in rows[1:]}
    first = by_person[trainees[0].display_name]
    assert first[1] == "Year 4 psychiatry, block 3" and first[9:11] == ["Present", "Yes"]
    assert by_person[trainees[4].display_name][9] == "Absent"
    assert by_person["Dr Lena Leader"][8] == "Leader"


def answer(page, live_server, link: str) -> None:
    page.goto(live_server.url + link)
    for statement in [
        "The group helped me reflect on my interactions with patients.",
        "It helped me understand how others think and feel when caring for patients.",
        "I enjoyed the group.",
        "I will use what I learned in my work.",
    ]:
        page.get_by_role("group", name=statement).get_by_label("Agree", exact=True).check()
    page.get_by_label("Very good").check()
    page.get_by_label("Anything else about the group experience?").fill("Worth protecting time.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()


def test_programme_admin_journey(live_server, browser, programme, group, leader, programme_admin):
    trainees = [UserFactory(display_name=f"Dr Trainee {n}") for n in range(1, 6)]
    admin = signed_in(browser, live_server, programme_admin.email)
    create_cohort(admin, live_server, programme)
    enrol_and_place(admin, browser, live_server, trainees, group)

    # A meeting under way, begun today (after the trainees were enrolled), even just after midnight.
    now = timezone.now()
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    starts_at = max(now - timedelta(minutes=10), midnight)
    meeting = MeetingFactory(
        group=group, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=90)
    )
    record_register(signed_in(browser, live_server, leader.email), live_server, meeting, trainees)
    check_downloads(admin, live_server, programme, trainees)

    # The scan as it runs tomorrow, the day after the block's last day: the five trainees, and
    # the leader with the facilitators' questionnaire.
    mail.outbox.clear()
    assert invite_feedback_for_ended_blocks(today=timezone.localdate() + timedelta(days=1)) == 6
    to_trainees = [m for m in mail.outbox if "facilitating" not in m.subject]
    links = [re.search(r"/programmes/feedback/[\w-]+/", m.body).group(0) for m in to_trainees]
    trainee_page = browser.new_context().new_page()
    for link in links[:4]:
        answer(trainee_page, live_server, link)
    screenshot(trainee_page, "reports-feedback-thanks")
    publish_due()  # the daily publication: an open block's answers wait for its close

    admin.goto(f"{live_server.url}/programmes/{programme.slug}/")
    admin.get_by_role("link", name="4 of 5 (80.0%)").click()
    expect(admin.get_by_text("4 answers awaiting publication")).to_be_visible()
    expect(admin.get_by_text("Worth protecting time.")).to_have_count(0)

    answer(trainee_page, live_server, links[4])
    publish_due()
    admin.reload()
    expect(admin.get_by_text("Worth protecting time.")).to_have_count(0)  # the round is open
    admin.get_by_role("link", name="Close and publish now").first.click()
    admin.get_by_role("button", name="Close and publish").click()
    expect(admin.get_by_text("Returned: 5 of 5 (100.0%)")).to_be_visible()
    expect(admin.get_by_text("5 of 5 agreed (100.0%)").first).to_be_visible()
    expect(admin.get_by_text("Worth protecting time.")).to_have_count(5)
    screenshot(admin, "reports-feedback-results")
