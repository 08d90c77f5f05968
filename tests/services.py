"""Real services for tests that need them: Redis, an SMTP server and Celery workers, each in
a process of its own on a spare port, so stopping one never touches the machine's shared ones."""

import email.message
import mailbox
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import closing, contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing is listening on 127.0.0.1:{port} after {timeout} s")


class RedisServer:
    """A throwaway redis-server the test owns, so stopping it never touches the shared one."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._dir = tempfile.mkdtemp(prefix="balint-redis-")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: apt-get install redis-server")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self._dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class SmtpServer:
    """A real SMTP server (aiosmtpd) in another process, storing what it accepts in a Maildir."""

    def __init__(self):
        self.port = free_port()
        self.maildir = str(Path(tempfile.mkdtemp(prefix="balint-smtp-")) / "Maildir")
        mailbox.Maildir(self.maildir, create=True)
        self.process: subprocess.Popen | None = None

    def start(self) -> "SmtpServer":
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{self.port}",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                self.maildir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def messages(self) -> list[email.message.Message]:
        return [message for _, message in mailbox.Maildir(self.maildir).items()]

    def wait_for(self, count: int, *, timeout: float = 30.0) -> list[email.message.Message]:
        """Wait until at least `count` messages arrived, then a moment more for strays."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages()) >= count:
                time.sleep(0.5)
                return self.messages()
            time.sleep(0.1)
        raise TimeoutError(f"{len(self.messages())} of {count} messages arrived in {timeout} s")

    def __enter__(self) -> "SmtpServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def database_url_of(settings_dict: dict) -> str:
    """The URL of the database the tests are using, for a worker process to open."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = settings_dict["USER"] or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{settings_dict['NAME']}"


class CeleryWorker:
    """`celery -A balint worker` in its own process, on the test's database, broker and SMTP."""

    def __init__(
        self,
        *,
        broker_url: str,
        database_url: str,
        smtp_port: int,
        queue: str,
        visibility_timeout: int = 600,
    ):
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_QUEUE": queue,
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "CACHE_URL": "locmem://",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "SMTP_USE_TLS": "false",
        }
        self.queue = queue
        self.process: subprocess.Popen | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="balint-worker-", suffix=".log")[1])

    def start(self) -> "CeleryWorker":
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "balint",
                "worker",
                "--pool=solo",
                "--queues",
                self.queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                "--hostname",
                f"{self.queue}@%h",
            ],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while " ready." not in self.log():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start:\n{self.log()}")
            time.sleep(0.1)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no chance to finish or acknowledge anything."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None
            self._log.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None
            self._log.close()

    def __enter__(self) -> "CeleryWorker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextmanager
def using_broker(url: str):
    """Send this process's tasks to a real broker instead of running them in-process."""
    from celery import current_app

    conf = current_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = url, False
    _drop_broker_connections(current_app)
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        _drop_broker_connections(current_app)


def _drop_broker_connections(app) -> None:
    # Celery and kombu keep pools of connections to the broker they first saw; close and forget
    # them all, so the next task goes to the broker just configured.
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


class DovecotServer:
    """A throwaway IMAP server (Debian's dovecot-imapd) with one mailbox, `replies`, whose
    password is anything: its own config, run folder, log and Maildir in a temporary folder, on
    a spare loopback port. The mail belongs to the `mail` user, as Dovecot will not serve uid 0."""

    user = "replies"
    password = "not-a-secret"

    def __init__(self):
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="balint-dovecot-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> "DovecotServer":
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binary).exists():
            raise RuntimeError("Dovecot is not installed: apt-get install dovecot-imapd")
        self.root.chmod(0o711)  # mkdtemp's 0700 would keep the `mail` user out of its Maildir
        (self.root / "run").mkdir()
        mail = self.root / "mail"
        mail.mkdir()
        shutil.chown(mail, "mail", "mail")
        config = self.root / "dovecot.conf"
        config.write_text(
            DOVECOT_CONFIG.format(
                root=self.root, port=self.port, user=self.user, password=self.password
            )
        )
        # -F: in the foreground, so the process is ours to wait for; master.pid is written too.
        self.process = subprocess.Popen(
            [binary, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"Dovecot did not start:\n{self.log()}") from None
        return self

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None:
            pid_file = self.root / "run" / "master.pid"
            if pid_file.exists():
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)
            else:
                self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "DovecotServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


DOVECOT_CONFIG = """
base_dir = {root}/run
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
