"""notify(): the outbox row commits with the event, is delivered after commit, never twice."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from huey.contrib.djhuey import HUEY

from motcua.core.models import AuditEvent
from motcua.integrations import services
from motcua.integrations.models import Notification

pytestmark = pytest.mark.django_db


def _notify_email(**extra):
    fields = {
        "channel": "email",
        "recipient": "nguyen.van.an@example.vn",
        "purpose": "dossier_received",
        "subject": "Đã tiếp nhận hồ sơ 000.00.12.H42-251120-0001",
        "body": "Hồ sơ của ông/bà đã được tiếp nhận. Ngày hẹn trả kết quả: 27/11/2025.",
        "object_type": "dossiers.dossier",
        "object_id": 17,
        "url": "/tra-cuu/ho-so/000.00.12.H42-251120-0001/",
    }
    return services.notify(**(fields | extra))


def test_notification_is_queued_as_pending_with_an_audit_row(units):
    notification = _notify_email(unit=units["thach_ha"])

    assert notification.status == Notification.Status.PENDING
    assert notification.unit == units["thach_ha"]
    assert (
        notification.url == "https://motcua.thachha.gov.vn/tra-cuu/ho-so/000.00.12.H42-251120-0001/"
    )
    event = AuditEvent.objects.get(action="notification.queued")
    assert event.object_id == str(notification.pk)
    assert "example.vn" not in str(event.changes) + event.object_repr  # no address in the log


def test_the_same_event_never_notifies_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = _notify_email(idempotency_key="dossier:17:received:email")
        again = _notify_email(idempotency_key="dossier:17:received:email")

    assert again.pk == first.pk
    assert Notification.objects.count() == 1
    assert len(callbacks) == 1  # delivery scheduled once


def test_delivery_is_scheduled_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        notification = _notify_email()
        assert mail.outbox == []  # nothing leaves before the event commits
    assert len(callbacks) == 1

    services.deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None
    assert mail.outbox[0].to == ["nguyen.van.an@example.vn"]
    assert "0001" in mail.outbox[0].subject
    assert "https://motcua.thachha.gov.vn/tra-cuu/ho-so/" in mail.outbox[0].body


def test_rolled_back_event_notifies_nobody(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _notify_email()
                raise RuntimeError("dossier transition failed")
        except RuntimeError:
            pass
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_huey_delivers_the_email_when_the_transaction_commits(django_capture_on_commit_callbacks):
    assert HUEY.immediate  # conftest: as HUEY_IMMEDIATE=1 does in development
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify_email()

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="notification.sent").count() == 1


def test_delivering_twice_sends_one_email():
    notification = _notify_email()
    services.deliver(notification_id=notification.pk)
    services.deliver(notification_id=notification.pk)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("channel", "recipient", "message"),
    [
        ("email", "khong-phai-email", "Địa chỉ thư điện tử không hợp lệ."),
        (
            "sms",
            "12345",
            "Số điện thoại không hợp lệ: cần số di động 10 chữ số (ví dụ 0912 345 678).",
        ),
        ("push", "0912345678", "Thông báo đẩy cần một đăng ký nhận thông báo."),
    ],
)
def test_bad_recipient_is_refused_with_a_vietnamese_message(channel, recipient, message):
    with pytest.raises(ValidationError) as exc:
        services.notify(
            channel=channel, recipient=recipient, purpose="result_ready", subject="", body="Có KQ"
        )
    assert exc.value.messages == [message]
    assert Notification.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("0912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("+84.912.345.678", "+84912345678"),
    ],
)
def test_phone_numbers_are_stored_in_international_form(raw, normalised):
    notification = services.notify(
        channel="sms", recipient=raw, purpose="turn_near", subject="", body="Sắp đến lượt bạn"
    )
    assert notification.to_address == normalised
