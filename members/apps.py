from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    label = "members"
    verbose_name = "People and programmes"

    def ready(self) -> None:
        # A sign-up whose address counted as verified by an invitation link is asked to confirm it.
        from members import verification  # noqa: F401 - connects the receiver
