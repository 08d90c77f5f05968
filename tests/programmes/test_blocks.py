"""Blocks and rotation: a cohort placed for its block holds its places for its dates only,
its memberships end by themselves afterwards (history kept), and the next cohort fits at once."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from balint.outbox.models import Message
from groups.models import Membership, MembershipEvent, MembershipStatus
from groups.services import end_finished_blocks, places_taken
from groups.tasks import end_finished_block_memberships
from sessions.attendance.register import expected_people
from sessions.meetings.models import Meeting
from sessions.programmes.blocks import BlockSchedule, block_days, place_cohort_for_block
from sessions.programmes.placement import PlacementError
from tests.factories import BalintGroupFactory, UserFactory
from tests.reports.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def _cohort(programme, name, starts_on, weeks=4, size=13):
    cohort = CohortFactory(
        programme=programme,
        name=name,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(weeks=weeks, days=-1),
    )
    for n in range(size):
        person = UserFactory(email=f"{name.lower().replace(' ', '-')}-{n}@example.org")
        EnrolmentFactory(cohort=cohort, person=person)
    return cohort


@pytest.fixture
def sixteen(programme):
    return BalintGroupFactory(programme=programme, capacity=16, slug="psych-block-group")


def test_placing_a_cohort_bounds_each_membership_by_the_cohort_dates(
    programme, programme_admin, sixteen
):
    today = timezone.localdate()
    cohort = _cohort(programme, "Block A", today - timedelta(days=3))

    report = place_cohort_for_block(cohort=cohort, group=sixteen, by=programme_admin)

    assert len(report.placed) == 13 and not report.refused
    spans = set(sixteen.memberships.values_list("status", "starts_on", "until"))
    assert spans == {(MembershipStatus.ACTIVE, cohort.starts_on, cohort.ends_on)}


def test_the_next_cohort_is_refused_while_the_blocks_overlap(programme, programme_admin, sixteen):
    today = timezone.localdate()
    first = _cohort(programme, "Block A", today - timedelta(days=3))
    overlapping = _cohort(programme, "Block B", first.ends_on - timedelta(days=2))
    place_cohort_for_block(cohort=first, group=sixteen, by=programme_admin)

    report = place_cohort_for_block(cohort=overlapping, group=sixteen, by=programme_admin)

    # 13 + 3 fill the sixteen places on the overlapping days; the other ten are refused.
    assert len(report.placed) == 3
    assert len(report.refused) == 10
    assert "The group is full" in report.refused[0][1]


def test_the_next_cohort_fits_at_once_when_the_dates_do_not_overlap(
    programme, programme_admin, sixteen
):
    today = timezone.localdate()
    first = _cohort(programme, "Block A", today - timedelta(days=3))
    following = _cohort(programme, "Block B", first.ends_on + timedelta(days=1))
    place_cohort_for_block(cohort=first, group=sixteen, by=programme_admin)

    report = place_cohort_for_block(cohort=following, group=sixteen, by=programme_admin)

    assert len(report.placed) == 13 and not report.refused
    assert sixteen.memberships.filter(status=MembershipStatus.ACTIVE).count() == 26
    # Today only the first block holds places.
    assert sixteen.places_taken == 13


def test_a_finished_block_frees_its_places_before_the_scan_runs(programme, programme_admin):
    group = BalintGroupFactory(programme=programme, capacity=16)
    today = timezone.localdate()
    cohort = _cohort(programme, "Block A", today - timedelta(weeks=3))
    place_cohort_for_block(cohort=cohort, group=group, by=programme_admin)
    assert group.places_taken == 13
    # Time passes: the block ended yesterday, and the scan has not run since.
    group.memberships.update(until=today - timedelta(days=1))

    assert group.memberships.filter(status=MembershipStatus.ACTIVE).count() == 13
    assert group.places_taken == 0
    assert places_taken(group) == 0
    following = _cohort(programme, "Block B", today)
    report = place_cohort_for_block(cohort=following, group=group, by=programme_admin)
    assert len(report.placed) == 13 and not report.refused


def test_the_scan_ends_finished_blocks_once_and_keeps_their_history(
    programme, programme_admin, sixteen
):
    today = timezone.localdate()
    cohort = _cohort(programme, "Block A", today - timedelta(weeks=2))
    place_cohort_for_block(cohort=cohort, group=sixteen, by=programme_admin)
    after = cohort.ends_on + timedelta(days=1)

    assert end_finished_blocks(today=cohort.ends_on) == []
    ended = end_finished_blocks(today=after)
    again = end_finished_blocks(today=after)

    assert len(ended) == 13 and again == []
    memberships = sixteen.memberships.all()
    assert {(m.status, m.ended_on) for m in memberships} == {
        (MembershipStatus.LEFT, cohort.ends_on)
    }
    history = MembershipEvent.objects.filter(membership__group=sixteen)
    assert set(history.values_list("status", flat=True)) == {"active", "left"}
    assert history.filter(status=MembershipStatus.LEFT).count() == 13


def test_the_beat_task_ends_blocks_that_are_over(programme, programme_admin, sixteen):
    today = timezone.localdate()
    cohort = _cohort(programme, "Block A", today - timedelta(weeks=3))
    place_cohort_for_block(cohort=cohort, group=sixteen, by=programme_admin)
    assert end_finished_block_memberships.delay().get() == 0
    sixteen.memberships.update(until=today - timedelta(days=1))  # time passes

    assert end_finished_block_memberships.delay().get() == 13
    assert end_finished_block_memberships.delay().get() == 0


def test_an_open_ended_member_does_not_end_with_a_block(
    programme, programme_admin, sixteen, member
):
    today = timezone.localdate()
    cohort = _cohort(programme, "Block A", today - timedelta(weeks=2), size=2)
    place_cohort_for_block(cohort=cohort, group=sixteen, by=programme_admin)
    Membership.objects.create(group=sixteen, person=member, status=MembershipStatus.ACTIVE)

    end_finished_blocks(today=cohort.ends_on + timedelta(days=1))

    assert sixteen.memberships.get(person=member).status == MembershipStatus.ACTIVE


def test_block_days_are_each_week_of_the_cohort_on_the_weekday():
    cohort = CohortFactory.build(starts_on=date(2021, 9, 6), ends_on=date(2021, 10, 3))

    assert block_days(cohort, 2) == [
        date(2021, 9, 8),
        date(2021, 9, 15),
        date(2021, 9, 22),
        date(2021, 9, 29),
    ]


def test_placing_with_a_schedule_adds_the_block_meetings_once(programme, programme_admin, sixteen):
    today = timezone.localdate()
    cohort = _cohort(programme, "Block A", today - timedelta(days=14), size=3)
    schedule = BlockSchedule(weekday=today.weekday(), start=time(12, 0), duration_minutes=60)

    first = place_cohort_for_block(
        cohort=cohort, group=sixteen, by=programme_admin, schedule=schedule
    )
    again = place_cohort_for_block(
        cohort=cohort, group=sixteen, by=programme_admin, schedule=schedule
    )

    meetings = Meeting.objects.filter(group=sixteen)
    assert first.meetings_added == 4 == meetings.count()
    assert again.meetings_added == 0 and again.meetings_there == 4
    past = [m for m in meetings if m.ends_at <= timezone.now()]
    assert past and all(m.recorded_afterwards for m in past)
    assert not any(m.recorded_afterwards for m in meetings if m.starts_at > timezone.now())


def test_a_block_member_is_expected_only_at_the_block_meetings(programme, programme_admin, sixteen):
    today = timezone.localdate()
    first = _cohort(programme, "Block A", today - timedelta(days=20), size=2)
    following = _cohort(programme, "Block B", first.ends_on + timedelta(days=1), size=2)
    schedule = BlockSchedule(weekday=first.starts_on.weekday(), start=time(12), duration_minutes=60)
    place_cohort_for_block(cohort=first, group=sixteen, by=programme_admin, schedule=schedule)
    place_cohort_for_block(cohort=following, group=sixteen, by=programme_admin, schedule=schedule)

    meetings = list(Meeting.objects.filter(group=sixteen).order_by("starts_at"))
    first_people = {p.email for p in first_people_of(first)}
    following_people = {p.email for p in first_people_of(following)}
    expected_first = {e.person.email for e in expected_people(meetings[0])}
    expected_last = {e.person.email for e in expected_people(meetings[-1])}

    assert expected_first == first_people
    assert expected_last == following_people


def first_people_of(cohort):
    return [enrolment.person for enrolment in cohort.enrolments.select_related("person")]


def test_a_past_block_is_recorded_as_history_without_emails(
    programme, programme_admin, sixteen, mailoutbox
):
    cohort = _cohort(programme, "Block 2021", date(2021, 9, 6), size=13)

    report = place_cohort_for_block(cohort=cohort, group=sixteen, by=programme_admin)

    assert len(report.placed) == 13
    assert set(sixteen.memberships.values_list("status", "ended_on")) == {
        (MembershipStatus.LEFT, cohort.ends_on)
    }
    assert not Message.objects.exists()


def test_a_group_from_another_programme_is_refused(programme, programme_admin, other_group):
    cohort = _cohort(programme, "Block A", timezone.localdate(), size=1)

    with pytest.raises(PlacementError):
        place_cohort_for_block(cohort=cohort, group=other_group, by=programme_admin)


def _meetings_emailed_to(person) -> set[int]:
    """The meetings whose calendar invitation went to `person` (from the outbox keys)."""
    keys = [m.key for m in Message.objects.all() if person.email in m.to]
    found = set()
    for key in keys:
        parts = key.split(":")
        if parts[0] == "invite":  # invite:<meeting>:<person>:r<revision>
            found.add(int(parts[1]))
        elif parts[0] == "calendar-join":  # calendar-join:<membership>:<meeting>
            found.add(int(parts[2]))
    return found


def test_a_block_member_is_sent_only_the_meetings_of_their_block(
    programme, programme_admin, sixteen
):
    today = timezone.localdate()
    first = _cohort(programme, "Block A", today + timedelta(days=1), size=1)
    following = _cohort(programme, "Block B", first.ends_on + timedelta(days=1), size=1)
    schedule = BlockSchedule(weekday=first.starts_on.weekday(), start=time(12), duration_minutes=60)
    place_cohort_for_block(cohort=first, group=sixteen, by=programme_admin, schedule=schedule)
    place_cohort_for_block(cohort=following, group=sixteen, by=programme_admin, schedule=schedule)

    meetings = list(Meeting.objects.filter(group=sixteen).order_by("starts_at"))
    assert len(meetings) == 8
    first_student = first.enrolments.get().person
    following_student = following.enrolments.get().person
    assert _meetings_emailed_to(first_student) == {m.pk for m in meetings[:4]}
    assert _meetings_emailed_to(following_student) == {m.pk for m in meetings[4:]}


def test_the_roster_shows_each_block_and_counts_only_the_places_held_from_today(
    client, programme, programme_admin, sixteen, leader
):
    from groups.models import Leadership

    Leadership.objects.create(group=sixteen, person=leader)
    today = timezone.localdate()
    first = _cohort(programme, "Block A", today - timedelta(days=3))
    following = _cohort(programme, "Block B", first.ends_on + timedelta(days=1))
    place_cohort_for_block(cohort=first, group=sixteen, by=programme_admin)
    place_cohort_for_block(cohort=following, group=sixteen, by=programme_admin)
    client.force_login(leader)

    page = client.get(f"/groups/{sixteen.slug}/roster/").content.decode()

    assert "13 of 16 places taken" in page
    assert f"For the block {following.starts_on:%-d %b %Y} to {following.ends_on:%-d %b %Y}" in page
