"""SMS through the generic HTTP gateway protocol (checked by a local gateway), the dev outbox
file, e-mail through Django's backend; failures classified for retry and never logging PII."""

import json
import logging

import pytest
from django.core import mail

from motcua.integrations import services
from motcua.integrations.models import Notification

pytestmark = pytest.mark.django_db


def _sms(**extra):
    fields = {
        "channel": "sms",
        "recipient": "0912345678",
        "purpose": "supplement_requested",
        "subject": "",
        "body": "Hồ sơ 000.00.12.H42-251120-0001 cần bổ sung giấy tờ. Đến quầy số 2.",
    }
    return services.notify(**(fields | extra))


def test_sms_is_posted_to_the_gateway_with_bearer_token_and_json(sms_gateway):
    notification = _sms()
    services.deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    [got] = sms_gateway.received
    assert got.problems == []
    assert got.path == "/api/sms"
    assert got.headers["content-type"] == "application/json"
    assert got.body["to"] == "+84912345678"
    # Unaccented: Vietnamese brandname routes take ASCII, and it fits 160 chars per segment
    assert got.body["message"] == (
        "Ho so 000.00.12.H42-251120-0001 can bo sung giay to. Den quay so 2."
    )
    assert got.body["reference"] == str(notification.pk)


def test_sms_keeps_diacritics_when_the_gateway_accepts_unicode(sms_gateway, settings):
    settings.MOTCUA_SMS_ASCII = False
    services.deliver(notification_id=_sms().pk)
    assert sms_gateway.received[0].body["message"].startswith("Hồ sơ")


def test_gateway_outage_is_retried_later(sms_gateway):
    sms_gateway.status = 503
    notification = _sms()
    services.deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.last_error == "sms: gateway HTTP 503"
    assert notification.next_attempt_at is not None


def test_wrong_token_is_retried_not_dropped(sms_gateway, settings):
    settings.MOTCUA_SMS_TOKEN = "het-han"
    notification = _sms()
    services.deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    # A configuration mistake: keep the message until an operator fixes the token
    assert notification.status == Notification.Status.FAILED
    assert notification.last_error == "sms: gateway HTTP 401"


def test_number_refused_by_gateway_is_not_retried(sms_gateway):
    sms_gateway.status = 422
    notification = _sms()
    services.deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.DEAD


def test_unreachable_gateway_is_a_retryable_failure(settings):
    settings.MOTCUA_SMS_URL = "http://127.0.0.1:9/api/sms"  # discard port: connection refused
    notification = _sms()
    services.deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.last_error == "sms: ConnectionError"


def test_dev_mode_writes_sms_to_a_local_outbox_file(settings, tmp_path):
    settings.MOTCUA_NOTIFY_MODE = "dev"
    notification = _sms()
    services.deliver(notification_id=notification.pk)

    lines = (tmp_path / "dev-sms-outbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["to"] == "+84912345678"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


def test_email_goes_through_the_django_mail_backend():
    notification = services.notify(
        channel="email",
        recipient="le.thi.binh@example.vn",
        purpose="result_ready",
        subject="Đã có kết quả hồ sơ",
        body="Mời ông/bà nhận kết quả tại quầy số 1.",
    )
    services.deliver(notification_id=notification.pk)
    assert mail.outbox[0].subject == "Đã có kết quả hồ sơ"
    assert mail.outbox[0].to == ["le.thi.binh@example.vn"]


def test_failed_email_error_text_holds_no_address(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # nothing listens: connection refused
    settings.EMAIL_TIMEOUT = 2
    notification = services.notify(
        channel="email",
        recipient="le.thi.binh@example.vn",
        purpose="apology",
        subject="Thư xin lỗi",
        body="Hẹn lại ngày trả kết quả 03/12/2025.",
    )
    services.deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.last_error == "email: ConnectionRefusedError"


def test_logs_carry_ids_and_purposes_only(sms_gateway, caplog):
    sms_gateway.status = 500
    with caplog.at_level(logging.INFO, logger="motcua.integrations"):
        notification = _sms()
        services.deliver(notification_id=notification.pk)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert f"notification {notification.pk}" in text
    assert "supplement_requested" in text
    assert "912345678" not in text
    assert "bổ sung" not in text and "bo sung" not in text
