"""What every benchmark in bench/ shares: its own PostgreSQL database, Django set up with
production settings, gunicorn started as the Dockerfile starts it, a signed-in session, the
machine's description and the results file.

Each bench is one command, run from the project's root with the project's Python, e.g.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/balint_bench .venv/bin/python bench/<name>.py
"""

import os
import platform
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"

# Production settings (DEBUG off, WhiteNoise serving static files) with local services.
ENVIRONMENT = {
    "BALINT_ENV": "production",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
    "CACHE_URL": os.environ.get("CACHE_URL", "locmem://"),
    "ALLOWED_HOSTS": "localhost,127.0.0.1",
    "SITE_URL": "https://localhost",
    "SMTP_HOST": "localhost",
    "DATABASE_CONN_MAX_AGE": "0",
    "LOG_LEVEL": "WARNING",
}
# What a request to gunicorn sends so production's HTTPS redirect and host checks let it in.
REQUEST_HEADERS = {"Host": "localhost", "X-Forwarded-Proto": "https"}


def say(message: str) -> None:
    print(message, flush=True)


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database of the bench's own, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/balint_bench"
        )
    return url


def ensure_database(url: str, *, fresh: bool) -> None:
    """Create the database (dropping it first with `fresh`) through the server's `postgres` db."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    os.environ.update(ENVIRONMENT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balint.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def session_cookie(user) -> str:
    """A signed-in session for `user`, made directly (no login form): the Cookie header value."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def gunicorn_args() -> str:
    """The production image's GUNICORN_CMD_ARGS, read from the Dockerfile (no access log)."""
    text = (ROOT / "Dockerfile").read_text()
    args = re.search(r'GUNICORN_CMD_ARGS="([^"]*)"', text).group(1)
    return args.replace("--access-logfile=-", "")


def start_gunicorn(
    port: int, *, workers: int = 1, env: dict | None = None, extra_args: str = ""
) -> subprocess.Popen:
    """gunicorn as in the Dockerfile, bound to 127.0.0.1:`port`, with `extra_args` appended to
    its GUNICORN_CMD_ARGS (a later flag wins, e.g. "--max-requests=0"); returns once it
    accepts connections."""
    environment = {
        **os.environ,
        **ENVIRONMENT,
        **(env or {}),
        "WEB_CONCURRENCY": str(workers),
        "PORT": str(port),
        "GUNICORN_CMD_ARGS": f"{gunicorn_args()} --bind=127.0.0.1:{port} {extra_args}".strip(),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "balint.wsgi:application"], cwd=ROOT, env=environment)
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_pids(master: int) -> list[int]:
    """The processes whose parent is `master` (gunicorn's workers)."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master}$", text, re.M):
            pids.append(int(status.parent.name))
    if not pids:
        raise RuntimeError("no gunicorn worker found")
    return pids


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int, field: str) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1)) / 1024


def machine() -> str:
    """This machine, Python and the PostgreSQL server, for the top of a result."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"PostgreSQL {version}"
    )


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def append_results(text: str) -> None:
    with RESULTS.open("a") as file:
        file.write(text)


def collect_static() -> None:
    """Production's static files storage (WhiteNoise's manifest) needs collectstatic first, as
    the Dockerfile runs it; into STATIC_ROOT, which git ignores."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def load_average() -> str:
    """The machine's load over 1, 5 and 15 minutes, e.g. "0.52, 0.61, 0.70"."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())
