"""Web Push end to end against a local push service that verifies VAPID and decrypts the
message with the browser's keys, as Chrome's or Firefox's push service and the phone would."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from motcua.core.models import AuditEvent
from motcua.integrations import services, vapid
from motcua.integrations.models import Notification, PushSubscription

pytestmark = pytest.mark.django_db


def _subscribe(push_service, ticket="A012") -> PushSubscription:
    """The browser's own path: fetch the VAPID key, subscribe, POST the subscription."""
    client = Client()
    key = client.get("/thong-bao/vapid-public-key").json()["publicKey"]
    assert key == vapid.public_key()
    body = push_service.subscription_json() | {"ticket": ticket}
    response = client.post(
        "/thong-bao/dang-ky-nhan/", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return PushSubscription.objects.get(ticket_ref=ticket)


def _turn_near(subscription):
    return services.notify(
        channel="push",
        recipient=subscription,
        purpose="turn_near",
        subject="Số A012",
        body="Sắp đến lượt bạn: còn 3 người",
        url="/hang-doi/ve/12/",
        object_type="queueing.ticket",
        object_id=12,
    )


def test_turn_near_push_arrives_signed_and_decryptable(push_service):
    subscription = _subscribe(push_service)
    notification = _turn_near(subscription)

    services.deliver(notification_id=notification.pk)

    [got] = push_service.received
    assert got.problems == []
    assert got.path == "/push/abc123"
    assert got.plaintext == {
        "title": "Số A012",
        "body": "Sắp đến lượt bạn: còn 3 người",
        "url": "https://motcua.thachha.gov.vn/hang-doi/ve/12/",
    }
    assert got.vapid_key == vapid.public_key()
    assert got.vapid_claims["aud"] == push_service.origin
    assert got.vapid_claims["sub"] == "mailto:motcua@thachha.gov.vn"
    assert got.headers["urgency"] == "high"
    notification.refresh_from_db()
    subscription.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert subscription.last_success_at is not None


def test_configured_vapid_key_is_used_and_verified(push_service, settings):
    from py_vapid import Vapid02

    key = Vapid02()
    key.generate_keys()
    raw = key.private_key.private_numbers().private_value.to_bytes(32, "big")
    settings.MOTCUA_VAPID_PRIVATE_KEY = vapid.b64url(raw)
    expected = vapid.b64url(vapid.public_point(key.public_key))

    subscription = _subscribe(push_service)
    services.deliver(notification_id=_turn_near(subscription).pk)

    assert push_service.received[0].problems == []
    assert push_service.received[0].vapid_key == expected


def test_mismatched_vapid_public_key_is_a_configuration_error(settings):
    settings.MOTCUA_VAPID_PUBLIC_KEY = "BOGUS"
    with pytest.raises(ValueError, match="does not match"):
        vapid.public_key()


def test_push_service_410_deactivates_the_subscription(push_service):
    subscription = _subscribe(push_service)
    push_service.status = 410
    notification = _turn_near(subscription)

    services.deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    subscription.refresh_from_db()
    assert notification.status == Notification.Status.DEAD
    assert notification.last_error == "push: service HTTP 410 (unsubscribed)"
    assert subscription.is_active is False
    assert AuditEvent.objects.filter(action="push.deactivated").exists()
    # Later notifications to that browser are not even attempted
    later = _turn_near(subscription)
    services.deliver(notification_id=later.pk)
    later.refresh_from_db()
    assert later.status == Notification.Status.DEAD
    assert len(push_service.received) == 1


def test_push_service_404_also_deactivates(push_service):
    subscription = _subscribe(push_service)
    push_service.status = 404
    services.deliver(notification_id=_turn_near(subscription).pk)
    subscription.refresh_from_db()
    assert subscription.is_active is False


def test_push_service_500_is_retried_with_backoff_then_delivered(push_service):
    subscription = _subscribe(push_service)
    push_service.status = 500
    notification = _turn_near(subscription)
    start = timezone.now()

    services.deliver(notification_id=notification.pk, now=start)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.last_error == "push: service HTTP 500"
    assert notification.next_attempt_at == start + dt.timedelta(minutes=1)
    subscription.refresh_from_db()
    assert subscription.is_active is True and subscription.failures == 1

    # Not yet due: the periodic job leaves it alone
    assert services.retry_due(now=start + dt.timedelta(seconds=30))["attempted"] == 0
    push_service.status = 201
    counts = services.retry_due(now=start + dt.timedelta(minutes=1))

    assert counts == {"stuck": 0, "attempted": 1, "sent": 1}
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 2
    assert push_service.received[-1].plaintext["body"] == "Sắp đến lượt bạn: còn 3 người"


def test_ticket_holder_gets_a_push_and_no_sms_when_subscribed(push_service, sms_gateway):
    _subscribe(push_service, ticket="A012")
    sent = services.notify_device_or_phone(
        ticket_ref="A012",
        phone="0912345678",
        purpose="turn_near",
        subject="Số A012",
        body="Sắp đến lượt bạn: còn 3 người",
        event_key="ticket:12:turn_near",
    )
    again = services.notify_device_or_phone(
        ticket_ref="A012",
        phone="0912345678",
        purpose="turn_near",
        subject="Số A012",
        body="Sắp đến lượt bạn: còn 3 người",
        event_key="ticket:12:turn_near",
    )
    assert [n.channel for n in sent] == ["push"]
    assert [n.pk for n in again] == [n.pk for n in sent]  # same event: nothing new
    for n in sent:
        services.deliver(notification_id=n.pk)
    assert len(push_service.received) == 1
    assert sms_gateway.received == []


def test_ticket_holder_without_push_falls_back_to_sms(push_service, sms_gateway):
    subscription = _subscribe(push_service, ticket="A013")
    services.unsubscribe(endpoint=subscription.endpoint)
    [sms] = services.notify_device_or_phone(
        ticket_ref="A013",
        phone="0912345678",
        purpose="turn_near",
        subject="",
        body="Sắp đến lượt bạn: còn 3 người",
        event_key="ticket:13:turn_near",
    )
    services.deliver(notification_id=sms.pk)
    assert sms.channel == "sms"
    assert sms_gateway.received[0].body["message"] == "Sap den luot ban: con 3 nguoi"
