"""The meetings layer's events, for the layers above (tasters, calendars). Each is sent inside
the transaction of the change, so a receiver's writes (bookings ended, calendar emails in the
outbox) commit or roll back with it. Meetings never import the layers above: they listen here.
"""

from django.dispatch import Signal

# Every cancellation, a leader's or a changed schedule's, sent by `changes.apply_change` before
# the change is recorded: what hangs on the meeting (taster bookings) ends with it.
meeting_cancelled = Signal()  # meeting=
# Every reinstatement, a leader's or a changed schedule's, sent by `changes.apply_change`: what
# ended with the cancellation (taster bookings) comes back where it can.
meeting_restored = Signal()  # meeting=

# What people must hear about, sent by the services once the change is written.
meeting_added = Signal()  # meeting=: a one-off meeting added by a leader
meeting_moved = Signal()  # meeting=, change=: moved, or given a room or link of its own
meeting_cancelled_by_leader = Signal()  # meeting=
meeting_reinstated_by_leader = Signal()  # meeting=: a cancelled meeting is on again
schedule_applied = Signal()  # added=, updated=, cancelled=: meetings the schedule changed
usual_place_followed = Signal()  # meetings=: meetings that use the group's usual room or link
