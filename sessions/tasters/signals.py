"""The tasters layer's events, for calendars above it. Each is sent inside the transaction of
the change, so the calendar email a receiver writes commits or rolls back with it."""

from django.dispatch import Signal

taster_booked = Signal()  # booking=
taster_booking_cancelled = Signal()  # booking=: by the taster, a leader, or with its meeting
