from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    """Who takes part in meetings and the pages they do it through (no models of its own)."""

    name = "sessions.attendance"
    label = "attendance"
    verbose_name = "Attendance"

    def ready(self) -> None:
        # The finder, the group page and the group's management tabs are composed here: the
        # groups layer sends named signals for them (groups/signals.py) and never imports us.
        from sessions.attendance import group_pages  # noqa: F401
