from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    label = "groups"
    verbose_name = "Balint groups"

    def ready(self) -> None:
        from groups import receivers  # noqa: F401 - connects the receivers
