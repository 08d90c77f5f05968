from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    """Cohorts, enrolments, placements and the attendance requirement (see the package doc)."""

    name = "sessions.programmes"
    label = "programmes"
    verbose_name = "Programmes: cohorts and enrolments"

    def ready(self) -> None:
        from sessions.programmes import receivers  # noqa: F401 - connects the receivers
