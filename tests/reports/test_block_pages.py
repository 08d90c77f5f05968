"""The blocks and history pages: placing a cohort for its block, adding its meetings, and
entering a meeting that has already taken place, from every persona's side; bad input; and the
few actions a block needs."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from groups.models import MembershipStatus
from sessions.meetings.models import AttendanceRecord, Meeting
from sessions.programmes.models import CohortPlacement, Enrolment
from tests.conftest import PERSONAS
from tests.factories import UserFactory
from tests.reports.factories import CohortFactory

pytestmark = pytest.mark.django_db

LOGIN = "login"
ADMINS = {**dict.fromkeys(PERSONAS, 404), "anonymous": LOGIN, "programme_admin": 200, "staff": 200}
# A group's history: its leaders, its programme's admins and staff; its members may see the
# group but not change it (403); others may not see its management at all (404).
HISTORY = {
    **ADMINS,
    "leader": 200,
    "member": 403,
}

C = "/programmes/severn/cohorts/{cohort}"
PAST = "/programmes/history/groups/cotham/past-meeting/"
BLOCK = {"group": "cotham", "weekday": "2", "meeting_time": "14:00", "duration_minutes": "60"}
PAST_MEETING = {"day": "2022-03-14", "start": "14:00", "duration_minutes": "90"}

VIEWS = {
    "block page": ("get", C + "/block/", {}, ADMINS, 200),
    "place for the block": ("post", C + "/block/", BLOCK, ADMINS, 302),
    "add block meetings": ("post", C + "/block/{placement}/meetings/", {}, ADMINS, 302),
    "past meeting page": ("get", PAST, {}, HISTORY, 200),
    "record a past meeting": ("post", PAST, PAST_MEETING, HISTORY, 302),
}  # fmt: skip


@pytest.fixture
def ids(programme, group, member, leader, other_member, other_leader, programme_admin, staff):
    programme.slug = "severn"
    programme.save()
    cohort = CohortFactory(programme=programme)
    Enrolment.objects.create(cohort=cohort, person=UserFactory(), enrolled_on=cohort.starts_on)
    placement = CohortPlacement.objects.create(
        cohort=cohort, group=group, weekday=2, meeting_time="14:00", duration_minutes=60
    )
    return {"cohort": cohort.pk, "placement": placement.pk}


def _fill(value, ids):
    return value.format(**ids) if isinstance(value, str) else value


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", VIEWS)
def test_persona_matrix(client_for, ids, persona, name):
    method, path, data, expectations, success = VIEWS[name]
    client = client_for(persona)

    response = getattr(client, method)(_fill(path, ids), data)

    expected = expectations[persona]
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif expected == 200:
        assert response.status_code == success, response.content[:500]
    else:
        assert response.status_code == expected


def test_the_block_of_another_programmes_cohort_is_not_found(client, ids, programme_admin):
    other = CohortFactory()
    client.force_login(programme_admin)

    response = client.get(f"/programmes/severn/cohorts/{other.pk}/block/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "data, message",
    [
        ({**BLOCK, "group": ""}, "Choose a group."),
        ({**BLOCK, "group": "online"}, "Choose a group."),
        ({**BLOCK, "meeting_time": ""}, "Give the time of the weekly meeting."),
        ({**BLOCK, "meeting_time": "half past two"}, "Give the time as hours and minutes"),
        ({**BLOCK, "duration_minutes": "5"}, "A meeting lasts at least"),
        ({**BLOCK, "weekday": "9"}, "Select a valid choice"),
    ],
)
def test_bad_block_input_is_a_form_error(client, ids, programme_admin, other_group, data, message):
    client.force_login(programme_admin)

    response = client.post(_fill(C + "/block/", ids), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({**PAST_MEETING, "day": "14/03/2022x"}, "Give the date as day, month and year"),
        ({**PAST_MEETING, "start": ""}, "This field is required"),
        ({**PAST_MEETING, "duration_minutes": "900"}, "A meeting lasts at most"),
        ({**PAST_MEETING, "day": "2099-01-01"}, "has not finished yet"),
    ],
)
def test_bad_past_meeting_input_is_a_form_error(client, group, leader, data, message):
    client.force_login(leader)

    response = client.post(PAST, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_past_meeting_twice_at_the_same_time_is_refused(client, group, leader):
    client.force_login(leader)
    client.post(PAST, PAST_MEETING)

    response = client.post(PAST, PAST_MEETING)

    assert "already has a meeting at that time" in response.content.decode()
    assert Meeting.objects.count() == 1


def test_a_programme_admin_records_the_register_of_a_past_meeting(
    client, group, member, programme_admin
):
    client.force_login(programme_admin)
    response = client.post(PAST, PAST_MEETING)
    meeting = Meeting.objects.get()
    assert meeting.recorded_afterwards
    assert response["Location"] == f"/meetings/{meeting.pk}/register/"
    group.memberships.update(joined_at=timezone.now() - timedelta(days=2000))

    page = client.get(response["Location"])
    field = f"status_{member.pk}"
    saved = client.post(response["Location"], {field: "late"})

    assert page.status_code == 200 and "Recorded afterwards" in page.content.decode()
    assert saved.status_code == 302, saved.content[:800]
    assert AttendanceRecord.objects.get(meeting=meeting, person=member).status == "late"


def _csrf_posts(client):
    """Count the POSTs a person makes (each is one action on the site)."""
    posts = []
    original = client.post

    def post(*args, **kwargs):
        posts.append(args[0])
        return original(*args, **kwargs)

    client.post = post
    return posts


def accept_own_invitation(student) -> None:
    own = Client()
    own.force_login(student)
    page = own.get("/programmes/certificates/mine/").content.decode()
    (accept,) = re.findall(r'action="(/programmes/invitations/\d+/accept/)"', page)
    assert own.post(accept).status_code == 302


def test_a_block_takes_the_programme_admin_three_posts_and_the_leader_four(
    client, programme, group, leader, programme_admin
):
    """Create the cohort, enrol, place for the block with its meetings: then the leader writes
    the four registers. Nobody removes anyone when the block ends."""
    programme.slug = "severn"
    programme.save()
    group.capacity = 16
    group.save()
    students = [UserFactory(email=f"student{n}@example.org") for n in range(13)]
    start = date(2022, 1, 3)
    client.force_login(programme_admin)
    admin_posts = _csrf_posts(client)

    client.post(
        "/programmes/severn/cohorts/new/",
        {
            "name": "Block 5",
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=27)).isoformat(),
            "requirement": "meetings",
            "amount": "3",
            "apologies": "absence",
            "late_counts": "yes",
        },
    )
    cohort = programme.cohorts.get(name="Block 5")
    client.post(
        f"/programmes/severn/cohorts/{cohort.pk}/enrol/",
        {"emails": "\n".join(s.email for s in students), "enrolled_on": start.isoformat()},
    )
    # Each student accepts the invitation on their own page: their action, not the admin's.
    for student in students:
        accept_own_invitation(student)
    client.post(f"/programmes/severn/cohorts/{cohort.pk}/block/", {**BLOCK, "weekday": "2"})

    assert len(admin_posts) == 3
    assert group.memberships.filter(starts_on=start).count() == 13
    meetings = list(Meeting.objects.filter(group=group).order_by("starts_at"))
    assert len(meetings) == 4 and all(m.recorded_afterwards for m in meetings)

    client.force_login(leader)
    leader_posts = _csrf_posts(client)
    for meeting in meetings:
        marks = {f"status_{s.pk}": "present" for s in students}
        marks[f"status_{leader.pk}"] = "present"
        marks[f"status_{students[0].pk}"] = "late"
        response = client.post(f"/meetings/{meeting.pk}/register/", marks)
        assert response.status_code == 302, response.content[:800]

    assert len(leader_posts) == 4 <= 5
    assert AttendanceRecord.objects.filter(status="late").count() == 4
    assert AttendanceRecord.objects.count() == 4 * 14
    assert not group.memberships.filter(status=MembershipStatus.REMOVED).exists()
    assert set(group.memberships.values_list("status", flat=True)) == {MembershipStatus.LEFT}


def test_the_block_page_costs_the_same_queries_for_one_group_as_for_five(
    client, ids, programme, programme_admin
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import BalintGroupFactory

    cohort_id = ids["cohort"]
    client.force_login(programme_admin)
    path = f"/programmes/severn/cohorts/{cohort_id}/block/"
    counts = []
    for more in (0, 4):
        for _ in range(more):
            CohortPlacement.objects.create(
                cohort_id=cohort_id, group=BalintGroupFactory(programme=programme)
            )
        cache.clear()  # cold: each size pays for the same look-ups
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts.append(len(queries))

    assert CohortPlacement.objects.filter(cohort_id=cohort_id).count() == 5
    assert counts[0] == counts[1]
