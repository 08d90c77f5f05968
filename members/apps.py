from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    label = "members"
    verbose_name = "People and programmes"
