"""Use cases of the notification outbox and of push subscriptions.

`notify()` is the public API for the other apps: call it inside the transaction of the event
being announced; the row commits with the event and delivery is scheduled on commit. Delivery
claims the row with a compare-and-set UPDATE (no lock held during network I/O, safe on SQLite
and with several workers), sends through the channel's adapter, then records the outcome.
Failures are retried by `retry_due()` with exponential backoff; after MAX_ATTEMPTS the row is
"dead" and shows on the staff page with a "Gửi lại" button.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import audit, identifiers, links
from motcua.core.models import Unit

from . import push_keys
from .models import Notification, PushSubscription
from .senders import DeliveryError, PushGone, get_sender

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE = dt.timedelta(minutes=1)  # 1, 2, 4, 8, 16 minutes between the six attempts
STUCK_AFTER = dt.timedelta(minutes=15)  # a "sending" row this old: its worker died mid-send
LOST_AFTER = dt.timedelta(minutes=2)  # a "pending" row this old: its queued task was lost
RETRY_BATCH = 200

Channel = Notification.Channel
Status = Notification.Status


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next try after `attempts` failed ones: 1, 2, 4, 8, 16 minutes."""
    return BACKOFF_BASE * (2 ** max(0, attempts - 1))


def _recipient_fields(channel: str, recipient) -> dict:
    if channel == Channel.PUSH:
        if isinstance(recipient, PushSubscription):
            return {"subscription": recipient}
        if isinstance(recipient, int):
            return {"subscription": PushSubscription.objects.get(pk=recipient)}
        raise ValidationError(_("Thông báo đẩy cần một đăng ký nhận thông báo."), code="push")
    if not isinstance(recipient, str):
        raise ValidationError(_("Người nhận không hợp lệ."), code="recipient")
    if channel == Channel.EMAIL:
        address = recipient.strip()
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(_("Địa chỉ thư điện tử không hợp lệ."), code="email") from None
        return {"to_address": address}
    return {"to_address": identifiers.e164(recipient)}


def notify(
    *,
    channel: str,
    recipient: str | int | PushSubscription,
    purpose: str,
    subject: str,
    body: str,
    object_type: str = "",
    object_id: str | int = "",
    idempotency_key: str | None = None,
    url: str | None = None,
    unit: Unit | int | None = None,
) -> Notification:
    """Queue one message; delivered after the caller's transaction commits.

    The same `idempotency_key` (e.g. "dossier:42:received:sms") returns the existing row and
    sends nothing again, so a retried request or a replayed event never notifies twice.
    """
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if purpose not in Notification.Purpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    if not body.strip():
        raise ValidationError(_("Nội dung thông báo không được để trống."), code="body")
    if idempotency_key:
        existing = Notification.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    fields = _recipient_fields(channel, recipient)
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    notification = Notification(
        unit_id=unit_id,
        channel=channel,
        purpose=purpose,
        subject=subject[:200],
        body=body,
        url=links.absolute(url)[:500],
        object_type=object_type,
        object_id=str(object_id),
        idempotency_key=idempotency_key or None,
        **fields,
    )
    try:
        with transaction.atomic():
            notification.save(force_insert=True)
            audit.record(
                action="notification.queued",
                obj=notification,
                unit=unit_id,
                changes={"channel": channel, "purpose": purpose},
            )
    except IntegrityError:
        if not idempotency_key:
            raise
        # Two callers raced with the same key: the other one's row stands.
        return Notification.objects.get(idempotency_key=idempotency_key)
    pk = notification.pk
    transaction.on_commit(lambda: schedule(pk))
    log.info("notification %s queued purpose=%s channel=%s", pk, purpose, channel)
    return notification


def schedule(notification_id: int) -> None:
    """Hand delivery to a huey worker (runs inline when huey is immediate)."""
    from .tasks import deliver_task

    deliver_task(notification_id)


