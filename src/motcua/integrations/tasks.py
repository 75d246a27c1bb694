"""Huey jobs: deliver one notification; every minute, retry what is due.

Retries live in the outbox row (attempts, next_attempt_at), not in huey's own retry counter,
so they survive a lost queue and the staff page can show and reset them.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task()
def deliver_task(notification_id: int) -> None:
    services.deliver(notification_id=notification_id)


@db_periodic_task(crontab(minute="*"))
def retry_due_task() -> None:
    services.retry_due()
