import pytest
import redis
from django.core.cache import caches

from tests.factories import PASSWORD

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
