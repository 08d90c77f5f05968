from django.core.management.base import BaseCommand

from balint import page_cache


class Command(BaseCommand):
    help = (
        "End every kept page. Needed only after changing the database outside Django (psql, a "
        "restore): changes made through Django end the pages they affect by themselves."
    )

    def handle(self, *args, **options) -> None:
        page_cache.clear()
        self.stdout.write("Every kept page has ended.")
