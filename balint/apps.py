from django.apps import AppConfig


class BalintConfig(AppConfig):
    name = "balint"
    label = "balint"
    verbose_name = "Site infrastructure"
