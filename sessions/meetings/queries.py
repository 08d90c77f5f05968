"""Small read-only questions about meetings that pages of other layers ask."""

from collections.abc import Iterable

from sessions.meetings.models import Schedule
from sessions.meetings.schedule import rhythm_in_words


def rhythms_for_groups(group_ids: Iterable[int]) -> dict[int, str]:
    """Each group's rhythm in words, for groups that have a schedule, in one query."""
    schedules = Schedule.objects.filter(group_id__in=list(group_ids)).select_related("group")
    return {schedule.group_id: rhythm_in_words(schedule) for schedule in schedules}
