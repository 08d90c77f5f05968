"""The production packaging, checked against the code (Docker has no engine on these machines).

docker-compose.yml, the Dockerfile, .env.example and the README's configuration table are read and
compared with what the code really has: the modules the commands name, the variables settings read.
The image's gunicorn command and health check are run here, outside a container.
"""

import ast
import importlib
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.core.handlers.wsgi import WSGIHandler
from django.urls import resolve

from balint.celery_app import app as balint_celery_app
from tests.test_deploy import REQUIRED, production_env

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ["web", "worker", "beat"]
# Built from this checkout: every service that runs the app's code.
BUILT_SERVICES = ["migrate", *APP_SERVICES]
ENV_READERS = {"env_str", "env_bool", "env_int", "env_list"}
# Read by gunicorn itself, not by settings: the Dockerfile sets them.
GUNICORN_VARIABLES = {"PORT", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS"}
COMPOSE_PASSES = [
    *REQUIRED,
    "BALINT_ENV",
    "SMTP_PORT",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "SMTP_USE_TLS",
    "DEFAULT_FROM_EMAIL",
    "TRUSTED_PROXY_COUNT",
]


def settings_variables() -> set[str]:
    """Every environment variable that balint/settings.py reads, itself or through balint/env.py."""
    names = set()
    for path in [ROOT / "balint" / "settings.py", ROOT / "balint" / "env.py"]:
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            is_read = isinstance(node, ast.Call) and getattr(node.func, "id", None) in ENV_READERS
            if not is_read:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant):
                names.add(first.value)
            else:
                # Inside env.py the helpers pass a name on; settings.py must name its variables.
                assert path.name == "env.py", (
                    f"settings.py reads a computed name: {ast.unparse(node)}"
                )
        if path.name == "settings.py":
            assert "os.environ" not in source and "getenv" not in source, "read through balint.env"
    return names


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_words(service: dict) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_env() -> dict[str, str]:
    env = {}
    for keyword, arguments in dockerfile():
        if keyword == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(arguments))
    return env


def dockerfile_exec_form(name: str) -> list[str]:
    (arguments,) = [arguments for keyword, arguments in dockerfile() if keyword == name]
    return json.loads(arguments[arguments.index("[") :])


def resolve_wsgi_target(target: str):
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


# docker-compose.yml


def test_compose_has_the_production_services(compose):
    services = compose["services"]

    assert {"db", "redis", "migrate", "web", "worker", "beat", "mailcatcher"} <= set(services)
    assert services["db"]["image"].startswith("postgres:16.")
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert services["redis"]["image"].startswith("redis:7.")
    assert command_words(services["redis"])[-2:] == ["--appendonly", "yes"]
    assert set(compose["volumes"]) >= {"pgdata", "redisdata"}
    for name in ["db", "redis"]:
        assert services[name]["healthcheck"]["test"]


def test_mail_catcher_runs_only_with_the_staging_profile(compose):
    services = compose["services"]

    assert services["mailcatcher"]["profiles"] == ["staging"]
    assert [name for name, service in services.items() if "profiles" in service] == ["mailcatcher"]


def test_every_image_is_pinned_to_a_version(compose):
    # A tag of `latest`, a bare major or none at all changes under you at the next pull.
    for name, service in compose["services"].items():
        if "build" in service:
            assert name in BUILT_SERVICES
            assert service["image"] == "balint:local", "built here, never pulled"
            continue
        tag = service["image"].partition(":")[2]
        assert re.fullmatch(r"v?\d+\.\d+(\.\d+)?", tag), f"{name}: {service['image']}"
    (base,) = [arguments for keyword, arguments in dockerfile() if keyword == "FROM"]
    assert re.fullmatch(r"python:3\.12\.\d+-slim-\w+", base), base


