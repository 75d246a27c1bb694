"""Periodic jobs of payments: attempts past their time expire; the platform is asked about
attempts still waiting (a citizen who closed the page before coming back still gets credited); the
platform's daily file is reconciled every night."""

import datetime as dt
import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from motcua.core.calendar import LOCAL_TZ

from . import platform, reconciliation, services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def expire_attempts_task() -> None:
    services.expire_attempts()


@db_periodic_task(crontab(minute="*/2"))
def check_platform_task() -> None:
    if platform.configured():
        services.check_waiting_platform_attempts()


# 19:30 and 23:30 UTC = 02:30 and 06:30 in Asia/Ho_Chi_Minh (huey matches crontabs in UTC):
# yesterday's file once the platform has closed the day, and again before the office opens in
# case the first run found the platform down. The same file twice is one run.
@db_periodic_task(crontab(minute="30", hour="19,23"))
def reconcile_platform_day_task() -> None:
    if platform.configured():
        reconcile_yesterday()


def reconcile_yesterday(*, at=None) -> int:
    """Fetch and reconcile the platform's file of yesterday (Vietnam's date); how many units
    it reconciled. An unreachable platform or a file that does not add up is logged and
    asked again at the next run."""
    at = at or timezone.now()
    day = at.astimezone(LOCAL_TZ).date() - dt.timedelta(days=1)
    try:
        return len(reconciliation.reconcile_platform_day(day, at=at))
    except (platform.PlatformUnavailable, platform.PlatformRefused) as exc:
        log.warning("platform daily file of %s not reconciled: %s", day, type(exc).__name__)
        return 0
