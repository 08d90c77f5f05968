from django.apps import AppConfig


class TastersConfig(AppConfig):
    """Taster seats, bookings and invitations: how newcomers try a group before joining."""

    name = "sessions.tasters"
    label = "tasters"
    verbose_name = "Taster seats and invitations"