def test_migrations_run_once_before_anything_that_uses_the_database(compose):
    services = compose["services"]
    migrate = services["migrate"]

    assert migrate["build"] == "."
    assert command_words(migrate) == ["python", "manage.py", "migrate", "--no-input"]
    # One-off: restarting it after it succeeded would run it for ever.
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert migrate["healthcheck"] == {"disable": True}
    for name in APP_SERVICES:
        service = services[name]
        assert service["build"] == "."
        assert service["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name
    # Nothing else migrates: web containers started together never race to apply one.
    for name, service in services.items():
        if name != "migrate" and "command" in service:
            assert "migrate" not in command_words(service), name


def test_web_serves_the_projects_wsgi_app_with_the_images_command(compose):
    web = compose["services"]["web"]

    assert "command" not in web
    command = dockerfile_exec_form("CMD")
    assert command[0] == "gunicorn"
    assert isinstance(resolve_wsgi_target(command[1]), WSGIHandler)


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_worker_and_beat_run_the_projects_celery_app(compose, service):
    words = command_words(compose["services"][service])

    assert words[:4] == ["celery", "-A", words[2], service]
    # How celery's CLI turns `-A balint` into an app.
    app = find_app(words[2])
    assert isinstance(app, Celery)
    assert app is balint_celery_app


def test_there_is_exactly_one_beat(compose):
    assert compose["services"]["beat"]["deploy"]["replicas"] == 1


def test_worker_and_beat_do_not_inherit_the_images_http_health_check(compose):
    # The image probes gunicorn's /healthz/live, which these containers do not serve.
    worker = compose["services"]["worker"]["healthcheck"]["test"]
    assert "celery -A balint inspect ping" in " ".join(worker)
    assert compose["services"]["beat"]["healthcheck"] == {"disable": True}


@pytest.mark.parametrize("service", BUILT_SERVICES)
def test_every_variable_compose_passes_is_one_the_app_reads(compose, service):
    environment = compose["services"][service]["environment"]
    known = settings_variables() | (GUNICORN_VARIABLES if service == "web" else set())

    assert set(environment) <= known, set(environment) - known
    assert set(COMPOSE_PASSES) <= set(environment)
    assert environment["BALINT_ENV"] == "production"
    for name, value in environment.items():
        # `${NAME...}`: the variable in .env has the same name as the one settings read.
        interpolated = re.match(r"\$\{(\w+)", str(value))
        assert interpolated is None or interpolated.group(1) == name


def test_env_example_names_what_compose_requires_and_nothing_else():
    compose_text = (ROOT / "docker-compose.yml").read_text()
    example = (ROOT / ".env.example").read_text()
    set_in_example = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    named_in_example = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))

    required = set(re.findall(r"\$\{(\w+):\?", compose_text))
    assert required == {"SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "SMTP_HOST", "POSTGRES_PASSWORD"}
    assert required <= set_in_example
    assert named_in_example <= set(re.findall(r"\$\{(\w+)", compose_text))


def test_readme_configuration_table_lists_every_variable_settings_read():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, re.MULTILINE))

    variables = settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "SMTP_PORT", "DATABASE_CONN_MAX_AGE"} <= variables
    assert documented == variables


# Dockerfile


def test_dockerfile_installs_the_locked_dependencies_by_hash():
    instructions = dockerfile()

    assert instructions[0][0] == "FROM" and instructions[0][1].startswith("python:3.12.")
    copy = instructions.index(("COPY", "requirements/app.lock requirements/app.lock"))
    install = next(
        index
        for index, (keyword, arguments) in enumerate(instructions)
        if keyword == "RUN" and "pip install" in arguments
    )
    assert copy < install
    assert instructions[install][1] == "pip install --require-hashes -r requirements/app.lock"
    assert (ROOT / "requirements" / "app.lock").exists()


def test_dockerfile_collects_static_files_without_baking_placeholders_into_the_image():
    instructions = dockerfile()
    (collectstatic,) = [a for k, a in instructions if k == "RUN" and "collectstatic" in a]

    assert "BALINT_ENV=production" in collectstatic
    assert all(f"{name}=" in collectstatic for name in REQUIRED)
    assert set(dockerfile_env()).isdisjoint(REQUIRED)


