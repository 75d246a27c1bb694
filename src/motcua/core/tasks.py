"""Background jobs of the core: the worker heartbeat that /healthz reads."""

from django.core.cache import cache
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .views import HEARTBEAT_KEY


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat() -> None:
    beat()


def beat() -> None:
    cache.set(HEARTBEAT_KEY, timezone.now(), timeout=None)
