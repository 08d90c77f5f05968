from django.apps import AppConfig


class TastersConfig(AppConfig):
    """Taster seats, bookings and invitations: how newcomers try a group before joining."""

    name = "sessions.tasters"
    label = "tasters"
    verbose_name = "Taster seats and invitations"

    def ready(self) -> None:
        # A cancelled meeting ends its taster bookings (sessions/meetings/signals.py).
        from sessions.tasters import receivers  # noqa: F401
