"""Site-wide views: health check and the Vietnamese error pages (the home page is portal's)."""

import sys

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .files import StoredFileMissing

HEARTBEAT_KEY = "motcua:worker-heartbeat"


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001  the health check reports any failure as "down"
        return False


def _worker_age() -> float | None:
    """Seconds since a huey worker last beat (core.tasks.beat), None if it never did."""
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001  cache backend down: as good as no heartbeat
        return None
    if beat is None:
        return None
    return max(0.0, (timezone.now() - beat).total_seconds())


@never_cache
def healthz(request):
    """For monitoring: 200 when the database answers and a worker beat within
    WORKER_HEARTBEAT_MAX_AGE seconds, else 503 with what is wrong. No personal data.

    `?probe=web` is for the load balancer: only what this app server needs to serve pages
    counts, so a stopped worker pool does not take every app server out of rotation.
    """
    checks = {"database": "ok" if _database_ok() else "error"}
    age = _worker_age()
    if age is None:
        checks["worker"] = "missing"
    else:
        checks["worker"] = "ok" if age <= settings.WORKER_HEARTBEAT_MAX_AGE else "stale"
    required = ["database"] if request.GET.get("probe") == "web" else list(checks)
    healthy = all(checks[name] == "ok" for name in required)
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "checks": checks,
            "worker_heartbeat_age_seconds": round(age, 1) if age is not None else None,
        },
        status=200 if healthy else 503,
    )


def _error(request, status, template):
    return render(request, template, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "errors/400.html")


def permission_denied(request, exception=None):
    return _error(request, 403, "errors/403.html")


def page_not_found(request, exception=None):
    if isinstance(exception, StoredFileMissing):
        return _error(request, 404, "errors/file_missing.html")
    return _error(request, 404, "errors/404.html")


# A request that waited DATABASE_POOL_TIMEOUT seconds for a free database connection is told to
# come back shortly (503 + Retry-After), not that the system is broken: the server is full.
POOL_RETRY_AFTER_SECONDS = 5


def _pool_exhausted(exc: BaseException | None) -> bool:
    """Whether the exception being handled is psycopg_pool's "no connection free in time"
    (Django wraps it in its OperationalError)."""
    while exc is not None:
        if type(exc).__name__ == "PoolTimeout" and type(exc).__module__.startswith("psycopg_pool"):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request):
    """Rendered without context processors or the session: the failure may be the database.

    Called by Django while it handles the exception, wherever it was raised (a middleware
    loading the session as much as a view), so the pool's timeout is recognised here: 503."""
    busy = _pool_exhausted(sys.exc_info()[1])
    template, status = ("errors/503.html", 503) if busy else ("errors/500.html", 500)
    try:
        body = loader.get_template(template).render({})
    except Exception:  # noqa: BLE001  even the template failed: plain Vietnamese text, never a blank page
        response = HttpResponseServerError(
            "Hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút.",
            content_type="text/plain; charset=utf-8",
        )
        response.status_code = status
    else:
        response = HttpResponse(body, status=status)
    if busy:
        response["Retry-After"] = str(POOL_RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
    return response


def csrf_failure(request, reason=""):
    """A stale form (page left open, session expired): explain it, instead of Django's
    English 'CSRF verification failed'. Wired by settings.CSRF_FAILURE_VIEW."""
    return render(request, "errors/403_csrf.html", status=403)
