from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "balint.outbox"
    label = "outbox"
    verbose_name = "Outgoing email"
