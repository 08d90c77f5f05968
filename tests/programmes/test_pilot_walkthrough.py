"""The medical-school pilot (seed 004), walked through the site with the test client only: 143
fourth-year students in 11 cohorts of 13, September 2021 to December 2022, each cohort placed
for its four-week block in one 16-place group facilitated by two psychiatry trainees.

Staff create the programme and appoint its admin by email; the admin creates each cohort,
enrols its students (who accept on their own page) and places it for its block; the leader
records the four registers (with lateness) after each meeting; at the block's end the scan sends
the feedback, 72 of the 143 answer through the link in their email, and the admin closes the
round, which publishes its answers as one batch. The results page over the pilot's period, and
its CSV and XLSX exports, show the figures computed here from the answers the test chose.

The clock is moved through the pilot's year (`timezone.now`, which the code reads everywhere),
because the results page selects rounds by the day their feedback was sent. Made with factories,
because other pages do it (accounts are made by signing up, tested elsewhere; groups are
proposed and approved, tested elsewhere): the staff member, the admin's and the students'
accounts, the group and its two leaders.
"""

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from openpyxl import load_workbook

from groups.models import MembershipStatus
from groups.tasks import end_finished_block_memberships
from members.models import Programme
from sessions.meetings.models import AttendanceRecord, Meeting
from sessions.reports.questionnaires import DEFAULT_QUESTIONS
from sessions.reports.tasks import send_feedback_invitations
from tests.factories import BalintGroupFactory, LeadershipFactory, UserFactory, with_totp

pytestmark = pytest.mark.django_db

COHORTS, SIZE, WEEKS = 11, 13, 4
FIRST_BLOCK = date(2021, 9, 27)  # a Monday; a block every six weeks, the last ends in Dec 2022
P = "/programmes/cwp-pilot"
LONDON = ZoneInfo("Europe/London")
# 72 of the 143 answered. The first cohort's 4 answers are too few to show on their own, but
# they count in the totals.
ANSWERS_PER_COHORT = [4, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6]
AGREEMENT = [q["key"] for q in DEFAULT_QUESTIONS["trainees"] if q["kind"] == "agreement"]
RATING = [q["key"] for q in DEFAULT_QUESTIONS["trainees"] if q["kind"] == "rating"]


