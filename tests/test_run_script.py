"""The README's run command, run as a newcomer runs it: twice in a row, on a port of its own,
with the links it sends following that address."""

import http.cookiejar
import os
import re
import signal
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.services import free_port, wait_for_port

ROOT = Path(settings.BASE_DIR)


def start(tmp_path: Path, port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    env.pop("SITE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", PORT=str(port), HOST="127.0.0.1"
    )
    return subprocess.Popen(
        [str(ROOT / "scripts" / "run.sh")],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def ask_for_a_password_reset(base: str, email: str) -> None:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    form = opener.open(f"{base}/accounts/password/reset/", timeout=20).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "email": email}).encode()
    request = urllib.request.Request(  # noqa: S310 - the local server's own http:// address
        f"{base}/accounts/password/reset/", data=data, headers={"Referer": base + "/"}
    )
    assert opener.open(request, timeout=20).status == 200


def test_the_run_command_works_twice_and_its_links_follow_its_address(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "run.log"

    first = start(tmp_path, port, log)
    try:
        wait_for_port(port, timeout=180)
        ask_for_a_password_reset(base, "member@example.org")
    finally:
        stop(first)
    output = log.read_text()
    assert f"running at {base}/" in output
    assert "balint-demo-2026" in output
    assert f"\n{settings.SITE_NAME}\n{base}\n" in output  # the email's signature
    assert "localhost:8000" not in output

    second = start(tmp_path, port, log)
    try:
        wait_for_port(port, timeout=180)
        with urllib.request.urlopen(f"{base}/", timeout=20) as response:  # noqa: S310 - local http
            assert response.status == 200
    finally:
        stop(second)
    assert "Traceback" not in log.read_text()
