"""Saving a browser's push subscription: real ones accepted, forged ones refused in Vietnamese."""

import base64
import json

import pytest
from django.test import Client

from motcua.core.models import AuditEvent
from motcua.integrations.models import PushSubscription

from .peers import b64url

pytestmark = pytest.mark.django_db
URL = "/thong-bao/dang-ky-nhan/"
# A real uncompressed P-256 point and a 16-byte auth secret, as Chrome sends them
P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"
FCM = "https://fcm.googleapis.com/fcm/send/cXp1bmLUQGk:APA91bH-test"


def _post(client, body, **extra):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **extra)


def _body(**overrides):
    body = {"endpoint": FCM, "keys": {"p256dh": P256DH, "auth": AUTH}, "ticket": "A012"}
    return body | overrides


def test_vapid_public_key_is_served_as_json(client):
    response = client.get("/thong-bao/vapid-public-key")
    key = response.json()["publicKey"]
    assert response.status_code == 200
    assert len(base64.urlsafe_b64decode(key + "=")) == 65


def test_a_real_subscription_is_saved_and_audited(client):
    response = _post(client, _body(), HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 10)")
    assert response.status_code == 201
    assert response.json()["message"] == "Đã bật thông báo trên thiết bị này."
    subscription = PushSubscription.objects.get()
    assert subscription.ticket_ref == "A012"
    assert subscription.is_active
    assert subscription.user_agent.startswith("Mozilla/5.0")
    assert AuditEvent.objects.filter(action="push.subscribed").count() == 1


def test_subscribing_the_same_browser_again_updates_it(client):
    _post(client, _body())
    PushSubscription.objects.update(is_active=False)
    _post(client, _body(ticket="B003"))
    subscription = PushSubscription.objects.get()
    assert subscription.is_active and subscription.ticket_ref == "B003"


def _forged_point() -> str:
    """65 bytes that look like an uncompressed point (0x04 prefix) but are not on P-256."""
    return b64url(b"\x04" + b"\x01" * 32 + b"\x02" * 32)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            _body(keys={"p256dh": _forged_point(), "auth": AUTH}),
            "Khóa mã hóa của đăng ký không hợp lệ.",
        ),
        (
            _body(keys={"p256dh": P256DH, "auth": b64url(b"x" * 8)}),
            "Khóa mã hóa của đăng ký không hợp lệ.",
        ),
        (
            _body(keys={"p256dh": P256DH[:40], "auth": AUTH}),
            "Khóa mã hóa của đăng ký không hợp lệ.",
        ),
        (
            _body(keys={"p256dh": "not base64!!", "auth": AUTH}),
            "Khóa mã hóa của đăng ký không hợp lệ.",
        ),
        (
            _body(endpoint="http://fcm.googleapis.com/fcm/send/x"),
            "Địa chỉ nhận thông báo phải dùng https.",
        ),
        (_body(endpoint="https://10.0.0.5/internal"), "Địa chỉ nhận thông báo không hợp lệ."),
        (
            _body(endpoint="https://attacker.example/collect"),
            "Dịch vụ thông báo của trình duyệt này chưa được hỗ trợ.",
        ),
        (_body(endpoint="javascript:alert(1)"), "Địa chỉ nhận thông báo không hợp lệ."),
        ({"endpoint": FCM}, "Dữ liệu đăng ký không hợp lệ."),
        (["not", "an", "object"], "Dữ liệu đăng ký không hợp lệ."),
    ],
)
def test_forged_subscription_is_refused_with_a_clear_message(client, body, message):
    response = _post(client, body)
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert PushSubscription.objects.count() == 0


def test_local_http_endpoint_is_refused_outside_development(client, settings):
    settings.MOTCUA_PUSH_ALLOW_INSECURE = False
    settings.DEBUG = False
    response = _post(client, _body(endpoint="http://127.0.0.1:8999/push/1"))
    assert response.status_code == 400


def test_broken_json_is_a_400_not_a_500(client):
    response = client.post(URL, data="{endpoint:", content_type="application/json")
    assert response.status_code == 400


def test_subscribing_is_rate_limited_per_address(settings):
    settings.MOTCUA_PUSH_SUBSCRIBE_LIMIT = 3
    phone, other = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.8")
    codes = [_post(phone, _body()).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert "thử lại sau" in _post(phone, _body()).json()["error"]
    assert _post(other, _body()).status_code == 201


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


def test_unsubscribe_switches_the_browser_off(client):
    _post(client, _body())
    response = client.delete(
        "/thong-bao/huy-dang-ky/",
        data=json.dumps({"endpoint": FCM}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert PushSubscription.objects.get().is_active is False
    # unknown endpoint: same answer, reveals nothing
    again = _post_unsub(client, "https://fcm.googleapis.com/fcm/send/unknown")
    assert again.status_code == 200


def _post_unsub(client, endpoint):
    return client.post(
        "/thong-bao/huy-dang-ky/",
        data=json.dumps({"endpoint": endpoint}),
        content_type="application/json",
    )
