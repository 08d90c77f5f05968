"""What calendars need to know about taster bookings, asked through the tasters app.

The tasters app (issue 5, `sessions.tasters`) owns its models; this module never imports them.
It asks two small functions in `sessions/tasters/queries.py`, if the app is installed and has
them, and otherwise answers that nobody has booked:

- `booked_tasters_by_meeting(meeting_ids) -> dict[int, list[User]]`: the people holding an open
  (not cancelled) booking on each of those meetings, in a constant number of queries;
- `meeting_ids_booked_by(person) -> QuerySet | list[int]`: the meetings on which the person holds
  an open booking (a `values("meeting_id")` queryset keeps the feed at one query).
"""

from collections.abc import Iterable
from importlib import import_module
from types import ModuleType

from django.apps import apps

TASTERS_APP = "sessions.tasters"


def _queries() -> ModuleType | None:
    if not apps.is_installed(TASTERS_APP):
        return None
    try:
        return import_module(f"{TASTERS_APP}.queries")
    except ImportError:
        return None


def booked_tasters_by_meeting(meeting_ids: Iterable[int]) -> dict[int, list]:
    """Each meeting's booked tasters (only meetings that have some are in the answer)."""
    function = getattr(_queries(), "booked_tasters_by_meeting", None)
    ids = list(meeting_ids)
    if function is None or not ids:
        return {}
    return dict(function(ids))


def meeting_ids_booked_by(person) -> Iterable[int]:
    """The meetings on which `person` holds an open taster booking."""
    function = getattr(_queries(), "meeting_ids_booked_by", None)
    return [] if function is None else function(person)
