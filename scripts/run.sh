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
# Links in emails, the calendar feed and certificates follow the address the server is started on;
# calendar UIDs and the sender keep one domain whatever the port.
case "$HOST" in 0.0.0.0|::) LINK_HOST=localhost ;; *:*) LINK_HOST="[$HOST]" ;; *) LINK_HOST="$HOST" ;; esac
export SITE_URL="${SITE_URL:-http://$LINK_HOST:$PORT}"
export SITE_DOMAIN="${SITE_DOMAIN:-localhost}"
"$VENV/bin/python" manage.py migrate --no-input -v0
"$VENV/bin/python" manage.py seed_demo
echo
echo "==> Balint groups is running at $SITE_URL/  (stop with Ctrl+C)"
echo
exec "$VENV/bin/python" manage.py runserver "$HOST:$PORT"
