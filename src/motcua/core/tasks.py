"""Background jobs of the core: the worker heartbeat that /healthz reads, and the purge of
rate-limit counters of ended windows (database-cache installs, decisions/0019)."""

from django.core.cache import cache
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import ratelimit
from .views import HEARTBEAT_KEY


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat() -> None:
    beat()


def beat() -> None:
    cache.set(HEARTBEAT_KEY, timezone.now(), timeout=None)


@db_periodic_task(crontab(minute="17"))
def purge_rate_counters() -> int:
    return ratelimit.purge()
