"""`/healthz`: is the database answering, and is the broker reachable? `/healthz/live`: is this
process answering at all (a liveness probe, and the benches' trivial view)?"""

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 2


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        return "ok"
    except Exception:
        return "unreachable"


@never_cache
@require_safe
def healthz(request):
    database = "ok" if _database_ok() else "unreachable"
    broker = _broker_state()
    healthy = database == "ok" and broker in {"ok", "eager"}
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


@never_cache
@require_safe
def live(request):
    """200 "ok" while the process serves requests; asks neither the database nor the broker, so
    an orchestrator does not restart a healthy web process when PostgreSQL or Redis is down."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
