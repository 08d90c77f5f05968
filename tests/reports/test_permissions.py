"""Every view of the reports app, from every persona's side.

A programme's pages are for its admins and staff: everyone else gets 404 (they may not learn
that its reports exist), visitors are sent to sign in. A trainee sees only their own
certificates; a feedback link works for whoever holds it, signed in or not."""

from datetime import date, timedelta

import pytest

from balint.outbox.models import Message
from sessions.programmes.models import Enrolment, PendingEnrolment
from sessions.reports.feedback import (
    close_round,
    invite_cohort_feedback,
    invite_feedback_after_taster,
    open_group_round,
)
from tests.conftest import PERSONAS
from tests.factories import ProgrammeFactory
from tests.reports.factories import CohortFactory
from tests.sessions.factories import MeetingFactory

pytestmark = pytest.mark.django_db

LOGIN = "login"
ADMINS = {**dict.fromkeys(PERSONAS, 404), "anonymous": LOGIN, "programme_admin": 200, "staff": 200}
STAFF = {**ADMINS, "programme_admin": 404}
NOBODY = {**dict.fromkeys(PERSONAS, 404), "anonymous": LOGIN}
SIGNED_IN = {**dict.fromkeys(PERSONAS, 200), "anonymous": LOGIN}
TRAINEE = {**dict.fromkeys(PERSONAS, 404), "anonymous": LOGIN, "member": 200}
EVERYONE = dict.fromkeys(PERSONAS, 200)
# A group's own feedback is its leaders' (and staff's): members and programme admins get 404.
LEADERS = {**dict.fromkeys(PERSONAS, 404), "anonymous": LOGIN, "leader": 200, "staff": 200}

P = "/programmes/severn"
C = P + "/cohorts/{cohort}"
MINE = "/programmes/certificates/mine/"
ENROL = {"emails": "x@example.org", "enrolled_on": "{start}"}
PLACE = {"group": "cotham", "trainees": ["mo@example.org"]}
LEFT = {"left_on": "{start}"}
RANGE = {"start": "{start}", "end": "{start}"}
RANGE_AND_WHO = {**RANGE, "audience": "facilitators"}
F = P + "/feedback"
G = "/programmes/group-feedback/cotham"
QUESTIONS = {
    "q-TOTAL_FORMS": "1",
    "q-INITIAL_FORMS": "0",
    "q-0-text": "The group helped me.",
    "q-0-kind": "agreement",
    "q-0-required": "on",
}
COHORT = {
    "name": "New block",
    "starts_on": "2026-09-01",
    "ends_on": "2026-10-31",
    "requirement": "percent",
    "amount": "75",
    "apologies": "excused",
    "late_counts": "yes",
}

