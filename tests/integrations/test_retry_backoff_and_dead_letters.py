"""The periodic retry job: exponential backoff, dead after six attempts, idempotent, and it
recovers rows whose task was lost or whose worker died mid-send."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.core.models import AuditEvent
from motcua.integrations import services
from motcua.integrations.models import Notification

pytestmark = pytest.mark.django_db


def _sms():
    return services.notify(
        channel="sms",
        recipient="0987654321",
        purpose="booking_reminder",
        subject="",
        body="Nhắc lịch hẹn 08:30 ngày mai tại Trung tâm PVHCC xã Thạch Hà.",
    )


def test_backoff_doubles_from_one_minute():
    assert [services.backoff(n).total_seconds() / 60 for n in range(1, 6)] == [1, 2, 4, 8, 16]


def test_six_failed_attempts_make_the_notification_dead(sms_gateway):
    sms_gateway.status = 500
    notification = _sms()
    now = timezone.now()
    services.deliver(notification_id=notification.pk, now=now)
    for _ in range(10):  # the job runs long after; it stops by itself at six attempts
        now += dt.timedelta(hours=1)
        services.retry_due(now=now)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.DEAD
    assert notification.attempts == services.MAX_ATTEMPTS == 6
    assert len(sms_gateway.received) == 6
    assert AuditEvent.objects.filter(action="notification.failed").count() == 5
    assert AuditEvent.objects.filter(action="notification.dead").count() == 1


def test_running_the_job_twice_attempts_once(sms_gateway):
    sms_gateway.status = 500
    notification = _sms()
    now = timezone.now()
    services.deliver(notification_id=notification.pk, now=now)
    later = now + dt.timedelta(minutes=5)

    services.retry_due(now=later)
    services.retry_due(now=later)

    notification.refresh_from_db()
    assert notification.attempts == 2
    assert len(sms_gateway.received) == 2


def test_pending_notification_whose_task_was_lost_is_picked_up(sms_gateway):
    notification = _sms()  # on_commit never ran: the queue lost it
    assert services.retry_due(now=timezone.now())["attempted"] == 0  # give the task a chance
    services.retry_due(now=timezone.now() + dt.timedelta(minutes=3))
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


def test_notification_stuck_in_sending_after_a_crash_is_retried(sms_gateway):
    notification = _sms()
    crashed_at = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENDING, attempts=1, sending_since=crashed_at
    )
    counts = services.retry_due(now=crashed_at + dt.timedelta(minutes=16))
    assert counts["stuck"] == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.last_error == "interrupted: worker stopped"
    services.retry_due(now=crashed_at + dt.timedelta(minutes=30))
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


def test_a_crashing_adapter_does_not_leave_the_row_sending(settings):
    settings.MOTCUA_NOTIFY_SENDERS = {"sms": "motcua.integrations.senders.Notification"}
    notification = _sms()
    services.deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.last_error.startswith("internal: ")
