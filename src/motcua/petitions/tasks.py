"""Periodic jobs: flag open petitions past their deadline; forget spent challenges."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import challenge, services


@db_periodic_task(crontab(minute="*/15"))
def flag_overdue_petitions() -> int:
    return services.flag_overdue()


@db_periodic_task(crontab(minute="41"))
def purge_spent_challenges() -> int:
    return challenge.purge()
