"""Every job on Celery beat's schedule names a task the workers know."""

import importlib

import pytest
from django.conf import settings

from balint.celery_app import app


@pytest.mark.parametrize("name", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_each_scheduled_job_is_a_registered_task(name):
    task = settings.CELERY_BEAT_SCHEDULE[name]["task"]
    # What a worker's autodiscovery imports: the app's tasks module, named by the task's path.
    importlib.import_module(task.rsplit(".", 1)[0])

    assert task in app.tasks


@pytest.mark.django_db
def test_the_waitlist_offer_scan_runs_as_a_task():
    from groups.tasks import expire_waitlist_offers

    assert expire_waitlist_offers.delay().get() == 0
