"""`audit.record_in_group`: a change to a group, or to a row of one, is placed in that group."""

from balint.audit import services as audit
from groups.models import Leadership


def test_a_row_of_a_group_is_recorded_with_its_group_as_the_place(group, leader, staff):
    leadership = Leadership.objects.get(group=group, person=leader)

    event = audit.record_in_group(
        leadership, by=staff, area=audit.Area.ROSTER, action="leader.x", summary="Did x"
    )

    assert (event.actor, event.area, event.action, event.summary) == (
        staff,
        audit.Area.ROSTER,
        "leader.x",
        "Did x",
    )
    assert event.where == str(group)
    assert (event.object_type, event.object_id) == ("groups.leadership", leadership.pk)


def test_a_change_to_the_group_itself_is_placed_in_it(group, staff):
    event = audit.record_in_group(
        group, by=staff, area=audit.Area.ROSTER, action="group.x", summary="Did x"
    )

    assert event.where == str(group)
    assert (event.object_type, event.object_id) == ("groups.balintgroup", group.pk)
