#!/usr/bin/env bash
# Set up and run the app locally: SQLite, tasks in-process, email to the console, demo data loaded.
source "$(dirname "$0")/bootstrap.sh"
ensure_venv "$ROOT/requirements/app.lock"
cd "$ROOT"

# Staff and programme admins must set up two-factor authentication at sign-in; the demo's
# printed logins skip that so you can look round at once (MFA_REQUIRED_FOR_ADMINS=true to try it).
export MFA_REQUIRED_FOR_ADMINS="${MFA_REQUIRED_FOR_ADMINS:-false}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
"$VENV/bin/python" manage.py migrate --no-input -v0
"$VENV/bin/python" manage.py seed_demo
echo
echo "==> Balint groups is running at http://$HOST:$PORT/  (stop with Ctrl+C)"
echo
exec "$VENV/bin/python" manage.py runserver "$HOST:$PORT"