def _claim(notification_id: int, now: dt.datetime) -> bool:
    """Compare-and-set pending/failed-and-due -> sending; True for exactly one caller."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        Notification.objects.filter(
            due, pk=notification_id, status__in=[Status.PENDING, Status.FAILED]
        ).update(status=Status.SENDING, attempts=F("attempts") + 1, sending_since=now)
    )


def deliver(*, notification_id: int, now: dt.datetime | None = None) -> Notification | None:
    """One delivery attempt. Idempotent: a row already sent, dead, being sent or not yet due
    is left alone (returns None), so duplicate tasks and overlapping jobs are harmless."""
    now = now or timezone.now()
    if not _claim(notification_id, now):
        return None
    notification = Notification.objects.select_related("subscription").get(pk=notification_id)
    try:
        get_sender(notification.channel).send(notification)
    except DeliveryError as exc:
        return _record_failure(notification, exc, now)
    except Exception as exc:  # an adapter bug must not leave the row stuck in "sending"
        log.exception("notification %s adapter crashed", notification.pk)
        return _record_failure(notification, DeliveryError(f"internal: {type(exc).__name__}"), now)
    return _record_success(notification, now)


def _record_success(notification: Notification, now: dt.datetime) -> Notification:
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
            status=Status.SENT, sent_at=now, last_error="", next_attempt_at=None
        )
        if notification.subscription_id:
            PushSubscription.objects.filter(pk=notification.subscription_id).update(
                last_success_at=now, failures=0
            )
        notification.refresh_from_db()
        audit.record(
            action="notification.sent",
            obj=notification,
            unit=notification.unit_id,
            changes={"attempts": notification.attempts},
        )
    log.info("notification %s sent purpose=%s", notification.pk, notification.purpose)
    return notification


def _record_failure(
    notification: Notification, exc: DeliveryError, now: dt.datetime
) -> Notification:
    error = str(exc)[:300]
    dead = exc.permanent or notification.attempts >= MAX_ATTEMPTS
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
            status=Status.DEAD if dead else Status.FAILED,
            last_error=error,
            next_attempt_at=None if dead else now + backoff(notification.attempts),
        )
        if notification.subscription_id:
            PushSubscription.objects.filter(pk=notification.subscription_id).update(
                failures=F("failures") + 1
            )
            if isinstance(exc, PushGone):
                _deactivate(notification.subscription_id, reason="gone")
        notification.refresh_from_db()
        audit.record(
            action="notification.dead" if dead else "notification.failed",
            obj=notification,
            unit=notification.unit_id,
            changes={"attempts": notification.attempts, "error": error},
        )
    log.warning(
        "notification %s %s purpose=%s attempt=%s: %s",
        notification.pk,
        notification.status,
        notification.purpose,
        notification.attempts,
        error,
    )
    return notification


def retry_due(*, now: dt.datetime | None = None, limit: int = RETRY_BATCH) -> dict[str, int]:
    """Periodic pass: deliver failed rows whose backoff has passed, pending rows whose task was
    lost, and rows stuck in "sending" by a crashed worker. Safe to run twice at once."""
    now = now or timezone.now()
    counts = {"stuck": 0, "attempted": 0, "sent": 0}
    stuck = Notification.objects.filter(status=Status.SENDING, sending_since__lt=now - STUCK_AFTER)
    for notification in stuck.select_related("subscription")[:limit]:
        _record_failure(notification, DeliveryError("interrupted: worker stopped"), now)
        counts["stuck"] += 1
    due = Notification.objects.filter(
        Q(status=Status.FAILED, next_attempt_at__lte=now)
        | Q(status=Status.PENDING, created_at__lte=now - LOST_AFTER)
    ).order_by("next_attempt_at", "id")
    for notification_id in due.values_list("id", flat=True)[:limit]:
        result = deliver(notification_id=notification_id, now=now)
        if result is not None:
            counts["attempted"] += 1
            counts["sent"] += result.status == Status.SENT
    return counts


def resend(*, notification: Notification, actor) -> Notification:
    """Staff "Gửi lại": a failed or dead message gets a fresh series of attempts."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if not locked.can_resend:
            raise ValidationError(_("Thông báo này không ở trạng thái lỗi."), code="status")
        if locked.channel == Channel.PUSH and (
            locked.subscription is None or not locked.subscription.is_active
        ):
            raise ValidationError(
                _("Người nhận đã hủy nhận thông báo đẩy trên thiết bị này; không thể gửi lại."),
                code="inactive",
            )
        before = {"status": locked.status, "attempts": locked.attempts}
        locked.status = Status.PENDING
        locked.attempts = 0
        locked.next_attempt_at = None
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit.record(
            action="notification.resend",
            obj=locked,
            actor=actor,
            unit=locked.unit_id,
            changes=audit.diff(before, {"status": locked.status, "attempts": 0}),
        )
        transaction.on_commit(lambda: schedule(locked.pk))
    return locked


