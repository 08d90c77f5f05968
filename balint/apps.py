from django.apps import AppConfig
from django.db.backends.signals import connection_created


class BalintConfig(AppConfig):
    name = "balint"
    label = "balint"
    verbose_name = "Site infrastructure"

    def ready(self) -> None:
        from balint import changes

        # Every write through any database connection moves its tables' versions.
        connection_created.connect(changes.install, dispatch_uid="balint.changes")
