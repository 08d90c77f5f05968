"""The subject access download: everything about the signed-in person, nobody else's, as JSON
and as CSV that opens safely in a spreadsheet; and who may reach the pages."""

import csv
import io
import json

import pytest
from django.urls import reverse

from balint.audit import services as audit
from groups.services import update_group_settings
from sessions.meetings.models import CalendarAnswer, CalendarReply
from sessions.programmes.models import CohortPlacement
from sessions.tasters.invitations import invite_tasters
from tests.reports.factories import CohortFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

PAGES = ["personal_data:page", "personal_data:json", "personal_data:csv"]


def download_json(client) -> dict:
    response = client.get(reverse("personal_data:json"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def download_csv(client) -> list[list[str]]:
    response = client.get(reverse("personal_data:csv"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("name", [*PAGES, "personal_data:close"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_json_download_holds_every_section_of_the_persons_data(client, member, world):
    client.force_login(member)

    data = download_json(client)

    assert data["profile"][0]["email"] == "mo@example.org"
    assert data["profile"][0]["display_name"] == "Dr Mo Member"
    assert [e["email"] for e in data["email_addresses"]] == ["mo@example.org"]
    (membership,) = data["memberships"]
    assert membership["group"] == "Cotham GP Balint Group" and membership["status"] == "Member"
    assert len(data["attendance"]) == 2
    assert {a["status"] for a in data["attendance"]} == {"Present", "Late"}
    assert len(data["apologies"]) == 1
    assert len(data["taster_bookings"]) == 1
    assert len(data["taster_invitations"]) == 1
    assert len(data["group_invitations"]) == 1
    assert [e["cohort"] for e in data["enrolments"]] == ["Block 7"]
    assert [f["answered"] for f in data["feedback_invitations"]] == [True]
    subjects = [m["subject"] for m in data["emails_sent_to_you"]]
    assert "Your reminder" in subjects and len(subjects) == 2
    # The anonymous answers are not linked to anyone, so they are not anybody's data.
    assert "Thoughtful." not in json.dumps(data)


def test_the_download_holds_the_audit_log_of_what_the_person_did(client, leader, group):
    update_group_settings(group=group, by=leader, changes={"capacity": group.capacity + 1})
    client.force_login(leader)

    (entry,) = download_json(client)["things_you_did"]

    assert entry["what"] == "Changed the group's settings: capacity"
    assert entry["area"] == "Rosters" and entry["where"] == group.name


def test_nobody_gets_another_persons_data(client, member, leader, world, stranger_world):
    client.force_login(member)
    text = json.dumps(download_json(client))
    assert "sid@example.org" not in text and "Only for Sid" not in text
    assert "Dr Person" not in text  # the classmates

    client.force_login(leader)
    data = download_json(client)
    assert data["profile"][0]["email"] == "lena@example.org"
    assert data["attendance"] == [] and data["apologies"] == [] and data["enrolments"] == []
    assert "mo@example.org" not in json.dumps(data)


def test_the_csv_download_has_a_section_column_and_neutralises_formulas(client, member, world):
    member.display_name = '=HYPERLINK("http://evil.example")'
    member.save()
    client.force_login(member)

    rows = download_csv(client)

    assert rows[0] == ["Section", "Record", "Field", "Value"]
    sections = {row[0] for row in rows[1:]}
    assert {"profile", "memberships", "attendance", "emails_sent_to_you"} <= sections
    (name,) = [row[3] for row in rows if row[:3] == ["profile", "1", "display_name"]]
    assert name == '\'=HYPERLINK("http://evil.example")'
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_page_lists_what_is_held_and_offers_both_downloads(client, member, world):
    client.force_login(member)

    response = client.get(reverse("personal_data:page"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page">Your data</a>' in html
    assert reverse("personal_data:json") in html and reverse("personal_data:csv") in html
    assert reverse("personal_data:close") in html


def test_the_profile_tabs_link_to_the_data_page(client, member):
    client.force_login(member)

    response = client.get(reverse("members:profile"))

    assert reverse("personal_data:page") in response.content.decode()


def test_closing_needs_a_post(client, member):
    client.force_login(member)

    assert client.get(reverse("personal_data:close")).status_code == 405


def test_the_download_holds_roles_what_others_recorded_and_what_they_made(
    client, programme_admin, programme, group, leader, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_tasters(group=group, by=programme_admin, addresses="new.gp@example.org")
    cohort = CohortFactory(programme=programme, name="Block 9", created_by=programme_admin)
    CohortPlacement.objects.create(cohort=cohort, group=group, placed_by=programme_admin)
    audit.record(
        actor=leader,
        area=audit.Area.ROSTER,
        action="test.about",
        summary="Helen Admin was mentioned by a leader",
        where=group,
    )
    client.force_login(programme_admin)

    data = download_json(client)

    assert data["roles"] == [{"role": "Programme admin", "of": "Severn scheme"}]
    about = [entry["what"] for entry in data["about_you_in_the_audit_log"]]
    assert about == ["Helen Admin was mentioned by a leader"]
    made = {
        (entry["what"], entry.get("to") or entry.get("name") or entry.get("cohort"))
        for entry in data["things_you_created"]
    }
    assert made == {
        ("Taster invitation", "new.gp@example.org"),
        ("Cohort", "Block 9"),
        ("Cohort placed in a group", "Block 9"),
    }


def test_the_download_holds_the_persons_calendar_answers(client, member, group):
    meeting = MeetingFactory(group=group)
    CalendarReply.objects.create(
        meeting=meeting,
        person=member,
        answer=CalendarAnswer.TENTATIVE,
        stamped_at=meeting.starts_at,
    )
    client.force_login(member)

    (reply,) = download_json(client)["calendar_replies"]

    assert reply["group"] == group.name and reply["answer"] == CalendarAnswer.TENTATIVE.label
