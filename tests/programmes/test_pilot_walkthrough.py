"""The medical-school pilot (seed 004), walked through the site with the test client only: 143
fourth-year students in 11 cohorts of 13, September 2021 to December 2022, each cohort placed
for its four-week block in one 16-place group facilitated by two psychiatry trainees, who then
record the 44 registers (with lateness) as past meetings.

Set up with factories, because other pages do it (programme creation is being built in parallel,
and accounts are made by signing up, which is tested elsewhere): the programme and its admin,
the group and its two leaders, and the students' accounts. Everything the programme admin and
the leaders do is a request to the site.
"""

import re
from datetime import date, timedelta

import pytest
from django.test import Client

from groups.models import MembershipStatus
from sessions.meetings.models import AttendanceRecord, Meeting
from tests.factories import (
    BalintGroupFactory,
    LeadershipFactory,
    ProgrammeFactory,
    UserFactory,
    with_totp,
)

pytestmark = pytest.mark.django_db

COHORTS, SIZE, WEEKS = 11, 13, 4
FIRST_BLOCK = date(2021, 9, 27)  # a Monday; a block every six weeks, the last ends in Dec 2022
P = "/programmes/cwp-pilot"


class Actions:
    """Counts what a person does on the site: each POST is one action."""

    def __init__(self, client):
        self.client, self.posts = client, 0

    def post(self, path: str, data: dict):
        self.posts += 1
        response = self.client.post(path, data)
        assert response.status_code == 302, response.content[:1500]
        return response


@pytest.fixture
def pilot(client):
    admin = with_totp(UserFactory(email="pilot.admin@example.org", display_name="Pilot Admin"))
    programme = ProgrammeFactory(name="CWP medical student pilot", slug="cwp-pilot", admins=[admin])
    group = BalintGroupFactory(
        name="Year 4 psychiatry Balint", slug="y4-psych", capacity=16, programme=programme
    )
    leaders = [UserFactory(display_name=f"Dr Trainee {n}") for n in ("A", "B")]
    for person in leaders:
        LeadershipFactory(group=group, person=person)
    students = [
        [UserFactory(email=f"c{c}s{s}@example.org") for s in range(SIZE)] for c in range(COHORTS)
    ]
    return admin, group, leaders, students


def _place_block(actions: Actions, number: int, students) -> tuple[int, date]:
    start = FIRST_BLOCK + timedelta(weeks=6 * number)
    end = start + timedelta(weeks=WEEKS, days=-1)
    created = actions.post(
        P + "/cohorts/new/",
        {
            "name": f"Block {number + 1}",
            "starts_on": start.isoformat(),
            "ends_on": end.isoformat(),
            "requirement": "meetings",
            "amount": "3",
            "apologies": "excused",
            "late_counts": "yes",
        },
    )
    cohort_id = int(created["Location"].rstrip("/").rsplit("/", 1)[1])
    actions.post(
        f"{P}/cohorts/{cohort_id}/enrol/",
        {"emails": "\n".join(s.email for s in students), "enrolled_on": start.isoformat()},
    )
    # Each student says yes to the invitation on their own page (their action, not the admin's).
    for student in students:
        _accept_invitation(student)
    actions.post(
        f"{P}/cohorts/{cohort_id}/block/",
        {"group": "y4-psych", "weekday": "2", "meeting_time": "13:30", "duration_minutes": "60"},
    )
    return cohort_id, start


def _accept_invitation(student) -> None:
    client = Client()
    client.force_login(student)
    page = client.get("/programmes/certificates/mine/").content.decode()
    (accept,) = re.findall(r'action="(/programmes/invitations/\d+/accept/)"', page)
    assert client.post(accept).status_code == 302


def _record_registers(actions: Actions, group, leaders, students, start: date) -> None:
    end = start + timedelta(weeks=WEEKS)
    meetings = Meeting.objects.filter(
        group=group, starts_at__date__gte=start, starts_at__date__lt=end
    ).order_by("starts_at")
    for week, meeting in enumerate(meetings):
        path = f"/meetings/{meeting.pk}/register/"
        assert actions.client.get(path).status_code == 200
        marks = {f"status_{person.pk}": "present" for person in [*leaders, *students]}
        # Punctuality, as the pilot tracked it: one late each week, one away in week 3.
        marks[f"status_{students[week].pk}"] = "late"
        if week == 2:
            marks[f"status_{students[-1].pk}"] = "absent"
        marks[f"case_{students[week + 4].pk}"] = "on"
        actions.post(path, marks)


def test_the_pilot_runs_its_whole_history_through_the_site(client, pilot, django_user_model):
    admin, group, leaders, students = pilot
    admin_client, leader_client = client, type(client)()
    admin_client.force_login(admin)
    leader_client.force_login(leaders[0])

    for number in range(COHORTS):
        programme_admin = Actions(admin_client)
        _, start = _place_block(programme_admin, number, students[number])
        leader = Actions(leader_client)
        _record_registers(leader, group, leaders, students[number], start)

        assert programme_admin.posts <= 5, f"block {number + 1}: {programme_admin.posts}"
        assert leader.posts <= 5, f"block {number + 1}: {leader.posts}"

    meetings = Meeting.objects.filter(group=group)
    assert meetings.count() == 44 and all(m.recorded_afterwards for m in meetings)
    assert meetings.first().starts_at.date() == date(2021, 9, 29)
    assert meetings.last().starts_at.date().year == 2022
    assert meetings.last().starts_at.date().month == 12
    records = AttendanceRecord.objects.filter(meeting__group=group)
    assert records.count() == 44 * (SIZE + 2)
    assert records.filter(status="late").count() == 44
    assert records.filter(status="absent").count() == 11
    # Each block's memberships ended with the block, and nobody was removed by hand.
    memberships = group.memberships.all()
    assert memberships.count() == COHORTS * SIZE
    assert set(memberships.values_list("status", flat=True)) == {MembershipStatus.LEFT}
    assert not memberships.filter(status=MembershipStatus.REMOVED).exists()
    # The programme's attendance export has every student's marks, lateness included.
    export = admin_client.get(P + "/export/attendance.csv")
    rows = b"".join(export.streaming_content).decode().splitlines()
    assert sum(1 for row in rows if ",Late," in row or ",late," in row) == 44
