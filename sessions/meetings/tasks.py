"""Celery tasks for meetings. Each takes ids, loads fresh rows and is safe to run twice."""

import logging

from celery import shared_task

from sessions.meetings.models import Schedule
from sessions.meetings.schedule import generate_meetings

logger = logging.getLogger(__name__)


@shared_task
def generate_meetings_for_schedule(schedule_id: int) -> int:
    """Generate one schedule's meetings up to its horizon; returns how many meetings changed."""
    try:
        return generate_meetings(schedule_id=schedule_id).changed
    except Schedule.DoesNotExist:
        return 0  # the group or its schedule was deleted since the task was queued


@shared_task
def extend_schedule_horizons() -> int:
    """Extend every schedule's horizon (for Celery beat, daily). Idempotent."""
    changed = 0
    for schedule_id in Schedule.objects.values_list("pk", flat=True).iterator():
        # One transaction and one group lock per schedule: a failure in one group does not stop
        # the others, and no lock is held for the whole sweep.
        try:
            changed += generate_meetings_for_schedule(schedule_id)
        except Exception:
            logger.exception("Could not generate meetings for schedule %s", schedule_id)
    return changed
