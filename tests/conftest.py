"""Personas and shared fixtures.

The personas follow one group: `leader` leads it, `member` belongs to it, `stranger` is signed in
with no link to it, `other_leader` and `other_member` belong to `other_group`, `programme_admin`
administers the group's programme and `staff` is site staff.
"""

import os
import shutil
from datetime import UTC, date, datetime, time

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import (
    BalintGroupFactory,
    LeadershipFactory,
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
    with_totp,
)
from tests.services import CeleryWorker, RedisServer, SmtpServer, database_url_of

PERSONAS = [
    "anonymous",
    "stranger",
    "member",
    "other_member",
    "other_leader",
    "leader",
    "programme_admin",
    "staff",
]


@pytest.fixture
def programme_admin(db):
    return with_totp(UserFactory(display_name="Helen Admin", email="helen.admin@example.org"))


@pytest.fixture
def programme(db, programme_admin):
    return ProgrammeFactory(name="Severn scheme", admins=[programme_admin])


@pytest.fixture
def group(db, programme):
    return BalintGroupFactory(name="Cotham GP Balint Group", slug="cotham", programme=programme)


@pytest.fixture
def leader(group):
    person = UserFactory(display_name="Dr Lena Leader", email="lena@example.org")
    LeadershipFactory(group=group, person=person)
    return person


@pytest.fixture
def member(group):
    person = UserFactory(display_name="Dr Mo Member", email="mo@example.org")
    MembershipFactory(group=group, person=person)
    return person


@pytest.fixture
def stranger(db):
    return UserFactory(display_name="Dr Sid Stranger", email="sid@example.org")


@pytest.fixture
def other_group(db):
    return BalintGroupFactory(name="Online group", slug="online", format="online")


@pytest.fixture
def other_leader(other_group):
    person = UserFactory(display_name="Dr Otto Leader", email="otto@example.org")
    LeadershipFactory(group=other_group, person=person)
    return person


@pytest.fixture
def other_member(other_group):
    person = UserFactory(display_name="Dr Ola Member", email="ola@example.org")
    MembershipFactory(group=other_group, person=person)
    return person


@pytest.fixture
def admin_user(admin_user):
    """pytest-django's superuser, with the authenticator app every member of staff sets up."""
    return with_totp(admin_user)


@pytest.fixture
def staff(db):
    return with_totp(
        UserFactory(display_name="Stella Staff", email="stella@example.org", is_staff=True)
    )


@pytest.fixture
def client_for(client, request):
    """`client_for("leader")`: a test client signed in as that persona (or anonymous)."""

    def sign_in(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return sign_in


@pytest.fixture(scope="session")
def redis_server():
    """A Redis server of this test process's own, on a spare port."""
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="session")
def broker_url(request):
    """The machine's Redis when REDIS_URL is set (as in CI), otherwise one of our own."""
    return os.environ.get("REDIS_URL") or request.getfixturevalue("redis_server").url


@pytest.fixture
def smtp_server():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def start_worker(transactional_db, smtp_server):
    """`start_worker(broker_url)`: a real Celery worker on the test database; stopped after."""
    workers = []

    def start(broker: str, **options) -> CeleryWorker:
        worker = CeleryWorker(
            broker_url=broker,
            database_url=database_url_of(connection.settings_dict),
            smtp_port=smtp_server.port,
            queue=os.environ["CELERY_QUEUE"],
            **options,
        )
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


# Browser tests: Playwright drives Debian's Chromium (`playwright install` cannot download here).
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError(
            "Chromium is missing: ./scripts/test.sh installs it (apt-get install chromium)"
        )
    return {**browser_type_launch_args, "executable_path": chromium}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache: each test starts with none used."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def django_client():
    """A second, independent browser session."""
    from django.test import Client

    return Client()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests hash many passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock(monkeypatch):
    """`clock(moment)` sets the site's time (an aware datetime, or a date at noon UTC);
    `clock(None)` gives it back its real time."""
    real = timezone.now

    def set_to(moment):
        if moment is None:
            monkeypatch.setattr(timezone, "now", real)
            return
        if isinstance(moment, date) and not isinstance(moment, datetime):
            moment = datetime.combine(moment, time(12), tzinfo=UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to
