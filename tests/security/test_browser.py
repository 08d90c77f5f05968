"""In Chromium: a new member of staff signs in, is asked to set up two-factor authentication,
does so with the secret shown, and reaches the audit log."""

import pytest
from playwright.sync_api import expect

from groups.services import update_group_settings
from tests.browser import screenshot
from tests.factories import PASSWORD, UserFactory, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_set_up_mfa_at_sign_in_then_read_the_audit_log(live_server, page, group, leader):
    update_group_settings(group=group, by=leader, changes={"capacity": group.capacity + 1})
    staff = UserFactory(display_name="Sam Staff", email="sam@example.org", is_staff=True)

    page.goto(f"{live_server.url}/accounts/login/?next=/admin/audit/auditevent/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Every page now leads to the set-up, which first asks for the password again.
    expect(page.get_by_text("needs two-factor authentication")).to_be_visible()
    screenshot(page, "security-1-asked-to-set-up-mfa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    screenshot(page, "security-2-authenticator-set-up")
    secret = page.locator("#authenticator_secret").inner_text().strip()
    page.get_by_role("textbox", name="Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("needs two-factor authentication")).to_have_count(0)

    page.goto(f"{live_server.url}/admin/audit/auditevent/")
    expect(page.get_by_text("Changed the group's settings: capacity")).to_be_visible()
    expect(page.get_by_role("link", name="Add audit event")).to_have_count(0)
    screenshot(page, "security-3-audit-log")
