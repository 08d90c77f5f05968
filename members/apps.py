from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    label = "members"
    verbose_name = "People and programmes"

    def ready(self) -> None:
        from members import signals  # noqa: F401 - connects the receivers
