from django.apps import AppConfig


class CalendarConfig(AppConfig):
    """Calendars: invites, updates and cancellations, reminders, prompts and the private feed
    (its one model remembers each person's SEQUENCE bumps)."""

    name = "sessions.calendar"
    label = "calendar"
    verbose_name = "Calendars"

    def ready(self) -> None:
        # Calendars react to the named events of the layers below (groups, meetings, tasters).
        from sessions.calendar import receivers  # noqa: F401
