"""No secret token of a URL reaches a log: gunicorn's access and error logs and Django's request
logging mask feed, taster-invitation, feedback, confirmation and password-reset tokens with one
list of routes (balint/log_masking.py). The last test reads the logs of a real gunicorn started
with the Dockerfile's flags."""

import logging
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from gunicorn.config import Config

from balint.gunicorn_logging import MaskingLogger
from balint.log_masking import MaskSecretPaths, mask_secrets
from sessions.calendar.tokens import issue_calendar_token
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = "Zq3_kP9-vLxT2mN8sR4wY6bH1cJ5dF7gA0eU"


@pytest.mark.parametrize(
    ("path", "masked"),
    [
        (f"/calendar/{TOKEN}.ics", "/calendar/***.ics"),
        (f"/calendar/{TOKEN}", "/calendar/***"),
        (f"/tasters/invite/{TOKEN}/", "/tasters/invite/***/"),
        (f"/programmes/feedback/{TOKEN}/", "/programmes/feedback/***/"),
        (f"/me/confirm/eyJhIjoxfQ:1u{TOKEN}/", "/me/confirm/***/"),
        (f"/accounts/password/reset/key/1f-{TOKEN}/", "/accounts/password/reset/key/***/"),
        (f"/accounts/confirm-email/MQ:1u{TOKEN}/", "/accounts/confirm-email/***/"),
        (f"/accounts/login/?next=/tasters/invite/{TOKEN}/", "next=/tasters/invite/***/"),
        (f"/accounts/login/?next=%2Fme%2Fconfirm%2F{TOKEN}%2F", "next=%2Fme%2Fconfirm%2F***%2F"),
    ],
)
def test_every_token_route_is_masked(path, masked):
    line = f'127.0.0.1 - - "GET {path} HTTP/1.1" 404 179 "-" "curl"'

    assert TOKEN not in mask_secrets(line)
    assert masked in mask_secrets(line)


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/",
        "/calendar/new-link/",
        "/calendar/turn-off/",
        "/programmes/feedback/thanks/",
        "/accounts/password/reset/key/done/",
        "/meetings/12/",
    ],
)
def test_ordinary_pages_stay_readable(path):
    assert mask_secrets(f"GET {path} HTTP/1.1") == f"GET {path} HTTP/1.1"


def test_djangos_not_found_line_is_masked_by_the_filter():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        (f"/calendar/{TOKEN}.ics",),
        None,
    )

    MaskSecretPaths().filter(record)

    assert record.getMessage() == "Not Found: /calendar/***.ics"


def test_every_logging_handler_masks():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "mask_secrets" in handler.get("filters", []), name


def test_gunicorns_logger_masks_access_atoms_and_error_messages():
    logger = MaskingLogger(Config())
    seen: list[str] = []
    logger.error_log.addHandler(_Collect(seen))
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/tasters/invite/{TOKEN}/?x=1",
        "PATH_INFO": f"/tasters/invite/{TOKEN}/",
        "QUERY_STRING": f"next=/me/confirm/{TOKEN}/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://localhost/calendar/{TOKEN}.ics",
    }
    response = SimpleNamespace(status="404 Not Found", headers=[], sent=10)
    request = SimpleNamespace(headers=[("REFERER", f"https://localhost/calendar/{TOKEN}.ics")])

    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=5))
    logger.error("Error handling request %s", f"/calendar/{TOKEN}.ics")
    try:
        raise ValueError(f"/programmes/feedback/{TOKEN}/")
    except ValueError:
        logger.exception("Error handling request %s", f"/calendar/{TOKEN}.ics")

    assert atoms["r"] == "GET /tasters/invite/***/?x=1 HTTP/1.1"
    assert atoms["f"] == "https://localhost/calendar/***.ics"
    assert TOKEN not in repr(atoms)
    assert seen[0] == "Error handling request /calendar/***.ics"
    assert "/programmes/feedback/***/" in seen[1]
    assert TOKEN not in "".join(seen)


class _Collect(logging.Handler):
    def __init__(self, seen: list[str]):
        super().__init__()
        self.seen = seen

    def emit(self, record):
        self.seen.append(record.getMessage())


# ----------------------------------------------------------------------------- a real gunicorn


def dockerfile_gunicorn_args() -> str:
    text = (ROOT / "Dockerfile").read_text()
    return re.search(r'GUNICORN_CMD_ARGS="([^"]*)"', text).group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for_gunicorn(tmp_path: Path) -> str:
    """The test database, for gunicorn: PostgreSQL's as it is, SQLite's (in memory) copied to a
    file."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        server = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        return f"postgres://{db['USER']}{password}@{server}/{db['NAME']}"
    copy = tmp_path / "db.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(copy) as target:
        connection.connection.backup(target)
    return f"sqlite:///{copy}"


def fetch(port: int, path: str, **headers: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": "localhost", "X-Forwarded-Proto": "https", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - local http
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_a_real_gunicorn_logs_no_token(tmp_path):
    feed_token = issue_calendar_token(person=UserFactory())
    wrong = secrets.token_urlsafe(32)
    port = free_port()
    # Development settings with DEBUG off: production's would want collectstatic and refuse
    # SQLite, and LOGGING is the same in both.
    env = {
        **os.environ,
        "BALINT_ENV": "development",
        "DATABASE_URL": database_url_for_gunicorn(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "SITE_URL": "https://localhost",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_CMD_ARGS": f"{dockerfile_gunicorn_args()} --bind=127.0.0.1:{port}",
    }
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(
            [str(gunicorn), "balint.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            wait_for(port, server)
            statuses = {
                "feed": fetch(port, f"/calendar/{feed_token}.ics"),
                "wrong feed": fetch(port, f"/calendar/{wrong}.ics"),
                "invitation": fetch(port, f"/tasters/invite/{wrong}/"),
                "feedback": fetch(port, f"/programmes/feedback/{wrong}/"),
                "confirm": fetch(port, f"/me/confirm/{wrong}/"),
                "reset": fetch(port, f"/accounts/password/reset/key/1-{wrong}/"),
                "email": fetch(port, f"/accounts/confirm-email/{wrong}/"),
                "next": fetch(port, f"/accounts/login/?next=/tasters/invite/{wrong}/"),
                "referer": fetch(
                    port, "/about/", Referer=f"https://localhost/calendar/{wrong}.ics"
                ),
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
    logs = out.read_text() + err.read_text()

    assert statuses["feed"] == 200 and statuses["wrong feed"] == 404, statuses
    assert feed_token not in logs and wrong not in logs
    assert '"GET /calendar/***.ics HTTP/1.1" 200' in logs  # the access log, masked
    assert '"GET /calendar/***.ics HTTP/1.1" 404' in logs
    assert "Not Found: /calendar/***.ics" in logs  # django.request
    for masked in [
        "/tasters/invite/***/",
        "/programmes/feedback/***/",
        "/me/confirm/***/",
        "/accounts/password/reset/key/***/",
        "/accounts/confirm-email/***/",
        "next=/tasters/invite/***/",
        '"https://localhost/calendar/***.ics"',
    ]:
        assert masked in logs, masked


def wait_for(port: int, server: subprocess.Popen) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            assert server.poll() is None, "gunicorn stopped"
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")
