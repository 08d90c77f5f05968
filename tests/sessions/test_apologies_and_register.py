"""Apologies (members and leaders, until the meeting starts) and the register's rules."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from sessions.attendance.register import Mark, expected_people
from sessions.attendance.services import record_register, send_apologies, withdraw_apologies
from sessions.meetings.models import (
    Apology,
    AttendanceRecord,
    AttendanceRole,
    AttendanceStatus,
    Meeting,
)
from sessions.meetings.services import MeetingError, cancel_meeting
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PRESENT, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT


def test_a_member_sends_and_withdraws_apologies_until_the_meeting_starts(meeting, member):
    send_apologies(meeting=meeting, person=member)
    send_apologies(meeting=meeting, person=member)  # a double click keeps one
    assert Apology.objects.filter(meeting=meeting, person=member).count() == 1

    assert withdraw_apologies(meeting=meeting, person=member) is True
    assert withdraw_apologies(meeting=meeting, person=member) is False
    assert not Apology.objects.exists()


def test_apologies_close_when_the_meeting_starts(meeting, member):
    send_apologies(meeting=meeting, person=member)
    at_start = meeting.starts_at

    with pytest.raises(MeetingError, match="started"):
        send_apologies(meeting=meeting, person=member, now=at_start)
    with pytest.raises(MeetingError, match="started"):
        withdraw_apologies(meeting=meeting, person=member, now=at_start)
    assert Apology.objects.filter(meeting=meeting, person=member).exists()


def test_leaders_can_send_apologies_too(meeting, leader):
    send_apologies(meeting=meeting, person=leader)

    assert Apology.objects.filter(meeting=meeting, person=leader).exists()


@pytest.mark.parametrize("persona", ["stranger", "other_member", "programme_admin", "staff"])
def test_only_members_and_leaders_can_send_apologies(meeting, persona, request):
    with pytest.raises(MeetingError, match="members and leaders"):
        send_apologies(meeting=meeting, person=request.getfixturevalue(persona))
    assert not Apology.objects.exists()


def test_no_apologies_for_a_cancelled_meeting(meeting, member, leader):
    cancel_meeting(meeting=meeting, by=leader, reason="Snow.")

    with pytest.raises(MeetingError, match="cancelled"):
        send_apologies(meeting=meeting, person=member)


def test_the_register_expects_leaders_members_and_prefills_apologies(past_meeting, leader, member):
    Apology.objects.create(meeting=past_meeting, person=member)
    late_joiner = UserFactory()
    MembershipFactory(group=past_meeting.group, person=late_joiner)  # joined after it

    expected = expected_people(past_meeting)

    assert [(e.person, e.role) for e in expected] == [
        (leader, AttendanceRole.LEADER),
        (member, AttendanceRole.MEMBER),
    ]
    assert expected[1].initial == Mark(AttendanceStatus.APOLOGIES)
    assert expected[0].initial is None


def test_recording_the_register_saves_everyone_at_once(past_meeting, leader, member):
    saved = record_register(
        meeting=past_meeting,
        by=leader,
        marks={leader.pk: Mark(PRESENT), member.pk: Mark(AttendanceStatus.LATE, True)},
    )

    assert saved == 2
    record = AttendanceRecord.objects.get(person=member)
    assert (record.status, record.presented_case, record.role) == ("late", True, "member")
    assert record.recorded_by == leader and record.recorded_at is not None


def test_saving_again_keeps_who_recorded_unchanged_lines(past_meeting, leader, member, staff):
    record_register(
        meeting=past_meeting, by=leader, marks={leader.pk: Mark(PRESENT), member.pk: Mark(PRESENT)}
    )
    first = AttendanceRecord.objects.get(person=leader).recorded_at

    changed = record_register(
        meeting=past_meeting, by=staff, marks={leader.pk: Mark(PRESENT), member.pk: Mark(ABSENT)}
    )

    assert changed == 1
    assert AttendanceRecord.objects.get(person=leader).recorded_at == first
    assert AttendanceRecord.objects.get(person=leader).recorded_by == leader
    assert AttendanceRecord.objects.get(person=member).recorded_by == staff


def test_the_register_is_read_only_after_14_days_except_for_staff(
    past_meeting, leader, member, staff
):
    marks = {leader.pk: Mark(PRESENT), member.pk: Mark(PRESENT)}
    later = past_meeting.ends_at + timedelta(days=14, minutes=1)

    with pytest.raises(MeetingError, match="closed 14 days"):
        record_register(meeting=past_meeting, by=leader, marks=marks, now=later)
    record_register(
        meeting=past_meeting,
        by=leader,
        marks=marks,
        now=past_meeting.ends_at + timedelta(days=13, hours=23),
    )
    assert record_register(
        meeting=past_meeting, by=staff, marks={**marks, member.pk: Mark(ABSENT)}, now=later
    )


def test_the_register_opens_when_the_meeting_starts(meeting, leader, member):
    marks = {leader.pk: Mark(PRESENT), member.pk: Mark(PRESENT)}

    with pytest.raises(MeetingError, match="opens when the meeting starts"):
        record_register(meeting=meeting, by=leader, marks=marks)
    assert record_register(meeting=meeting, by=leader, marks=marks, now=meeting.starts_at)


@pytest.mark.parametrize(
    ("marks", "message"),
    [
        (lambda leader, member: {leader.pk: Mark(PRESENT)}, "mark everyone"),
        (
            lambda leader, member: {leader.pk: Mark(PRESENT), member.pk: Mark("asleep")},
            "present, late, absent or apologies",
        ),
        (
            lambda leader, member: {leader.pk: Mark(PRESENT), member.pk: Mark(ABSENT, True)},
            "was there",
        ),
        (
            lambda leader, member: {
                leader.pk: Mark(PRESENT),
                member.pk: Mark(PRESENT),
                UserFactory().pk: Mark(PRESENT),
            },
            "not expected",
        ),
    ],
)
def test_impossible_registers_are_refused(past_meeting, leader, member, marks, message):
    with pytest.raises(MeetingError, match=message):
        record_register(meeting=past_meeting, by=leader, marks=marks(leader, member))
    assert not AttendanceRecord.objects.exists()


def test_the_database_refuses_a_case_from_someone_absent(past_meeting, member, leader):
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceRecord.objects.create(
            meeting=past_meeting,
            person=member,
            role=AttendanceRole.MEMBER,
            status=ABSENT,
            presented_case=True,
            recorded_by=leader,
            recorded_at=timezone.now(),
        )


def test_no_free_text_about_cases_or_patients_in_the_register():
    text_fields = {
        f"{model.__name__}.{field.name}"
        for model in [AttendanceRecord, Apology, Meeting]
        for field in model._meta.get_fields()
        if field.get_internal_type() in ("CharField", "TextField")
    }
    # Only codes (role, status), the meeting's own details and an apology's short note to the
    # leaders (which says not to write about patients); nothing about what was said.
    assert text_fields == {
        "AttendanceRecord.role",
        "AttendanceRecord.status",
        "Apology.note",
        "Meeting.place",
        "Meeting.link",
        "Meeting.status",
        "Meeting.cancel_reason",
    }
    note = Apology._meta.get_field("note")
    assert note.max_length == 300
    assert "do not write about patients" in note.help_text
    assert not any(
        field.get_internal_type() == "TextField"
        for model in [AttendanceRecord, Apology, Meeting]
        for field in model._meta.get_fields()
        if hasattr(field, "get_internal_type")
    )


def test_the_register_expects_those_who_left_after_the_meeting_but_not_before(
    past_meeting, leader, member
):
    left_after, left_before = UserFactory(), UserFactory()
    joined = past_meeting.starts_at - timedelta(days=30)
    for person, ended in [(left_after, 1), (left_before, -1)]:
        MembershipFactory(
            group=past_meeting.group,
            person=person,
            status="left",
            joined_at=joined,
            ended_at=past_meeting.starts_at + timedelta(days=ended),
            ended_on=(past_meeting.starts_at + timedelta(days=ended)).date(),
        )

    people = {entry.person for entry in expected_people(past_meeting)}

    assert people == {leader, member, left_after}
