from django.core.management.base import BaseCommand

from sessions.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load a small demo world of fictional people and groups (safe to run again)."

    def handle(self, *args, **options):
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.role:<24} {login.email}")
