"""Loaded by pytest before Django's settings (`-p tests.pytest_env` in pyproject.toml).

Tests run tasks in-process and keep the cache per process unless a test asks for the real thing:
the worker tests start real Celery workers (see tests/services.py). Each test process gets a
queue of its own, so parallel test processes sharing one Redis never take each other's tasks.
"""

import os

os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("CACHE_URL", "locmem://")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ["CELERY_QUEUE"] = (
    f"balint-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
)
