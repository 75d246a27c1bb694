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
# once the platform has closed the day, and again before the office opens in case the first run
# found the platform down. The same file twice is one run, so asking again costs nothing.
@db_periodic_task(crontab(minute="30", hour="19,23"))
def reconcile_platform_days_task() -> None:
    if platform.configured():
        reconcile_recent_days()


CATCH_UP_DAYS = 3


def reconcile_recent_days(*, at=None, days: int = CATCH_UP_DAYS) -> int:
    """Fetch and reconcile the platform's files of the last `days` days (Vietnam's dates, up
    to yesterday): a night the platform was down is caught up the next nights. Returns how
    many new runs were made; an unreachable platform or a file that does not add up is logged
    and asked again at the next run."""
    at = at or timezone.now()
    today = at.astimezone(LOCAL_TZ).date()
    made = 0
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        try:
            outcomes = reconciliation.reconcile_platform_day(day, at=at)
        except (platform.PlatformUnavailable, platform.PlatformRefused) as exc:
            log.warning("platform daily file of %s not reconciled: %s", day, type(exc).__name__)
            continue
        made += sum(1 for o in outcomes if not o.again)
    return made
