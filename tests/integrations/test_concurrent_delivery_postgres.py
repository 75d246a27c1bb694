"""On PostgreSQL, with real concurrent connections: one delivery per message, one row per key."""

import threading

import pytest
from django.db import connection

from motcua.integrations import services
from motcua.integrations.models import Notification

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(n, target):
    barrier = threading.Barrier(n)
    errors = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as exc:  # noqa: BLE001  collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_eight_workers_delivering_the_same_sms_send_it_once(sms_gateway):
    notification = services.notify(
        channel="sms", recipient="0912345678", purpose="turn_near", subject="", body="Sắp đến lượt"
    )
    assert _in_threads(8, lambda: services.deliver(notification_id=notification.pk)) == []
    assert len(sms_gateway.received) == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1


def test_racing_callers_with_one_idempotency_key_make_one_row():
    def call():
        services.notify(
            channel="email",
            recipient="an@example.vn",
            purpose="dossier_received",
            subject="Đã tiếp nhận",
            body="Đã tiếp nhận hồ sơ.",
            idempotency_key="dossier:9:received:email",
        )

    assert _in_threads(8, call) == []
    assert Notification.objects.filter(idempotency_key="dossier:9:received:email").count() == 1