def test_dockerfile_runs_as_a_user_other_than_root():
    instructions = dockerfile()
    users = [index for index, (keyword, _) in enumerate(instructions) if keyword == "USER"]
    last_run = max(index for index, (keyword, _) in enumerate(instructions) if keyword == "RUN")

    assert users and users[-1] > last_run
    assert instructions[users[-1]][1] not in {"root", "0"}


def test_dockerfile_cmd_serves_the_projects_wsgi_app():
    command = dockerfile_exec_form("CMD")

    assert command[0] == "gunicorn"
    assert isinstance(resolve_wsgi_target(command[1]), WSGIHandler)
    assert dockerfile_env()["PORT"] == "8000"
    assert ("EXPOSE", "8000") in dockerfile()


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()

    assert {".env", ".git", ".venv", "*.sqlite3*", "staticfiles"} <= set(ignored)


# The image's command and health check, run here against PostgreSQL and Redis.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local_postgres_url() -> str:
    """The maintenance database of the PostgreSQL the suite uses, or of this machine's."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return urlsplit(url)._replace(path="/postgres", query="").geturl()


def run_image_healthcheck(
    tmp_path, *, readiness_status: list | None = None, **overrides: str
) -> subprocess.CompletedProcess:
    """Start gunicorn as the image's CMD does, then run the image's HEALTHCHECK against it.
    `readiness_status`, if given, receives the status /healthz (readiness) answered."""
    port = str(free_port())
    image_env = {k: v for k, v in dockerfile_env().items() if k in GUNICORN_VARIABLES}
    env = production_env(
        **{
            **image_env,
            "PORT": port,
            "ALLOWED_HOSTS": "balint.example.org,www.balint.example.org",
            "DATABASE_URL": local_postgres_url(),
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            **overrides,
        }
    )
    command = dockerfile_exec_form("CMD")
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", *command],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        # Docker gives the container a start period (--start-period) before the first check
        # counts: wait until a worker has booted and answered once, however slowly.
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"Host": "balint.example.org"}
        )
        # An answer, even a 503, means a worker is up.
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - local http
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        if readiness_status is not None:
            readiness_status.append(status)
        healthcheck = dockerfile_exec_form("HEALTHCHECK")
        assert healthcheck[0] == "python"
        return subprocess.run(
            [sys.executable, *healthcheck[1:]],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_image_healthcheck_is_the_liveness_probe():
    healthcheck = " ".join(dockerfile_exec_form("HEALTHCHECK"))

    assert "/healthz/live" in healthcheck
    assert resolve("/healthz/live").url_name == "healthz_live"


@pytest.mark.services
def test_image_healthcheck_passes_when_gunicorn_serves(tmp_path):
    readiness = []
    result = run_image_healthcheck(tmp_path, readiness_status=readiness)

    assert result.returncode == 0, result.stderr
    assert readiness == [200]


@pytest.mark.services
def test_image_healthcheck_stays_healthy_while_the_broker_is_away_but_readiness_does_not(
    tmp_path,
):
    # A Redis outage must not have every web container marked unhealthy (and restarted) at once;
    # the load balancer's readiness check (/healthz) takes them out of service instead.
    readiness = []
    result = run_image_healthcheck(
        tmp_path, readiness_status=readiness, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"
    )

    assert result.returncode == 0, result.stderr
    assert readiness == [503]


def test_image_healthcheck_fails_when_nothing_answers():
    env = production_env(PORT=str(free_port()), ALLOWED_HOSTS="balint.example.org")
    healthcheck = dockerfile_exec_form("HEALTHCHECK")

    result = subprocess.run(
        [sys.executable, *healthcheck[1:]], env=env, capture_output=True, text=True, timeout=30
    )

    assert result.returncode != 0
    assert "Connection refused" in result.stderr
