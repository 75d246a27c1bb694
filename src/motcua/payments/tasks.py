"""Periodic jobs of payments: attempts past their time expire; the platform is asked about
attempts still waiting (a citizen who closed the page before coming back still gets credited)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import platform, services


@db_periodic_task(crontab(minute="*"))
def expire_attempts_task() -> None:
    services.expire_attempts()


@db_periodic_task(crontab(minute="*/2"))
def check_platform_task() -> None:
    if platform.configured():
        services.check_waiting_platform_attempts()
