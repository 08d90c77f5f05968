"""Loaded by pytest before Django's settings (`-p tests.pytest_env` in pyproject.toml).

Tests run tasks eagerly and keep the cache per process unless a test asks for the real thing:
the tests of the worker and of rate limits start their own brokers and caches.
"""

import os

os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("CACHE_URL", "locmem://")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
