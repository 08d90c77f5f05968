"""Every job on Celery beat's schedule names a task the workers know: what a real worker
registers when it starts, not what importing the task's module in this process would give."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SCHEDULED = sorted({job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()})

# What `celery -A balint worker` does before it takes a task: load the app the way the CLI does,
# then the loader's worker start-up (autodiscovery of each installed app's tasks module, and the
# Django fix-up's checks). A fresh interpreter, so nothing this test process imported counts.
AS_A_WORKER_STARTS = """
import json
from celery.app.utils import find_app
app = find_app("balint")
app.loader.init_worker()
print(json.dumps(sorted(name for name in app.tasks if not name.startswith("celery."))))
"""


def test_each_scheduled_job_is_a_task_a_starting_worker_registers(tmp_path):
    # The start-up opens the database; a scratch SQLite file keeps it off the project's own.
    scratch = f"sqlite:///{tmp_path / 'worker-start.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-c", AS_A_WORKER_STARTS],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "balint.settings", "DATABASE_URL": scratch},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    registered = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert set(SCHEDULED) <= registered, set(SCHEDULED) - registered


@pytest.mark.services
def test_a_real_worker_lists_every_scheduled_task_when_it_starts(start_worker, broker_url):
    worker = start_worker(broker_url)

    # The worker's start-up banner lists its tasks under [tasks], one ". name" a line.
    banner = worker.log().split("[tasks]", 1)[1].split("\n\n", 1)[0]
    registered = set(re.findall(r"^\s+\. (\S+)", banner, re.MULTILINE))
    assert set(SCHEDULED) <= registered, set(SCHEDULED) - registered


@pytest.mark.django_db
def test_the_waitlist_offer_scan_runs_as_a_task():
    from groups.tasks import expire_waitlist_offers

    assert expire_waitlist_offers.delay().get() == 0
