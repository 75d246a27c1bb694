"""Site-wide views: home, health check and the Vietnamese error pages."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

HEARTBEAT_KEY = "motcua:worker-heartbeat"


def home(request):
    return redirect("catalog:procedure_list")


@never_cache
def healthz(request):
    """Database reachable and a worker heartbeat younger than WORKER_HEARTBEAT_MAX_AGE."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "error"
    beat = None
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception:
        beat = None
    if beat is None:
        checks["worker"] = "missing"
    else:
        age = (timezone.now() - beat).total_seconds()
        checks["worker"] = "ok" if age <= settings.WORKER_HEARTBEAT_MAX_AGE else "stale"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )


def _error(request, status, template):
    return render(request, template, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "errors/400.html")


def permission_denied(request, exception=None):
    return _error(request, 403, "errors/403.html")


def page_not_found(request, exception=None):
    return _error(request, 404, "errors/404.html")


def server_error(request):
    return _error(request, 500, "errors/500.html")
