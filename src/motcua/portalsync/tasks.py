"""Huey: every minute, send what is due (a safety net beside `manage.py portal_sync`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import services


@db_periodic_task(crontab(minute="*"))
@lock_task("portalsync-drain")
def drain_task() -> None:
    services.drain(seconds=50)
