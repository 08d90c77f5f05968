"""Production settings for the load test, with the static files collected into the test's own
folder: balint/settings.py fixes STATIC_ROOT in the checkout, which is not the test's to write."""

import os

from balint.settings import *  # noqa: F403

STATIC_ROOT = os.environ["LOAD_TEST_STATIC_ROOT"]
