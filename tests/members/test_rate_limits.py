import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.core.cache import caches

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings, redis_server):
    """The cache as production has it: Redis, shared by every web process."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "rate-limit-test",
        }
    }
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


def test_repeated_failed_logins_are_refused_through_the_shared_cache(
    client, django_client, stranger, redis_cache, redis_server
):
    attempt = {"login": stranger.email, "password": "wrong password"}
    statuses = [client.post("/accounts/login/", attempt).status_code for _ in range(5)]
    assert statuses == [200] * 5

    # Another browser, even with the right password, is refused: the count lives in Redis,
    # which every web process shares.
    response = django_client.post(
        "/accounts/login/", {"login": stranger.email, "password": PASSWORD}
    )

    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in django_client.session
    assert redis.Redis.from_url(redis_server.url).keys("rate-limit-test:*"), "not in Redis"


def test_signups_from_one_address_are_limited(client, redis_cache):
    def sign_up(n: int) -> int:
        return client.post(
            "/accounts/signup/",
            {
                "email": f"flood{n}@example.org",
                "display_name": "Flood",
                "time_zone": "Europe/London",
                "password1": "a long and unusual passphrase",
                "password2": "a long and unusual passphrase",
            },
        ).status_code

    statuses = [sign_up(n) for n in range(21)]

    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429


# Behind a proxy every request arrives from the proxy's address, so the
# per-address limit must count the client's address the proxy adds to X-Forwarded-For.

ATTACKER = "203.0.113.7"
VICTIM = "198.51.100.20"
PROXY = "10.0.0.2"  # REMOTE_ADDR of every request: the proxy in front of the app


def sign_in_through_proxy(client, *, email: str, password: str, forwarded_for: str):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": password},
        headers={"X-Forwarded-For": forwarded_for},
        REMOTE_ADDR=PROXY,
    )


def fail_ten_times(client, *, forwarded_for) -> list[int]:
    """Ten wrong passwords, two for each of five accounts (under the per-account limit of five)."""
    targets = [UserFactory() for _ in range(5)]
    return [
        sign_in_through_proxy(
            client, email=target.email, password="wrong", forwarded_for=forwarded_for(n)
        ).status_code
        for n, target in enumerate(targets * 2)
    ]


def test_behind_one_proxy_one_attacker_does_not_lock_out_another_client(
    client, django_client, stranger, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert fail_ten_times(client, forwarded_for=lambda n: ATTACKER) == [200] * 10
    # The attacker's own address is now refused, even with a right password...
    refused = sign_in_through_proxy(
        client, email=stranger.email, password=PASSWORD, forwarded_for=ATTACKER
    )
    assert "Too many failed login attempts" in refused.text

    # ...but another client behind the same proxy signs in.
    response = sign_in_through_proxy(
        django_client, email=stranger.email, password=PASSWORD, forwarded_for=VICTIM
    )

    assert response.status_code == 302, response.text
    assert django_client.session["_auth_user_id"] == str(stranger.pk)


def test_behind_one_proxy_the_client_cannot_choose_its_address_by_writing_the_header(
    client, stranger, settings
):
    # The proxy appends the address it saw to whatever the client sent: only the last one counts.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    spoofed = lambda n: f"192.0.2.{n}, {ATTACKER}"  # noqa: E731
    assert fail_ten_times(client, forwarded_for=spoofed) == [200] * 10

    response = sign_in_through_proxy(
        client, email=stranger.email, password=PASSWORD, forwarded_for=spoofed(99)
    )

    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_with_no_trusted_proxy_a_client_supplied_forwarded_for_is_ignored(
    client, stranger, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    # A new made-up address for every attempt must not buy new attempts.
    assert fail_ten_times(client, forwarded_for=lambda n: f"192.0.2.{n}") == [200] * 10

    response = sign_in_through_proxy(
        client, email=stranger.email, password=PASSWORD, forwarded_for="192.0.2.99"
    )

    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_a_proxys_own_client_address_header_can_be_trusted_instead(
    client, django_client, stranger, settings
):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    targets = [UserFactory() for _ in range(5)]
    for target in targets * 2:
        client.post(
            "/accounts/login/",
            {"login": target.email, "password": "wrong"},
            headers={"X-Real-IP": ATTACKER},
            REMOTE_ADDR=PROXY,
        )

    response = django_client.post(
        "/accounts/login/",
        {"login": stranger.email, "password": PASSWORD},
        headers={"X-Real-IP": VICTIM},
        REMOTE_ADDR=PROXY,
    )

    assert response.status_code == 302, response.text


@pytest.mark.parametrize(
    ("environment", "count", "header"),
    [
        ({}, 0, None),
        ({"TRUSTED_PROXY_COUNT": "2", "TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"}, 2, "X-Real-IP"),
    ],
    ids=["unset", "set"],
)
def test_the_trusted_proxies_come_from_the_environment(environment, count, header):
    # Settings are read once per process: a fresh interpreter with only these variables.
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    script = (
        "import django; django.setup(); from allauth import app_settings as s; "
        "print(repr((s.TRUSTED_PROXY_COUNT, s.TRUSTED_CLIENT_IP_HEADER)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "balint.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr((count, header))
