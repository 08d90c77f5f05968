from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Meetings: schedules, meetings and their changes, apologies and the register's records.

    The label is `meetings` because `django.contrib.sessions` already owns `sessions`: models
    here are `meetings.Meeting`, and migrations are made with `makemigrations meetings`.
    """

    name = "sessions.meetings"
    label = "meetings"
    verbose_name = "Meetings"
