"""The meeting-level role questions, answered in sessions/attendance/roles.py on top of the
group's roles."""

import pytest

from sessions.attendance.roles import access_meeting, is_expected

PERSONAS = ["leader", "member", "programme_admin", "staff", "stranger"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_meeting_expects_its_groups_leaders_and_members_and_the_page_agrees(
    request, meeting, persona
):
    person = request.getfixturevalue(persona)
    expected = persona in {"leader", "member"}
    assert is_expected(meeting, person) == expected
    assert access_meeting(person, meeting.pk).can_send_apologies == expected
