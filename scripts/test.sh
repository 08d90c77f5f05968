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
exec "$VENV/bin/python" -m pytest -n "${PYTEST_WORKERS:-auto}" "$@"
