#!/usr/bin/env bash
# Set up and run the whole test suite. Uses DATABASE_URL / REDIS_URL when set (PostgreSQL, Redis),
# otherwise SQLite and an in-process queue. Extra arguments go to pytest.
source "$(dirname "$0")/bootstrap.sh"
ensure_venv "$ROOT/requirements/test.lock"
cd "$ROOT"

if ! command -v chromium >/dev/null 2>&1; then
  echo "==> Installing Chromium from Debian's packages for the browser tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# The calendar-reply tests read a real IMAP mailbox: Debian's Dovecot, started by the tests
# themselves (tests/services.py), never as a system service.
if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
  echo "==> Installing Dovecot from Debian's packages for the IMAP tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null
fi

# Deque's axe-core (npm, pinned in package-lock.json) for the accessibility scan of every page.
if ! command -v npm >/dev/null 2>&1; then
  echo "==> Installing Node.js and npm from Debian's packages for the accessibility tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if ! cmp -s package-lock.json node_modules/.installed-package-lock.json; then
  echo "==> Installing the npm test tools from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-package-lock.json
fi

if [ -n "${DATABASE_URL:-}" ]; then
  echo "==> Database: ${DATABASE_URL%%://*} at $(echo "$DATABASE_URL" | sed -E 's#^[a-z]+://([^@]*@)?##')"
else
  echo "==> Database: SQLite (set DATABASE_URL to test against PostgreSQL)"
fi
if [ -n "${REDIS_URL:-}" ]; then
  echo "==> Redis: ${REDIS_URL}"
else
  echo "==> Redis: not set; tests that need a real broker start their own redis-server"
fi

"$VENV/bin/ruff" check --quiet .
"$VENV/bin/ruff" format --check --quiet .
# The layers (pyproject.toml, [tool.importlinter]): no package imports one above it.
"$VENV/bin/lint-imports" --no-cache >/dev/null || "$VENV/bin/lint-imports" --no-cache

# The load test (tests/load, marked `load`) runs on its own after the rest, so that it does not
# compete with the parallel workers for the CPUs. A marker expression given with -m narrows both
# runs; every other argument goes to both (a run that selects nothing counts as passed).
marks="" args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -m) marks="${2:-}"; shift $(($# > 1 ? 2 : 1)) ;;
    -m?*) marks="${1#-m}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
with_marks() { if [ -n "$marks" ]; then echo "($marks) and $1"; else echo "$1"; fi; }
load_args=("${args[@]}")
[ ${#args[@]} -gt 0 ] || load_args=(tests/load)  # no need to collect the whole suite

status=0
"$VENV/bin/python" -m pytest -n "${PYTEST_WORKERS:-auto}" -m "$(with_marks "not load")" \
  "${args[@]}" || status=$?
echo "==> The load test, alone (LOAD_TEST_SECONDS=${LOAD_TEST_SECONDS:-60}, LOAD_TEST_USERS=${LOAD_TEST_USERS:-50})"
load_status=0
"$VENV/bin/python" -m pytest -m "$(with_marks load)" "${load_args[@]}" -n 0 || load_status=$?

# pytest's 5 means "no tests selected": fine for one run, not for both.
passed() { [ "$1" -eq 0 ] || [ "$1" -eq 5 ]; }
if ! passed "$status"; then exit "$status"; fi
if ! passed "$load_status"; then exit "$load_status"; fi
if [ "$status" -eq 5 ] && [ "$load_status" -eq 5 ]; then exit 5; fi
exit 0
