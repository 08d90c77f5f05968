""".ci/run on a machine without PostgreSQL or Redis, with them stopped, and with them broken.

The real script runs against stand-ins for apt-get, PostgreSQL's and Redis's commands (shell
scripts that keep their state in files), so that installing, starting and failing can all be
tried here without touching this machine's services. Its last step, scripts/test.sh, is replaced
by one that prints what it was given.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ["bash", "sh", "cat", "dirname", "env", "grep", "ls", "mkdir", "sed", "seq", "sleep"]
TOOLS += ["sort", "tail", "touch", "rm", "chmod", "cp"]

# The stand-ins. $STATE is a folder of files: pg_running, redis_running, and the log of calls.
STUBS = {
    "id": "echo 0\n",
    "su": '# su postgres -s /bin/sh -c CMD\nexec sh -c "$5"\n',
    "apt-get": """echo "apt-get $*" >> "$STATE/calls"
case "$*" in
  *"install -y -q postgresql"*)
    cp "$PACKAGES"/postgresql/* "$BIN"/
    mkdir -p "$PG_LIB/16"
    printf 'host all all 127.0.0.1/32 scram-sha-256\\n' > "$STATE/pg_hba.conf" ;;
  *"install -y -q redis-server"*) cp "$PACKAGES"/redis/* "$BIN"/ ;;
esac
""",
}
POSTGRESQL = {
    "pg_isready": '[ -e "$STATE/pg_running" ]\n',
    "pg_createcluster": 'echo "pg_createcluster $*" >> "$STATE/calls"; mkdir -p "$PG_ETC/$1/$2"\n',
    "pg_ctlcluster": """echo "pg_ctlcluster $*" >> "$STATE/calls"
[ -e "$STATE/pg_cannot_start" ] || touch "$STATE/pg_running"
""",
    "psql": """echo "psql $*" >> "$STATE/calls"
case "$*" in
  *"SHOW hba_file"*) echo "$STATE/pg_hba.conf" ;;
  *pg_reload_conf*) ;;
  *"SELECT 1"*)
    # A password is asked for unless the server trusts the role on loopback.
    grep -q '^host all postgres 127.0.0.1/32 trust' "$STATE/pg_hba.conf" 2>/dev/null \\
      || { echo 'psql: error: password authentication failed for user "postgres"' >&2; exit 2; }
    echo 1 ;;
esac
""",
}
REDIS = {
    "redis-cli": '[ -e "$STATE/redis_running" ] && echo PONG || exit 1\n',
    "redis-server": """echo "redis-server $*" >> "$STATE/calls"
[ -e "$STATE/redis_cannot_start" ] || touch "$STATE/redis_running"
""",
}


def write_stubs(folder: Path, stubs: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in stubs.items():
        path = folder / name
        path.write_text(f"#!/bin/sh\n{body}")
        path.chmod(0o755)


@pytest.fixture
def machine(tmp_path):
    """A checkout holding only .ci/run and a scripts/test.sh that reports, and a PATH of stubs."""
    checkout = tmp_path / "checkout"
    (checkout / ".ci").mkdir(parents=True)
    shutil.copy2(ROOT / ".ci" / "run", checkout / ".ci" / "run")
    (checkout / "scripts").mkdir()
    (checkout / "scripts" / "test.sh").write_text(
        'echo "tests ran with DATABASE_URL=$DATABASE_URL REDIS_URL=$REDIS_URL"\n'
    )
    bin_dir, state = tmp_path / "bin", tmp_path / "state"
    state.mkdir()
    for tool in TOOLS:
        (bin_dir / tool).parent.mkdir(exist_ok=True)
        (bin_dir / tool).symlink_to(shutil.which(tool))
    write_stubs(bin_dir, STUBS)
    write_stubs(tmp_path / "packages" / "postgresql", POSTGRESQL)
    write_stubs(tmp_path / "packages" / "redis", REDIS)

    class Machine:
        def install(self, package: str) -> None:
            """As if Debian's package had been installed earlier (with its cluster)."""
            write_stubs(bin_dir, POSTGRESQL if package == "postgresql" else REDIS)
            if package == "postgresql":
                (tmp_path / "lib-postgresql" / "15").mkdir(parents=True)
                (tmp_path / "etc-postgresql" / "15" / "main").mkdir(parents=True)

        def calls(self) -> list[str]:
            log = state / "calls"
            return log.read_text().splitlines() if log.exists() else []

        def run(self) -> subprocess.CompletedProcess:
            env = {
                "PATH": str(bin_dir),
                "HOME": str(tmp_path),
                "STATE": str(state),
                "BIN": str(bin_dir),
                "PACKAGES": str(tmp_path / "packages"),
                "PG_ETC": str(tmp_path / "etc-postgresql"),
                "PG_LIB": str(tmp_path / "lib-postgresql"),
                "CI_WAIT_SECONDS": "1",
            }
            return subprocess.run(
                [shutil.which("bash"), str(checkout / ".ci" / "run")],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )

    machine = Machine()
    machine.state = state
    return machine


def test_on_a_bare_machine_it_installs_starts_and_opens_both_then_runs_the_tests(machine):
    result = machine.run()

    assert result.returncode == 0, result.stdout + result.stderr
    calls = machine.calls()
    assert calls.count("apt-get update -q") == 1
    assert "apt-get install -y -q postgresql" in calls
    assert "apt-get install -y -q redis-server" in calls
    assert "pg_createcluster 16 main" in calls
    assert "pg_ctlcluster --skip-systemctl-redirect 16 main start" in calls
    assert any(call.startswith("redis-server --daemonize yes") for call in calls)
    # The fresh server asked for a password; the postgres role is trusted on loopback only.
    hba = (machine.state / "pg_hba.conf").read_text().splitlines()
    assert hba[:2] == ["host all postgres 127.0.0.1/32 trust", "host all postgres ::1/128 trust"]
    assert "host all all 127.0.0.1/32 scram-sha-256" in hba
    assert (
        "tests ran with DATABASE_URL=postgres://postgres@127.0.0.1:5432/balint "
        "REDIS_URL=redis://127.0.0.1:6379/0" in result.stdout
    )


def test_with_both_installed_and_running_it_installs_and_starts_nothing(machine):
    machine.install("postgresql")
    machine.install("redis")
    (machine.state / "pg_running").touch()
    (machine.state / "redis_running").touch()
    (machine.state / "pg_hba.conf").write_text("host all postgres 127.0.0.1/32 trust\n")

    result = machine.run()

    assert result.returncode == 0, result.stdout + result.stderr
    assert [call for call in machine.calls() if not call.startswith("psql")] == []
    assert "tests ran" in result.stdout


def test_installed_but_stopped_services_are_started_without_apt(machine):
    machine.install("postgresql")
    machine.install("redis")
    (machine.state / "pg_hba.conf").write_text("host all postgres 127.0.0.1/32 trust\n")

    result = machine.run()

    assert result.returncode == 0, result.stdout + result.stderr
    calls = machine.calls()
    assert not [call for call in calls if call.startswith("apt-get")]
    assert "pg_ctlcluster --skip-systemctl-redirect 15 main start" in calls
    assert not any(call.startswith("pg_createcluster") for call in calls)
    assert any(call.startswith("redis-server") for call in calls)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("pg_cannot_start", "error: PostgreSQL at 127.0.0.1:5432 cannot be reached"),
        ("redis_cannot_start", "error: Redis at 127.0.0.1:6379 cannot be reached"),
    ],
)
def test_a_service_that_will_not_start_fails_the_run_loudly(machine, broken, message):
    (machine.state / broken).touch()

    result = machine.run()

    assert result.returncode != 0
    assert message in result.stderr
    assert "tests ran" not in result.stdout


def test_a_server_it_did_not_install_is_not_opened_up_and_a_password_prompt_fails_loudly(machine):
    # Someone else's PostgreSQL, which wants a password: the script must not change its rules.
    machine.install("postgresql")
    machine.install("redis")
    (machine.state / "pg_running").touch()
    (machine.state / "redis_running").touch()
    (machine.state / "pg_hba.conf").write_text("host all all 127.0.0.1/32 scram-sha-256\n")

    result = machine.run()

    assert result.returncode != 0
    assert "PostgreSQL answers but DATABASE_URL's role cannot sign in" in result.stderr
    assert (
        machine.state / "pg_hba.conf"
    ).read_text() == "host all all 127.0.0.1/32 scram-sha-256\n"
    assert "tests ran" not in result.stdout