# name: (method, path, data, expectations, success code)
VIEWS = {
    "index": ("get", "/programmes/", {}, SIGNED_IN, 200),
    "dashboard": ("get", P + "/", {}, ADMINS, 200),
    "dashboard filtered": ("get", P + "/?start=2026-01-01&end=2026-12-31", {}, ADMINS, 200),
    "other programme": ("get", "/programmes/elsewhere/", {}, STAFF, 200),
    "other programme's cohort": ("get", "/programmes/elsewhere/cohorts/{other}/", {}, STAFF, 200),
    "cohort in the wrong programme": ("get", P + "/cohorts/{other}/", {}, NOBODY, 200),
    "create form": ("get", P + "/cohorts/new/", {}, ADMINS, 200),
    "create": ("post", P + "/cohorts/new/", COHORT, ADMINS, 302),
    "cohort": ("get", C + "/", {}, ADMINS, 200),
    "enrol": ("post", C + "/enrol/", ENROL, ADMINS, 302),
    "place form": ("get", C + "/place/", {}, ADMINS, 200),
    "place": ("post", C + "/place/", PLACE, ADMINS, 302),
    "end enrolment": ("post", C + "/enrolments/{enrolment}/end/", LEFT, ADMINS, 302),
    "withdraw invitation": ("post", C + "/invitations/{pending}/withdraw/", {}, ADMINS, 302),
    "trainee certificate": ("get", C + "/trainees/{trainee}/certificate.pdf", {}, ADMINS, 200),
    "cohort feedback": ("get", C + "/feedback/", {}, ADMINS, 200),
    "taster feedback": ("get", P + "/groups/cotham/taster-feedback/", {}, ADMINS, 200),
    "send feedback now": ("post", C + "/feedback/send/", {}, ADMINS, 302),
    "remind a block": ("post", C + "/feedback/trainees/remind/", {}, ADMINS, 302),
    "close a block's round, asked": ("get", C + "/feedback/trainees/close/", {}, ADMINS, 200),
    "close a block's round": ("post", C + "/feedback/trainees/close/", {}, ADMINS, 302),
    "feedback results": ("get", F + "/", {}, ADMINS, 200),
    "feedback results for a period": ("get", F + "/", RANGE_AND_WHO, ADMINS, 200),
    "feedback results csv": ("get", F + "/results.csv", RANGE_AND_WHO, ADMINS, 200),
    "feedback results xlsx": ("get", F + "/results.xlsx", RANGE_AND_WHO, ADMINS, 200),
    "questionnaire form": ("get", F + "/questionnaire/trainees/", {}, ADMINS, 200),
    "questionnaire save": ("post", F + "/questionnaire/facilitators/", QUESTIONS, ADMINS, 302),
    "other programme's results": ("get", "/programmes/elsewhere/feedback/", {}, STAFF, 200),
    "group feedback": ("get", G + "/", {}, LEADERS, 200),
    "group round start": ("post", G + "/start/", {"closes_on": "{soon}"}, LEADERS, 302),
    "group round remind": ("post", G + "/rounds/{round}/remind/", {}, LEADERS, 302),
    "group round close, asked": ("get", G + "/rounds/{round}/close/", {}, LEADERS, 200),
    "group round close": ("post", G + "/rounds/{round}/close/", {}, LEADERS, 302),
    "group questionnaire form": ("get", G + "/questionnaire/", {}, LEADERS, 200),
    "group questionnaire save": ("post", G + "/questionnaire/", QUESTIONS, LEADERS, 302),
    "attendance csv": ("get", P + "/export/attendance.csv", {}, ADMINS, 200),
    "attendance xlsx": ("get", P + "/export/attendance.xlsx", {}, ADMINS, 200),
    "trainees csv": ("get", P + "/export/trainees.csv", {}, ADMINS, 200),
    "trainees xlsx": ("get", P + "/export/trainees.xlsx", {}, ADMINS, 200),
    "my certificates": ("get", MINE, {}, SIGNED_IN, 200),
    "my cohort certificate": ("get", MINE + "cohort-{cohort}.pdf", {}, TRAINEE, 200),
    "my range certificate": ("get", MINE + "range.pdf", RANGE, SIGNED_IN, 200),
    "feedback form": ("get", "/programmes/feedback/{token}/", {}, EVERYONE, 200),
    "feedback thanks": ("get", "/programmes/feedback/thanks/", {}, EVERYONE, 200),
}  # fmt: skip


@pytest.fixture
def ids(programme, group, member, leader, other_member, other_leader, programme_admin, staff):
    """Every persona exists; the objects the views act on."""
    programme.slug = "severn"
    programme.save()
    cohort = CohortFactory(programme=programme)
    cohort.placements.create(group=group)
    enrolment = Enrolment.objects.create(cohort=cohort, person=member, enrolled_on=cohort.starts_on)
    pending = PendingEnrolment.objects.create(
        cohort=cohort, email="later@example.org", enrolled_on=cohort.starts_on
    )
    other = CohortFactory(programme=ProgrammeFactory(slug="elsewhere"))
    invite_feedback_after_taster(person=member, meeting=MeetingFactory(group=group))
    token = _token_from_outbox()
    invite_cohort_feedback(cohort=cohort)
    # A closed round of the group's own (so a new one may be opened).
    round_, _ = open_group_round(group=group, closes_on=date.today() + timedelta(days=9), by=leader)
    close_round(round_id=round_.pk)
    return {
        "cohort": cohort.pk,
        "other": other.pk,
        "enrolment": enrolment.pk,
        "pending": pending.pk,
        "trainee": member.pk,
        "start": cohort.starts_on.isoformat(),
        "token": token,
        "round": round_.pk,
        "soon": (date.today() + timedelta(days=14)).isoformat(),
    }


def _token_from_outbox() -> str:
    body = Message.objects.filter(key__startswith="feedback:taster:").get().body_text
    return body.split("/programmes/feedback/")[1].split("/")[0]


def _fill(value, ids):
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    return value.format(**ids) if isinstance(value, str) else value


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", VIEWS)
def test_persona_matrix(client_for, ids, persona, name):
    method, path, data, expectations, success = VIEWS[name]
    client = client_for(persona)
    data = {key: _fill(value, ids) for key, value in data.items()}

    response = getattr(client, method)(_fill(path, ids), data)

    expected = expectations[persona]
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif expected == 200:
        assert response.status_code == success, response.content[:500]
    else:
        assert response.status_code == expected
