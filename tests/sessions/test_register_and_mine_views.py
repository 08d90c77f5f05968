"""The register page, My meetings and the personal record with its CSV; query counts."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from balint.exports import spreadsheet_cell
from sessions.attendance.register import Mark
from sessions.attendance.services import record_register
from sessions.meetings.models import Apology, AttendanceRecord, AttendanceRole, AttendanceStatus
from tests.factories import BalintGroupFactory, MembershipFactory, UserFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def register_url(meeting) -> str:
    return reverse("meetings:register", kwargs={"pk": meeting.pk})


def test_apologies_are_prefilled_in_the_register(client_for, leader, member, past_meeting):
    Apology.objects.create(meeting=past_meeting, person=member)

    response = client_for("leader").get(register_url(past_meeting))

    form = response.context["form"]
    assert form[f"status_{member.pk}"].initial == AttendanceStatus.APOLOGIES
    assert form[f"status_{leader.pk}"].initial is None
    html = response.content.decode()
    radio = re.search(rf'<input[^>]*name="status_{member.pk}" value="apologies"[^>]*>', html)
    assert "checked" in radio.group(0)
    assert '<legend class="register-name">' in html and "Presented a case" in html


def test_the_register_is_saved_in_one_post(client_for, leader, member, past_meeting):
    data = {
        f"status_{leader.pk}": "present",
        f"status_{member.pk}": "late",
        f"case_{member.pk}": "on",
    }

    response = client_for("leader").post(register_url(past_meeting), data, follow=True)

    assert "The register has been saved." in response.content.decode()
    assert AttendanceRecord.objects.count() == 2
    record = AttendanceRecord.objects.get(person=member)
    assert (record.status, record.presented_case, record.recorded_by) == ("late", True, leader)
    assert "Recorded by Dr Lena Leader" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"status_{leader}": "present"},
        {"status_{leader}": "present", "status_{member}": "asleep"},
        {"status_{leader}": "present", "status_{member}": "absent", "case_{member}": "on"},
        {"status_{leader}": "present", "status_{member}": "present", "status_999999": "present"},
    ],
)
def test_a_bad_register_is_a_form_error(client_for, leader, member, past_meeting, data):
    data = {key.format(leader=leader.pk, member=member.pk): value for key, value in data.items()}

    response = client_for("leader").post(register_url(past_meeting), data)

    if "status_999999" in data:  # an unknown field is ignored; the rest is saved
        assert response.status_code == 302
        assert AttendanceRecord.objects.count() == 2
    else:
        assert response.status_code == 200 and response.context["form"].errors
        assert not AttendanceRecord.objects.exists()


def test_after_14_days_the_register_is_read_only_for_leaders_but_not_staff(
    client_for, leader, member, staff, group
):
    old = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=20))
    group.memberships.update(joined_at=old.starts_at - timedelta(days=30))
    data = {f"status_{leader.pk}": "present", f"status_{member.pk}": "present"}

    for_leader = client_for("leader").get(register_url(old))
    assert not for_leader.context["editable"]
    assert "can no longer be changed" in for_leader.content.decode()
    assert client_for("leader").post(register_url(old), data).status_code == 403

    client = client_for("staff")
    assert client.get(register_url(old)).context["editable"]
    assert client.post(register_url(old), data).status_code == 302
    assert AttendanceRecord.objects.filter(meeting=old).count() == 2


def test_the_register_is_not_open_before_the_meeting(client_for, leader, meeting):
    response = client_for("leader").get(register_url(meeting))

    assert "opens when the meeting starts" in response.content.decode()
    assert client_for("leader").post(register_url(meeting), {}).status_code == 403


def group_with_members(count: int):
    group = BalintGroupFactory()
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(hours=1))
    people = UserFactory.create_batch(count)
    for person in people:
        MembershipFactory(group=group, person=person, joined_at=meeting.starts_at)
    leader = UserFactory()
    group.leaderships.create(person=leader)
    for person in people[::3]:
        Apology.objects.create(meeting=meeting, person=person)
    for person in people[::2]:
        AttendanceRecord.objects.create(
            meeting=meeting,
            person=person,
            role=AttendanceRole.MEMBER,
            status="present",
            recorded_by=leader,
            recorded_at=timezone.now(),
        )
    return meeting, leader


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_register_page_query_count_does_not_grow_with_attendees(client):
    counts = []
    for size in (5, 50):
        meeting, leader = group_with_members(size)
        client.force_login(leader)
        counts.append(count_queries(client, register_url(meeting)))

    assert counts[0] == counts[1]


def test_my_meetings_query_count_does_not_grow_with_meetings_or_groups(client):
    counts = []
    for size in (5, 50):
        person = UserFactory()
        for _ in range(size // 5):
            group = BalintGroupFactory()
            MembershipFactory(group=group, person=person)
            for days in range(-2, 3):
                meeting = MeetingFactory(
                    group=group, starts_at=timezone.now() + timedelta(days=days * 7 + 1)
                )
                if days < 0:
                    AttendanceRecord.objects.create(
                        meeting=meeting,
                        person=person,
                        role="member",
                        status="present",
                        recorded_at=timezone.now(),
                    )
        client.force_login(person)
        counts.append(count_queries(client, reverse("meetings:mine")))

    assert counts[0] == counts[1]


def test_my_meetings_lists_upcoming_and_past_with_my_attendance(
    client_for, leader, member, past_meeting, meeting
):
    record_register(
        meeting=past_meeting,
        by=leader,
        marks={leader.pk: Mark("present"), member.pk: Mark("late", True)},
    )

    response = client_for("member").get(reverse("meetings:mine"))

    assert list(response.context["upcoming"]) == [meeting]
    assert list(response.context["past_page"]) == [past_meeting]
    assert "Late · presented a case" in " ".join(response.content.decode().split())


def test_my_record_counts_attendance_cases_and_leading(client_for, leader, member, group):
    for days, mark in [(3, Mark("present", True)), (10, Mark("late")), (17, Mark("absent"))]:
        past = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=days))
        group.memberships.update(joined_at=past.starts_at - timedelta(days=1))
        record_register(
            meeting=past,
            by=leader,
            marks={leader.pk: Mark("present"), member.pk: mark},
            now=past.ends_at,
        )

    assert client_for("member").get(reverse("meetings:record")).context["totals"] == {
        "attended": 2,
        "cases": 1,
        "led": 0,
    }
    assert client_for("leader").get(reverse("meetings:record")).context["totals"] == {
        "attended": 3,
        "cases": 0,
        "led": 3,
    }


def test_the_record_csv_is_utf8_with_a_bom_and_cannot_carry_formulas(
    client_for, leader, member, group, past_meeting
):
    group.name = '=HYPERLINK("http://evil") Gruppe für Ärzte'
    group.save()
    record_register(
        meeting=past_meeting,
        by=leader,
        marks={leader.pk: Mark("present"), member.pk: Mark("present", True)},
    )

    response = client_for("member").get(reverse("meetings:record_csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Date" and len(rows) == 2
    assert rows[1][4] == '\'=HYPERLINK("http://evil") Gruppe für Ärzte'
    assert rows[1][5:] == ["Member", "Present", "Yes"]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(value):
    assert spreadsheet_cell(value) == f"'{value}"


def test_plain_cells_are_kept():
    assert spreadsheet_cell("Cotham GP Balint Group") == "Cotham GP Balint Group"
