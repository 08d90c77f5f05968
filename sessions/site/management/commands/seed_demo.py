import logging

from celery import current_app
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from sessions.site.demo import DEMO_PASSWORD, seed_demo

DISCARD_MAIL = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


class Command(BaseCommand):
    help = (
        "Load a small demo world of fictional people and groups (safe to run again). "
        "The emails its changes would send to those fictional people are discarded."
    )

    def handle(self, *args, **options):
        # The demo's joins and bookings write outbox emails like any change; send them in this
        # process to a mailer that drops them, so no worker mails example.org and the console
        # is not flooded with them.
        eager = current_app.conf.task_always_eager
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        current_app.conf.task_always_eager = True
        try:
            with override_settings(MAILERS=DISCARD_MAIL):
                logins = seed_demo()
        finally:
            current_app.conf.task_always_eager = eager
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.role:<24} {login.email}")
