"""Periodic booking jobs (huey): expire holds, record no-shows, send reminders.

Each job is idempotent and safe on several workers at once (row locks and conditional
updates in `booking.py`), so running it late or twice changes nothing.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import booking


@db_periodic_task(crontab(minute="*"))
def expire_booking_holds() -> None:
    booking.expire_holds()


@db_periodic_task(crontab(minute="*/5"))
def mark_booking_no_shows() -> None:
    booking.mark_no_shows()


@db_periodic_task(crontab(minute="*/5"))
def send_booking_reminders() -> None:
    booking.send_reminders()
