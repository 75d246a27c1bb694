"""Periodic queue jobs (huey): expire holds, record no-shows, send reminders, close the day.

Each job is idempotent and safe on several workers at once (row locks and conditional
updates in `booking.py`), so running it late or twice changes nothing.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import booking, services


@db_periodic_task(crontab(minute="*"))
def expire_booking_holds() -> None:
    booking.expire_holds()


@db_periodic_task(crontab(minute="*/5"))
def mark_booking_no_shows() -> None:
    booking.mark_no_shows()


@db_periodic_task(crontab(minute="*/5"))
def send_booking_reminders() -> None:
    booking.send_reminders()


# 17:30 and 22:30 UTC = 00:30 and 05:30 in Asia/Ho_Chi_Minh (huey matches crontabs in UTC):
# after midnight, and once more before the office opens in case the first run was missed.
@db_periodic_task(crontab(minute="30", hour="17,22"))
def close_past_queue_days() -> None:
    services.close_past_days()
