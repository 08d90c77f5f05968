"""The group events higher layers react to."""

from django.dispatch import Signal

# Sent by groups.services inside the transaction of the change, so a receiver's writes (the
# meetings layer's calendar emails) commit or roll back with it. Groups never import the layers
# above; they listen here.
membership_activated = Signal()  # membership=: it has just become active
membership_ended = Signal()  # membership=, previous_status=: an active membership has ended
leadership_started = Signal()  # leadership=
leadership_ended = Signal()  # leadership=, leadership_id= (the row is deleted by then)
meeting_place_changed = Signal()  # group=, fields=: the group's usual room and/or link changed
