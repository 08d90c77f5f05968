"""Production settings: `check --deploy` is clean, missing or wrong values stop start-up with a
message naming them, and responses carry the security headers.

Settings are read once per process, so every case runs in a fresh interpreter with an environment
built here: nothing that settings read is inherited from the test run.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "SITE_URL", "SMTP_HOST"]
HOST = "balint.example.org"


def production_env(**overrides: str | None) -> dict[str, str]:
    """Realistic production values; an override of None leaves that variable out."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(
        BALINT_ENV="production",
        DJANGO_SETTINGS_MODULE="balint.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL="postgres://balint:not-the-real-one@127.0.0.1:5432/balint",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS=HOST,
        SITE_URL=f"https://{HOST}",
        SMTP_HOST="smtp.example.org",
        SMTP_USER="balint",
        SMTP_PASSWORD="smtp-password",
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run_python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_python(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=production_env()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize("value", [None, "  "], ids=["unset", "blank"])
@pytest.mark.parametrize("name", REQUIRED)
def test_production_refuses_to_start_without_a_required_value(name, value):
    result = run_python("manage.py", "check", env=production_env(**{name: value}))

    assert result.returncode != 0
    assert f"{name} is required when BALINT_ENV=production" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "sqlite:///db.sqlite3", "DATABASE_URL must start with postgres://"),
        ("SITE_URL", f"http://{HOST}", "SITE_URL must start with https://"),
        ("SITE_URL", HOST, "SITE_URL must start with https://"),
        ("SMTP_USE_TLS", "ture", "SMTP_USE_TLS must be true or false, not 'ture'"),
        ("SMTP_PORT", "five-eight-seven", "SMTP_PORT must be a whole number"),
    ],
)
def test_production_refuses_to_start_with_a_wrong_value(name, value, message):
    result = run_python("manage.py", "check", env=production_env(**{name: value}))

    assert result.returncode != 0
    assert message in result.stderr


def test_a_database_password_is_not_repeated_in_the_error():
    env = production_env(DATABASE_URL="mysql://balint:hunter2-secret@db/balint")

    result = run_python("manage.py", "check", env=env)

    assert "DATABASE_URL must start with postgres://" in result.stderr
    assert "hunter2-secret" not in result.stdout + result.stderr


# Runs in production mode through the whole middleware stack, as gunicorn would. /healthz renders
# no template, so it needs no collected static files; its status depends on the database, which
# this environment does not reach, so only the headers and redirects are compared.
HEADERS_SCRIPT = f"""
import json

import django

django.setup()
from django.test import Client

client = Client(HTTP_HOST="{HOST}")
responses = {{
    "secure_healthz": client.get("/healthz", secure=True),
    "plain_healthz": client.get("/healthz"),
    "plain_about": client.get("/about/"),
}}
print(json.dumps({{
    name: {{"status": response.status_code, "headers": dict(response.headers)}}
    for name, response in responses.items()
}}))
"""


@pytest.fixture(scope="module")
def production_responses():
    result = run_python("-c", HEADERS_SCRIPT, env=production_env())
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_responses_carry_the_security_headers(production_responses):
    response = production_responses["secure_healthz"]
    headers = response["headers"]

    assert response["status"] in {200, 503}
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_production_redirects_plain_http_to_https(production_responses):
    response = production_responses["plain_about"]

    assert response["status"] == 301
    assert response["headers"]["Location"] == f"https://{HOST}/about/"


def test_production_answers_the_health_check_over_plain_http(production_responses):
    # Load balancers and the container's health check probe over HTTP, inside the TLS proxy.
    response = production_responses["plain_healthz"]

    assert response["status"] in {200, 503}
    assert response["headers"]["Content-Type"] == "application/json"
    assert "Strict-Transport-Security" not in response["headers"]
