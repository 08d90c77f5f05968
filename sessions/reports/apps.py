from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Reports for programmes. Its own app (label `reports`) inside the meetings package: it
    reads meetings and registers, and adds models of its own (export log, feedback)."""

    name = "sessions.reports"
    label = "reports"
    verbose_name = "Programme reports"

    def ready(self) -> None:
        from sessions.reports import group_tabs  # noqa: F401
