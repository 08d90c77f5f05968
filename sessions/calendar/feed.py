"""A person's private subscription feed: every meeting they expect as leader, member or booked
taster, in one iCalendar (METHOD:PUBLISH), built in a constant number of queries."""

import hashlib
from datetime import datetime, timedelta

from django.utils import timezone

from sessions.calendar.ical import feed
from sessions.calendar.people import meetings_in_feed
from sessions.calendar.sequences import current_sequences

# Meetings stay this long after they end, so a calendar does not delete the meeting someone
# just went to; cancelled ones stay this long after the cancellation, as STATUS:CANCELLED, so
# every subscribed calendar sees them cancelled before they go.
FEED_KEEPS = timedelta(days=30)


def feed_for(person, *, now: datetime | None = None) -> str:
    """The feed's iCalendar text; the same meetings give the same bytes."""
    meetings = list(meetings_in_feed(person, now=now or timezone.now(), keep=FEED_KEEPS))
    # The SEQUENCE the person's emails carry, so a client that has both never sees it go back.
    return feed(meetings, person=person, sequences=current_sequences(meetings, person))


def feed_etag(body: str) -> str:
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:40] + '"'
