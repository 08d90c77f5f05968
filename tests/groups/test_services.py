"""The rules of joining, the waitlist and capacity, through the operations in groups/services.py."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from groups import services
from groups.models import (
    BalintGroup,
    LeaderInvite,
    LeaderRole,
    Membership,
    MembershipEvent,
    MembershipStatus,
    PendingMembershipInvite,
)
from groups.services import GroupError
from tests.factories import BalintGroupFactory, MembershipFactory, UserFactory
from tests.groups.conftest import fill, statuses

pytestmark = pytest.mark.django_db

ACTIVE, WAITLISTED, OFFERED = (
    MembershipStatus.ACTIVE,
    MembershipStatus.WAITLISTED,
    MembershipStatus.OFFERED,
)


def waitlisted(group, person, minutes_ago: int) -> Membership:
    return MembershipFactory(
        group=group,
        person=person,
        status=WAITLISTED,
        joined_at=None,
        waitlisted_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_a_request_to_join_is_pending_and_recorded_in_the_history(group, newcomer):
    membership = services.request_to_join(group=group, person=newcomer, note="GP in Bristol")

    assert membership.status == MembershipStatus.REQUESTED
    assert membership.note == "GP in Bristol"
    assert list(membership.events.values_list("status", "by")) == [("requested", newcomer.pk)]


def test_a_second_request_while_one_is_pending_is_refused(group, join_request, newcomer):
    with pytest.raises(GroupError, match="already asked"):
        services.request_to_join(group=group, person=newcomer)

    assert group.memberships.filter(person=newcomer).count() == 1


def test_members_and_leaders_cannot_ask_to_join(group, member, leader):
    with pytest.raises(GroupError, match="already a member"):
        services.request_to_join(group=group, person=member)
    with pytest.raises(GroupError, match="You lead this group"):
        services.request_to_join(group=group, person=leader)


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"accepting_members": False}, "not taking new members"), ({"status": "closed"}, "closed")],
)
def test_a_group_that_is_not_taking_members_refuses_requests(group, newcomer, changes, message):
    BalintGroup.objects.filter(pk=group.pk).update(**changes)

    with pytest.raises(GroupError, match=message):
        services.request_to_join(group=group, person=newcomer)


def test_approving_a_request_with_a_free_place_makes_a_member(group, join_request, leader):
    membership = services.approve_request(group=group, membership_id=join_request.pk, by=leader)

    assert membership.status == ACTIVE and membership.joined_at is not None
    assert membership.updated_by == leader
    assert list(membership.events.values_list("status", flat=True)) == [ACTIVE]


def test_approving_into_a_full_group_waitlists_and_never_exceeds_capacity(
    group, join_request, leader
):
    fill(group, group.capacity)

    membership = services.approve_request(group=group, membership_id=join_request.pk, by=leader)

    assert membership.status == WAITLISTED and membership.waitlisted_at is not None
    assert statuses(group)[ACTIVE] == group.capacity


def test_a_request_can_be_answered_only_once(group, join_request, leader):
    services.approve_request(group=group, membership_id=join_request.pk, by=leader)

    with pytest.raises(GroupError, match="no open request"):
        services.approve_request(group=group, membership_id=join_request.pk, by=leader)
    with pytest.raises(GroupError, match="no request or waitlist place"):
        services.decline_request(group=group, membership_id=join_request.pk, by=leader)


def test_declining_a_request_ends_it_and_lets_the_person_ask_again(group, join_request, leader):
    membership = services.decline_request(
        group=group, membership_id=join_request.pk, by=leader, message="We are full this year."
    )

    assert membership.status == MembershipStatus.DECLINED
    assert membership.ended_at is not None
    again = services.request_to_join(group=group, person=join_request.person)
    assert again.pk != membership.pk


def test_a_membership_of_another_group_cannot_be_approved(group, other_group, leader):
    elsewhere = MembershipFactory(group=other_group, status=MembershipStatus.REQUESTED)

    with pytest.raises(GroupError, match="not on this group's roster"):
        services.approve_request(group=group, membership_id=elsewhere.pk, by=leader)


def test_when_a_member_leaves_the_first_on_the_waitlist_is_offered_the_place(group, member):
    fill(group, group.capacity - 1)
    second = waitlisted(group, UserFactory(), minutes_ago=5)
    first = waitlisted(group, UserFactory(), minutes_ago=10)

    services.leave_group(group=group, person=member)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (OFFERED, WAITLISTED)
    assert first.offered_at is not None
    assert statuses(group)[ACTIVE] + statuses(group)[OFFERED] == group.capacity


def test_an_open_offer_holds_its_place(group, member, join_request, leader):
    fill(group, group.capacity - 1)
    offered = waitlisted(group, UserFactory(), minutes_ago=10)
    services.leave_group(group=group, person=member)

    membership = services.approve_request(group=group, membership_id=join_request.pk, by=leader)

    assert membership.status == WAITLISTED
    offered.refresh_from_db()
    assert offered.status == OFFERED


def test_accepting_an_offer_makes_a_member(group, member):
    fill(group, group.capacity - 1)
    waiting = waitlisted(group, UserFactory(), minutes_ago=10)
    services.leave_group(group=group, person=member)

    membership = services.accept_offer(group=group, person=waiting.person)

    assert membership.status == ACTIVE
    assert statuses(group)[ACTIVE] == group.capacity


def test_accepting_without_an_offer_is_refused(group, newcomer):
    with pytest.raises(GroupError, match="no place waiting"):
        services.accept_offer(group=group, person=newcomer)


def test_turning_down_an_offer_passes_it_to_the_next_person(group, member):
    fill(group, group.capacity - 1)
    first = waitlisted(group, UserFactory(), minutes_ago=10)
    second = waitlisted(group, UserFactory(), minutes_ago=5)
    services.leave_group(group=group, person=member)

    services.leave_group(group=group, person=first.person)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (MembershipStatus.LEFT, OFFERED)


def test_an_offer_not_taken_up_in_time_lapses_and_passes_to_the_next_person(
    group, member, settings
):
    fill(group, group.capacity - 1)
    first = waitlisted(group, UserFactory(), minutes_ago=10)
    second = waitlisted(group, UserFactory(), minutes_ago=5)
    services.leave_group(group=group, person=member)
    first.refresh_from_db()
    lapses_at = first.offered_at + datetime.timedelta(days=settings.WAITLIST_OFFER_DAYS)
    assert first.offer_lapses_at == lapses_at

    assert services.expire_offers(now=lapses_at - datetime.timedelta(minutes=1)) == []
    lapsed = services.expire_offers(now=lapses_at)

    assert [m.pk for m in lapsed] == [first.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (MembershipStatus.LEFT, OFFERED)
    assert first.events.last().by is None  # the system, not a person
    assert services.expire_offers(now=lapses_at) == []  # a second run changes nothing


def test_an_accepted_offer_never_lapses(group, member, settings):
    fill(group, group.capacity - 1)
    waiting = waitlisted(group, UserFactory(), minutes_ago=10)
    services.leave_group(group=group, person=member)
    services.accept_offer(group=group, person=waiting.person)

    later = timezone.now() + datetime.timedelta(days=settings.WAITLIST_OFFER_DAYS + 1)

    assert services.expire_offers(now=later) == []
    waiting.refresh_from_db()
    assert waiting.status == ACTIVE


def test_withdrawing_a_request_does_not_offer_any_place(group, join_request):
    waiting = waitlisted(group, UserFactory(), minutes_ago=5)

    services.leave_group(group=group, person=join_request.person)

    waiting.refresh_from_db()
    assert waiting.status == WAITLISTED


def test_leaving_a_group_you_are_not_in_is_refused(group, newcomer):
    with pytest.raises(GroupError, match="not a member"):
        services.leave_group(group=group, person=newcomer)


def test_promoting_from_the_waitlist_needs_a_free_place(group, leader):
    fill(group, group.capacity)
    waiting = waitlisted(group, UserFactory(), minutes_ago=5)

    with pytest.raises(GroupError, match="The group is full"):
        services.promote_from_waitlist(group=group, membership_id=waiting.pk, by=leader)

    BalintGroup.objects.filter(pk=group.pk).update(capacity=group.capacity + 1)
    membership = services.promote_from_waitlist(group=group, membership_id=waiting.pk, by=leader)
    assert membership.status == ACTIVE


def test_promoting_someone_who_holds_an_offer_makes_them_a_member(group, member, leader):
    fill(group, group.capacity - 1)
    waiting = waitlisted(group, UserFactory(), minutes_ago=5)
    services.leave_group(group=group, person=member)

    membership = services.promote_from_waitlist(group=group, membership_id=waiting.pk, by=leader)

    assert membership.status == ACTIVE
    assert statuses(group)[ACTIVE] == group.capacity


def test_removing_a_member_records_the_date_and_offers_the_place(group, member, leader):
    fill(group, group.capacity - 1)
    waiting = waitlisted(group, UserFactory(), minutes_ago=5)
    Membership.objects.filter(person=member).update(
        joined_at=timezone.now() - datetime.timedelta(days=30)
    )
    last_day = services.today_in(group) - datetime.timedelta(days=7)

    membership = services.remove_member(
        group=group,
        membership_id=member.memberships.get().pk,
        by=leader,
        ended_on=last_day,
    )

    assert (membership.status, membership.ended_on) == (MembershipStatus.REMOVED, last_day)
    waiting.refresh_from_db()
    assert waiting.status == OFFERED


@pytest.mark.parametrize(("days", "message"), [(1, "in the future"), (-400, "before they joined")])
def test_a_removal_date_must_be_possible(group, member, leader, days, message):
    ended_on = services.today_in(group) + datetime.timedelta(days=days)

    with pytest.raises(GroupError, match=message):
        services.remove_member(
            group=group, membership_id=member.memberships.get().pk, by=leader, ended_on=ended_on
        )


def test_one_current_membership_per_person_is_enforced_by_the_database(group, member):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(group=group, person=member, status=MembershipStatus.REQUESTED)


def test_past_memberships_do_not_block_a_new_one(group, newcomer):
    MembershipFactory(group=group, person=newcomer, status=MembershipStatus.LEFT)
    MembershipFactory(group=group, person=newcomer, status=MembershipStatus.DECLINED)

    assert services.request_to_join(group=group, person=newcomer).status == "requested"


@pytest.mark.parametrize("capacity", [2, 17])
def test_a_capacity_outside_3_to_16_is_refused_by_the_database(capacity):
    with pytest.raises(IntegrityError), transaction.atomic():
        BalintGroupFactory(capacity=capacity)


def test_capacity_cannot_drop_below_the_places_taken(group, leader):
    fill(group, 8)

    with pytest.raises(GroupError, match="cannot be lower than 8"):
        services.update_group_settings(group=group, by=leader, changes={"capacity": 6})

    group.refresh_from_db()
    assert group.capacity == 10


def test_raising_the_capacity_offers_places_to_the_waitlist(group, leader):
    fill(group, group.capacity)
    first = waitlisted(group, UserFactory(), minutes_ago=10)
    second = waitlisted(group, UserFactory(), minutes_ago=5)
    third = waitlisted(group, UserFactory(), minutes_ago=1)

    services.update_group_settings(group=group, by=leader, changes={"capacity": 12})

    assert [
        m.status
        for m in Membership.objects.filter(pk__in=[first.pk, second.pk, third.pk]).order_by(
            "waitlisted_at"
        )
    ] == [OFFERED, OFFERED, WAITLISTED]


def test_settings_refuse_fields_leaders_may_not_change(group, leader):
    with pytest.raises(ValueError, match="slug"):
        services.update_group_settings(group=group, by=leader, changes={"slug": "mine"})


def test_an_existing_account_added_by_email_joins_at_once(group, leader, newcomer):
    membership = services.add_member_by_email(group=group, email="NIA@example.org ", by=leader)

    assert (membership.person, membership.status) == (newcomer, ACTIVE)
    assert list(membership.events.values_list("status", "by")) == [(ACTIVE, leader.pk)]


def test_adding_someone_who_asked_to_join_approves_their_request(group, leader, join_request):
    membership = services.add_member_by_email(group=group, email="nia@example.org", by=leader)

    assert membership.pk == join_request.pk and membership.status == ACTIVE


def test_adding_a_member_or_a_leader_again_is_refused(group, leader, member):
    with pytest.raises(GroupError, match="already a member"):
        services.add_member_by_email(group=group, email=member.email, by=leader)
    with pytest.raises(GroupError, match="leads this group"):
        services.add_member_by_email(group=group, email=leader.email, by=leader)


def test_adding_to_a_full_group_is_refused(group, leader, newcomer):
    fill(group, group.capacity)

    with pytest.raises(GroupError, match="The group is full"):
        services.add_member_by_email(group=group, email=newcomer.email, by=leader)


def test_an_unknown_address_is_invited_once(group, leader):
    invite = services.add_member_by_email(group=group, email="new@example.org", by=leader)

    assert isinstance(invite, PendingMembershipInvite)
    assert (invite.email, invite.invited_by) == ("new@example.org", leader)
    assert invite.accepted_at is None
    with pytest.raises(GroupError, match="already been invited"):
        services.add_member_by_email(group=group, email="New@Example.org", by=leader)


def test_a_pending_invite_makes_the_new_account_a_member(group, leader):
    services.add_member_by_email(group=group, email="new@example.org", by=leader)
    person = UserFactory(email="new@example.org")

    [membership] = services.accept_pending_invites(user=person, email="New@example.org")

    assert (membership.person, membership.status, membership.updated_by) == (person, ACTIVE, leader)
    assert services.accept_pending_invites(user=person, email=person.email) == []
    assert group.invites.get().membership == membership


def test_a_pending_invite_to_a_group_that_filled_up_waitlists(group, leader):
    services.add_member_by_email(group=group, email="new@example.org", by=leader)
    fill(group, group.capacity)
    person = UserFactory(email="new@example.org")

    [membership] = services.accept_pending_invites(user=person, email=person.email)

    assert membership.status == WAITLISTED


def test_a_withdrawn_invite_is_not_taken_up(group, leader):
    invite = services.add_member_by_email(group=group, email="new@example.org", by=leader)
    services.cancel_invite(group=group, invite_id=invite.pk, by=leader)
    person = UserFactory(email="new@example.org")

    assert services.accept_pending_invites(user=person, email=person.email) == []
    with pytest.raises(GroupError, match="used or withdrawn"):
        services.cancel_invite(group=group, invite_id=invite.pk, by=leader)


def test_appointing_an_unknown_address_invites_it_instead(group, leader):
    invite = services.appoint_leader(
        group=group, email="nobody@example.org", role=LeaderRole.CO_LEADER, by=leader
    )

    assert isinstance(invite, LeaderInvite)
    assert invite.role == LeaderRole.CO_LEADER
    assert not group.leaderships.filter(person__email="nobody@example.org").exists()


def test_a_member_appointed_co_leader_gives_up_their_place(group, leader, member):
    fill(group, group.capacity - 1)
    waiting = waitlisted(group, UserFactory(), minutes_ago=5)

    leadership = services.appoint_leader(
        group=group, email=member.email, role=LeaderRole.CO_LEADER, by=leader
    )

    assert leadership.role == LeaderRole.CO_LEADER
    assert member.memberships.get().status == MembershipStatus.LEFT
    waiting.refresh_from_db()
    assert waiting.status == OFFERED
    with pytest.raises(GroupError, match="leads this group already"):
        services.appoint_leader(group=group, email=member.email, role="leader", by=leader)


def test_the_last_leader_cannot_be_removed(group, leader):
    with pytest.raises(GroupError, match="at least one leader"):
        services.remove_leader(group=group, leadership_id=leader.leaderships.get().pk, by=leader)


def test_a_group_is_created_with_its_leader_and_co_leaders(staff, leader, stranger):
    group = services.create_group(
        by=staff,
        fields={"name": "New group", "slug": "new-group", "capacity": 8},
        leader_emails=[leader.email, stranger.email.upper(), leader.email],
    )

    roles = list(group.leaderships.values_list("person__email", "role"))
    assert roles == [(leader.email, "leader"), (stranger.email, "co_leader")]


def test_a_slug_clash_is_a_clear_error(staff, leader, group):
    with pytest.raises(GroupError, match="already uses the web address"):
        services.create_group(
            by=staff, fields={"name": "Again", "slug": group.slug}, leader_emails=[leader.email]
        )

    assert BalintGroup.objects.filter(slug=group.slug).count() == 1


def test_every_change_of_status_is_in_the_history(group, join_request, leader):
    fill(group, group.capacity)
    services.approve_request(group=group, membership_id=join_request.pk, by=leader)
    services.leave_group(group=group, person=group.memberships.filter(status=ACTIVE)[0].person)
    services.accept_offer(group=group, person=join_request.person)

    history = MembershipEvent.objects.filter(membership=join_request).values_list("status", "by")
    newcomer = join_request.person.pk
    assert list(history) == [(WAITLISTED, leader.pk), (OFFERED, None), (ACTIVE, newcomer)]
