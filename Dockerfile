# syntax=docker/dockerfile:1
# The production image. One image serves the web (gunicorn), the Celery worker and Celery beat;
# docker-compose.yml picks the command. Configuration comes from the environment at run time.
# Pinned to a patch release on Debian bookworm: rebuilds get this base until it is bumped here.
FROM python:3.12.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app

# Dependencies before the code, so a code change does not reinstall them. Every package, and
# every package it needs, is pinned to a version and a hash in the lock file.
RUN python -m venv /opt/venv
COPY requirements/app.lock requirements/app.lock
RUN pip install --require-hashes -r requirements/app.lock

COPY . .

# Production settings refuse to load without their values. collectstatic needs none of them, so
# these placeholders exist for this one command only and never reach the image's environment.
RUN BALINT_ENV=production \
    SECRET_KEY=collectstatic-placeholder-not-a-secret \
    DATABASE_URL=postgres://collectstatic@localhost/collectstatic \
    REDIS_URL=redis://localhost:6379/0 \
    ALLOWED_HOSTS=localhost \
    SITE_URL=https://localhost \
    SMTP_HOST=localhost \
    python manage.py collectstatic --no-input -v0

# The code stays owned by root: the app can read it but not change it.
RUN useradd --system --user-group --uid 10001 --no-create-home --home-dir /app balint
USER balint

# gunicorn reads PORT (bind), WEB_CONCURRENCY (worker processes) and GUNICORN_CMD_ARGS itself.
# Threads keep a worker answering while one request waits on the database or SMTP; a worker that
# misses its heartbeat for 30 s is replaced; max-requests recycles slow leaks. Not --reuse-port:
# it gives each worker a listening socket of its own, and the connections queued on a recycled
# worker's socket are reset when it exits (tests/load saw 86 of them in a minute). Containers are
# scaled by compose, not through gunicorn's control socket, which would want a writable home.
# The access log masks the secret tokens in URLs (feeds, invitations, feedback, confirmations,
# password resets): balint/gunicorn_logging.py.
ENV BALINT_ENV=production \
    PORT=8000 \
    WEB_CONCURRENCY=3 \
    GUNICORN_CMD_ARGS="--threads=4 --timeout=30 --graceful-timeout=30 --keep-alive=5 --max-requests=1000 --max-requests-jitter=100 --worker-tmp-dir=/dev/shm --access-logfile=- --logger-class=balint.gunicorn_logging.MaskingLogger --no-control-socket"
EXPOSE 8000

# Liveness: /healthz/live answers 200 while gunicorn serves requests, without touching the
# database or the broker, so a brief PostgreSQL or Redis outage does not mark every web container
# unhealthy at once (an orchestrator would restart them all, and they cannot help). Readiness,
# whether this container can serve real pages, is /healthz (503 when the database or the broker
# is down): the load balancer checks that. urlopen raises on anything but a 2xx. Django answers
# only hosts in ALLOWED_HOSTS, so the probe names the first of them.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; host = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); host = host if host and host != '*' else 'localhost'; r.urlopen(r.Request(f\"http://127.0.0.1:{os.environ['PORT']}/healthz/live\", headers={'Host': host}), timeout=8)"]

CMD ["gunicorn", "balint.wsgi:application"]