def _answers() -> list[dict]:
    """The 72 answers, chosen to give the pilot's figures: one student did not agree that the
    group helped them reflect, six did not enjoy it, and everyone rated it fair or better."""
    answers = []
    for n in range(sum(ANSWERS_PER_COHORT)):
        answers.append(
            {
                "reflect": 2 if n == 9 else 5 - n % 2,
                "understand": 3 if n % 9 == 0 else 4,
                "enjoyed": (3, 2, 3, 1, 3, 2)[n // 12] if n % 12 == 5 else 4 + n % 2,
                "will_use": 2 if n % 10 == 7 else 5,
                "overall": 3 + n % 3,
                "comments": f"Answer {n}: it was good to slow down." if n % 4 else "",
            }
        )
    return answers


def _expected(answers: list[dict], key: str) -> str:
    positive, verb = (
        ({4, 5}, "agreed") if key in AGREEMENT else ({3, 4, 5}, "rated it good or better")
    )
    agreed = sum(1 for answer in answers if answer[key] in positive)
    return f"{agreed} of {len(answers)} {verb} ({100 * agreed / len(answers):.1f}%)"


class Actions:
    """Counts what a person does on the site: each POST is one action."""

    def __init__(self, client):
        self.client, self.posts = client, 0

    def post(self, path: str, data: dict | None = None):
        self.posts += 1
        response = self.client.post(path, data or {})
        assert response.status_code == 302, response.content[:1500]
        return response


@pytest.fixture
def people(settings):
    # Signed in once in 2021, still signed in at the end (the clock jumps, the cookie stays).
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600
    staff = with_totp(UserFactory(email="staff@example.org", is_staff=True))
    admin = with_totp(UserFactory(email="pilot.admin@example.org", display_name="Pilot Admin"))
    leaders = [UserFactory(display_name=f"Dr Trainee {n}") for n in ("A", "B")]
    students = [
        [UserFactory(email=f"c{c}s{s}@example.org") for s in range(SIZE)] for c in range(COHORTS)
    ]
    return staff, admin, leaders, students


def _signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _create_programme(staff_client: Client, admin) -> Programme:
    created = staff_client.post(
        "/programmes/all/new/",
        {"name": "CWP medical student pilot", "slug": "cwp-pilot", "description": "Year 4"},
    )
    assert created["Location"] == P + "/admins/"
    appointed = staff_client.post(P + "/admins/add/", {"email": admin.email.upper()})
    assert appointed.status_code == 302
    programme = Programme.objects.get(slug="cwp-pilot")
    assert list(programme.admins.all()) == [admin]
    return programme


def _block_dates(number: int) -> tuple[date, date]:
    start = FIRST_BLOCK + timedelta(weeks=6 * number)
    return start, start + timedelta(weeks=WEEKS, days=-1)


def _place_block(admin: Actions, number: int, students) -> int:
    start, end = _block_dates(number)
    created = admin.post(
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
    admin.post(
        f"{P}/cohorts/{cohort_id}/enrol/",
        {"emails": "\n".join(s.email for s in students), "enrolled_on": start.isoformat()},
    )
    # Each student says yes to the invitation on their own page (their action, not the admin's).
    for student in students:
        _accept_invitation(student)
    admin.post(
        f"{P}/cohorts/{cohort_id}/block/",
        {"group": "y4-psych", "weekday": "2", "meeting_time": "13:30", "duration_minutes": "60"},
    )
    return cohort_id


def _accept_invitation(student) -> None:
    client = _signed_in(student)
    page = client.get("/programmes/certificates/mine/").content.decode()
    (accept,) = re.findall(r'action="(/programmes/invitations/\d+/accept/)"', page)
    assert client.post(accept).status_code == 302


def _record_registers(leader: Actions, clock, leaders, students, number: int) -> None:
    start, _ = _block_dates(number)
    for week in range(WEEKS):
        # Wednesdays at 13:30 for an hour; the leader fills the register in that afternoon,
        # following the link on the group's meetings page.
        day = start + timedelta(days=2, weeks=week)
        clock(datetime.combine(day, time(16), tzinfo=LONDON))
        listing = leader.client.get("/meetings/groups/y4-psych/").content.decode()
        (path,) = re.findall(r'href="(/meetings/\d+/register/)">Not recorded yet', listing)
        assert leader.client.get(path).status_code == 200
        marks = {f"status_{person.pk}": "present" for person in [*leaders, *students]}
        # Punctuality, as the pilot tracked it: one late each week, one away in week 3.
        marks[f"status_{students[week].pk}"] = "late"
        if week == 2:
            marks[f"status_{students[-1].pk}"] = "absent"
        marks[f"case_{students[week + 4].pk}"] = "on"
        leader.post(path, marks)


def _day_after_the_block(students, capture) -> dict[str, str]:
    """The block's end passes: Celery beat's scans end its memberships (nobody removes the
    students by hand) and email each student a feedback link. Returns the links by address."""
    mail.outbox.clear()
    with capture(execute=True):
        assert end_finished_block_memberships.delay().get() == SIZE
        send_feedback_invitations.delay().get()
    addresses = {student.email for student in students}
    links = {}
    for message in mail.outbox:
        found = re.search(r"https?://[^/\s]+(/programmes/feedback/[\w-]+/)", message.body)
        if found and message.to[0] in addresses:
            links[message.to[0]] = found.group(1)
    assert len(links) == SIZE
    return links


def _answer(link: str, answer: dict) -> None:
    client = Client()  # the link is the key: nobody signs in to answer
    assert client.get(link).status_code == 200
    response = client.post(link, answer)
    assert response["Location"] == "/programmes/feedback/thanks/", response.content[:1500]


def _run_block(number, *, clock, admin, leader, people, answers, capture) -> None:
    _, _, leaders, students = people
    start, end = _block_dates(number)
    clock(start - timedelta(days=7))
    cohort_id = _place_block(admin, number, students[number])
    _record_registers(leader, clock, leaders, students[number], number)

    clock(end + timedelta(days=1))
    links = _day_after_the_block(students[number], capture)
    for student, answer in zip(students[number], answers, strict=False):
        _answer(links[student.email], answer)

    # A week later the admin closes the round: its answers are published as one batch.
    clock(end + timedelta(days=7))
    close = f"{P}/cohorts/{cohort_id}/feedback/trainees/close/"
    assert admin.client.get(close).status_code == 200
    admin.post(close)


def _results(admin_client: Client, query: str):
    url = f"{P}/feedback/"
    page = admin_client.get(url + query).content.decode()
    csv_text = b"".join(admin_client.get(url + "results.csv" + query).streaming_content)
    rows = list(csv.reader(io.StringIO(csv_text.decode("utf-8-sig"))))
    xlsx = admin_client.get(url + "results.xlsx" + query)
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    return page, rows, [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_pilot_runs_its_whole_year_through_the_site(
    people, clock, django_capture_on_commit_callbacks
):
    staff, admin, leaders, _ = people
    clock(date(2021, 9, 1))
    programme = _create_programme(_signed_in(staff), admin)
    group = BalintGroupFactory(
        name="Year 4 psychiatry Balint", slug="y4-psych", capacity=16, programme=programme
    )
    for person in leaders:
        LeadershipFactory(group=group, person=person)
    admin_client, leader_client = _signed_in(admin), _signed_in(leaders[0])
    answers = _answers()

    given = 0
    for number, count in enumerate(ANSWERS_PER_COHORT):
        programme_admin, leader = Actions(admin_client), Actions(leader_client)
        _run_block(
            number,
            clock=clock,
            admin=programme_admin,
            leader=leader,
            people=people,
            answers=answers[given : given + count],
            capture=django_capture_on_commit_callbacks,
        )
        given += count
        assert programme_admin.posts <= 5, f"block {number + 1}: {programme_admin.posts}"
        assert leader.posts <= 5, f"block {number + 1}: {leader.posts}"

    meetings = Meeting.objects.filter(group=group)
    assert meetings.count() == 44
    assert meetings.first().starts_at.date() == date(2021, 9, 29)
    assert (meetings.last().starts_at.year, meetings.last().starts_at.month) == (2022, 12)
    records = AttendanceRecord.objects.filter(meeting__group=group)
    assert records.count() == 44 * (SIZE + 2)
    assert records.filter(status="late").count() == 44
    assert records.filter(status="absent").count() == 11
    # Each block's memberships ended with the block, and nobody was removed by hand.
    memberships = group.memberships.all()
    assert memberships.count() == COHORTS * SIZE
    assert set(memberships.values_list("status", flat=True)) == {MembershipStatus.LEFT}
    # The programme's attendance export has every student's marks, lateness included.
    export = admin_client.get(P + "/export/attendance.csv")
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert sum(1 for line in lines if ",Late," in line or ",late," in line) == 44

    clock(None)  # the report is read today
    page, rows, sheet = _results(admin_client, "?audience=trainees&start=2021-09-01&end=2022-12-31")

    assert "72 of 143 (50.3%)" in page
    # The pilot's figures, and each statement's share as the raw answers give it.
    assert _expected(answers, "reflect") == "71 of 72 agreed (98.6%)"
    assert _expected(answers, "enjoyed") == "66 of 72 agreed (91.7%)"
    assert _expected(answers, "overall") == "72 of 72 rated it good or better (100.0%)"
    for key in AGREEMENT + RATING:
        assert _expected(answers, key) in page, key
    assert "Fewer than five answers" in page  # the first cohort's four, counted but not shown

    # The exports hold the same figures as the page, as numbers in the spreadsheet.
    questions = {q["key"]: q["text"] for q in DEFAULT_QUESTIONS["trainees"]}
    totals = [r for r in rows if r[0].startswith("CWP medical student pilot")]
    assert totals[0][1:6] == ["Response rate", "72", "", "50.3", "143"]
    for key in AGREEMENT + RATING:
        agreed, answered = map(int, re.match(r"(\d+) of (\d+)", _expected(answers, key)).groups())
        share = round(100 * agreed / answered, 1)
        (row,) = [r for r in totals if r[1] == questions[key]]
        assert row[2:5] == [str(answered), str(agreed), str(share)]
        (typed,) = [r for r in sheet if r[0] == row[0] and r[1] == questions[key]]
        assert typed[2:5] == [answered, agreed, share]
    assert len(sheet) == len(rows)
    assert not any("slow down" in cell for row in rows for cell in row)  # aggregated only
