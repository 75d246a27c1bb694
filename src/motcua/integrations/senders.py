"""Delivery adapters: one `Sender` per channel, chosen by a small registry.

Every adapter speaks a real protocol (SMTP through Django's mail backend, an HTTP JSON SMS
gateway, Web Push with VAPID and aes128gcm) and raises `DeliveryError` when a message did not
go out. `permanent=True` means retrying cannot help (the address is gone): the outbox stops.
Error texts are short and never contain the recipient, the message or the push endpoint.

Which adapter serves a channel is configuration: MOTCUA_NOTIFY_MODE = "production" uses the
HTTP SMS gateway, "dev" (the default) appends SMS to a local outbox file; MOTCUA_NOTIFY_SENDERS
({"sms": "dotted.path.Class"}) overrides any channel, e.g. for a provider-specific gateway.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string
from pywebpush import WebPushException, webpush

from . import vapid

if TYPE_CHECKING:
    from .models import Notification

log = logging.getLogger(__name__)
HTTP_TIMEOUT = 10  # seconds; a hanging gateway must not hold a worker


class DeliveryError(Exception):
    """The message was not delivered. `message` is safe to store and show (no personal data)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    def send(self, notification: Notification) -> None:
        """Deliver or raise DeliveryError."""


# --- email ------------------------------------------------------------------------------------


class EmailSender:
    """Through Django's configured backend (SMTP in production, console in dev, locmem in tests)."""

    def send(self, notification: Notification) -> None:
        message = EmailMessage(
            subject=notification.subject or str(settings.MOTCUA_SITE_NAME),
            body=_with_link(notification.body, notification.url),
            to=[notification.to_address],
        )
        try:
            sent = message.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001  any backend; class only: text may hold the address
            raise DeliveryError(f"email: {type(exc).__name__}") from None
        if not sent:
            raise DeliveryError("email: backend accepted 0 messages")


# --- SMS --------------------------------------------------------------------------------------


def strip_diacritics(text: str) -> str:
    """ "Sắp đến lượt" -> "Sap den luot": many Vietnamese brandname SMS routes take ASCII only,
    and an unaccented message fits 160 characters per segment instead of 70."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def sms_text(notification: Notification) -> str:
    text = _with_link(notification.body, notification.url)
    if settings.MOTCUA_SMS_ASCII:
        text = strip_diacritics(text)
    return text


class HttpSmsSender:
    """Generic SMS gateway protocol (docs/decisions/0012):

    POST {MOTCUA_SMS_URL}
    Authorization: Bearer {MOTCUA_SMS_TOKEN}
    Content-Type: application/json
    {"to": "+84912345678", "message": "...", "sender": MOTCUA_SMS_SENDER, "reference": "<id>"}

    2xx = accepted. 400/422 = this number or text will never be accepted (permanent). 401/403 =
    our configuration is wrong, 429/5xx/network = try later (both retried with backoff).
    """

    def send(self, notification: Notification) -> None:
        url = settings.MOTCUA_SMS_URL
        if not url:
            raise DeliveryError("sms: MOTCUA_SMS_URL is not configured")
        payload = {
            "to": notification.to_address,
            "message": sms_text(notification),
            "sender": settings.MOTCUA_SMS_SENDER,
            "reference": str(notification.pk),
        }
        headers = {"Authorization": f"Bearer {settings.MOTCUA_SMS_TOKEN}"}
        try:
            response = requests.post(url, json=payload, headers=headers, timeout=HTTP_TIMEOUT)
        except requests.RequestException as exc:
            raise DeliveryError(f"sms: {type(exc).__name__}") from None
        if 200 <= response.status_code < 300:
            return
        permanent = response.status_code in (400, 404, 422)
        raise DeliveryError(f"sms: gateway HTTP {response.status_code}", permanent=permanent)


class FileSmsSender:
    """Development only: appends each SMS to VAR_DIR/dev-sms-outbox.jsonl instead of sending.

    The file holds the phone numbers and texts a real gateway would get, exactly so a developer
    can read them; it is an outbox, not a log, and lives outside the repository. Never enable
    in production (MOTCUA_NOTIFY_MODE=production switches to the HTTP gateway).
    """

    filename = "dev-sms-outbox.jsonl"

    def send(self, notification: Notification) -> None:
        path = Path(settings.VAR_DIR) / self.filename
        line = {
            "at": timezone.now().isoformat(timespec="seconds"),
            "id": notification.pk,
            "to": notification.to_address,
            "message": sms_text(notification),
        }
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")


# --- Web Push -------------------------------------------------------------------------------------

PUSH_TTL = 6 * 3600  # a "your turn is near" older than a few hours is noise


def push_payload(notification: Notification) -> str:
    """What the service worker receives and shows: {"title", "body", "url"}."""
    return json.dumps(
        {
            "title": notification.subject or str(settings.MOTCUA_SITE_NAME),
            "body": notification.body,
            "url": notification.url,
        },
        ensure_ascii=False,
    )


class WebPushSender:
    """RFC 8030 Web Push, payload encrypted per RFC 8291 (aes128gcm), VAPID per RFC 8292.

    404/410 from the push service: the browser unsubscribed; the subscription is deactivated
    by the service layer (permanent error). 429/5xx/network: retried later.
    """

    def send(self, notification: Notification) -> None:
        subscription = notification.subscription
        if subscription is None or not subscription.is_active:
            raise DeliveryError("push: subscription inactive", permanent=True)
        endpoint = urlsplit(subscription.endpoint)
        claims = {"sub": vapid.subject(), "aud": f"{endpoint.scheme}://{endpoint.netloc}"}
        urgency = "high" if notification.purpose == "turn_near" else "normal"
        try:
            webpush(
                subscription_info=subscription.as_subscription_info(),
                data=push_payload(notification),
                vapid_private_key=vapid.signer(),
                vapid_claims=claims,
                content_encoding="aes128gcm",
                ttl=PUSH_TTL,
                timeout=HTTP_TIMEOUT,
                headers={"Urgency": urgency},
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                raise PushGone(f"push: service HTTP {status} (unsubscribed)") from None
            permanent = status in (400, 413)  # malformed or too large: same again fails again
            detail = f"HTTP {status}" if status else "no response"
            raise DeliveryError(f"push: service {detail}", permanent=permanent) from None
        except requests.RequestException as exc:
            raise DeliveryError(f"push: {type(exc).__name__}") from None


class PushGone(DeliveryError):
    """The push service says the subscription no longer exists (404/410)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


# --- registry -------------------------------------------------------------------------------------

SENDERS: dict[str, dict[str, str]] = {
    "dev": {
        "email": "motcua.integrations.senders.EmailSender",
        "sms": "motcua.integrations.senders.FileSmsSender",
        "push": "motcua.integrations.senders.WebPushSender",
    },
    "production": {
        "email": "motcua.integrations.senders.EmailSender",
        "sms": "motcua.integrations.senders.HttpSmsSender",
        "push": "motcua.integrations.senders.WebPushSender",
    },
}


def get_sender(channel: str) -> Sender:
    mode = settings.MOTCUA_NOTIFY_MODE
    overrides = settings.MOTCUA_NOTIFY_SENDERS or {}
    path = overrides.get(channel) or SENDERS.get(mode, SENDERS["dev"]).get(channel)
    if path is None:
        raise DeliveryError(f"no sender for channel {channel}", permanent=True)
    return import_string(path)()


def _with_link(body: str, url: str) -> str:
    return f"{body}\n{url}" if url else body
