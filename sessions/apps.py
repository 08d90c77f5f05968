from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Meetings, tasters, the register and calendars.

    The label is `meetings` because `django.contrib.sessions` already owns `sessions`: models
    here are `meetings.Meeting`, and migrations are made with `makemigrations meetings`.
    """

    name = "sessions"
    label = "meetings"
    verbose_name = "Meetings"
