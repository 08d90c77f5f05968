from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    label = "groups"
    verbose_name = "Balint groups"

    def ready(self) -> None:
        from balint import changes, page_cache
        from groups import receivers  # noqa: F401 - connects the receivers
        from groups.context_processors import roles_key

        # Every signed-in page's navigation and two-factor check read the person's roles: read
        # their kept roles in the same round trip as the person.
        page_cache.also_looked_up(lambda person: changes.kept_key(roles_key(person)))