def notify_device_or_phone(
    *,
    ticket_ref: str = "",
    booking_ref: str = "",
    phone: str = "",
    purpose: str,
    subject: str,
    body: str,
    event_key: str,
    url: str | None = None,
    object_type: str = "",
    object_id: str | int = "",
    unit: Unit | int | None = None,
) -> list[Notification]:
    """Push to every browser subscribed for the ticket/booking; SMS to `phone` if there is none.

    For the queueing app ("Sắp đến lượt bạn: còn 3 người", booking reminders). `event_key`
    names the event once (e.g. "ticket:812:turn_near"); the channel and device are appended, so
    calling again for the same event sends nothing new.
    """
    from .selectors import active_subscriptions

    common: dict[str, Any] = {
        "purpose": purpose,
        "subject": subject,
        "body": body,
        "url": url,
        "object_type": object_type,
        "object_id": object_id,
        "unit": unit,
    }
    subscriptions = list(active_subscriptions(ticket_ref=ticket_ref, booking_ref=booking_ref))
    if subscriptions:
        return [
            notify(
                channel=Channel.PUSH,
                recipient=subscription,
                idempotency_key=f"{event_key}:push:{subscription.pk}",
                **common,
            )
            for subscription in subscriptions
        ]
    if phone:
        return [
            notify(
                channel=Channel.SMS, recipient=phone, idempotency_key=f"{event_key}:sms", **common
            )
        ]
    return []


# --- push subscriptions ---------------------------------------------------------------------


def subscribe(
    *,
    endpoint: str,
    p256dh: str,
    auth: str,
    ticket_ref: str = "",
    booking_ref: str = "",
    dossier_ref: str = "",
    user_agent: str = "",
) -> PushSubscription:
    """Save (or refresh) a browser's subscription after checking it is a real one.

    `dossier_ref` (a dossier code) only from a caller that checked the browser belongs to the
    dossier's applicant (their signed-in space); the public endpoint never passes it."""
    push_keys.validate_endpoint(endpoint)
    p256dh, auth = push_keys.validate_keys(p256dh, auth)
    if len(ticket_ref) > 64 or len(booking_ref) > 64 or len(dossier_ref) > 64:
        raise ValidationError(_("Mã vé hoặc mã lịch hẹn quá dài."), code="ref")
    with transaction.atomic():
        subscription, created = PushSubscription.objects.select_for_update().get_or_create(
            endpoint=endpoint,
            defaults={"p256dh": p256dh, "auth": auth},
        )
        subscription.p256dh = p256dh
        subscription.auth = auth
        subscription.is_active = True
        subscription.failures = 0
        subscription.ticket_ref = ticket_ref or subscription.ticket_ref
        subscription.booking_ref = booking_ref or subscription.booking_ref
        subscription.dossier_ref = dossier_ref or subscription.dossier_ref
        subscription.user_agent = user_agent[:300]
        subscription.save()
        audit.record(
            action="push.subscribed" if created else "push.resubscribed",
            obj=subscription,
            changes={"ticket": ticket_ref, "booking": booking_ref, "dossier": dossier_ref},
        )
    return subscription


def attach_dossier(*, subscription_id: int, dossier_ref: str) -> bool:
    """Point an active subscription at a dossier (its code), so the dossier's status changes
    are pushed to that browser. Only from a caller that checked the browser is the applicant's
    (the filing flow: the device the signed-in citizen turned notifications on with while
    filing). False when the subscription is gone or inactive."""
    if not dossier_ref or len(dossier_ref) > 64:
        raise ValidationError(_("Mã vé hoặc mã lịch hẹn quá dài."), code="ref")
    with transaction.atomic():
        changed = PushSubscription.objects.filter(pk=subscription_id, is_active=True).update(
            dossier_ref=dossier_ref
        )
        if changed:
            audit.record(
                action="push.dossier_attached",
                object_type="integrations.pushsubscription",
                object_id=subscription_id,
                changes={"dossier": dossier_ref},
            )
    return bool(changed)


def unsubscribe(*, endpoint: str) -> bool:
    """The browser withdrew its subscription; True when an active one was switched off."""
    subscription = PushSubscription.objects.filter(endpoint=endpoint, is_active=True).first()
    if subscription is None:
        return False
    with transaction.atomic():
        _deactivate(subscription.pk, reason="unsubscribed")
    return True


def _deactivate(subscription_id: int, *, reason: str) -> None:
    changed = PushSubscription.objects.filter(pk=subscription_id, is_active=True).update(
        is_active=False
    )
    if changed:
        audit.record(
            action="push.deactivated",
            object_type="integrations.pushsubscription",
            object_id=subscription_id,
            changes={"reason": reason},
        )
        log.info("push subscription %s deactivated: %s", subscription_id, reason)
