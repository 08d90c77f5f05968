"""The Celery app. Workers run `celery -A balint worker`; beat runs `celery -A balint beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balint.settings")

app = Celery("balint")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
