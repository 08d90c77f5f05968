from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Meetings, tasters, the register and calendars.

    The label is `meetings` because `django.contrib.sessions` already owns `sessions`: models
    here are `meetings.Meeting`, and migrations are made with `makemigrations meetings`.
    """

    name = "sessions"
    label = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        # The groups layer leaves a spot on the finder's cards and the group page for what only
        # this layer knows (groups/extensions.py); imports flow downwards, so we fill it here.
        from groups.extensions import meetings_spot
        from sessions.queries import add_meetings_to_groups

        meetings_spot.fill(
            card_template="meetings/includes/finder_card.html",
            page_template="meetings/includes/group_page.html",
            load=add_meetings_to_groups,
        )
        # Calendars listen to the groups layer's membership events, and their beat tasks live in
        # a sub-package that Celery's autodiscovery (which imports `sessions.tasks`) misses.
        from sessions.calendar import receivers, tasks  # noqa: F401
