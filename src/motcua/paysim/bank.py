"""The simulated bank: told that a transfer arrived on a collection account (the tester "pays" a
VietQR transfer on the simulator's bank page, as a bank app would), it POSTs the signed
notification to motcua over real HTTP, as a bank's server does (docs/payment-platform.md,
"The simulated bank").

Written apart from `payments.bank` on purpose (the receiver is tested against an independent
peer): the body is JSON {"transactionId", "amount", "currency", "accountNumber", "description",
"transactionTime"}, signed with HMAC-SHA256 (hex, header `X-Signature`) under the simulator's
own copy of the secret agreed with the bank (`MOTCUA_PAYSIM_BANK_SECRET`). A notification the
receiver acknowledged (its code 00 credited, 02 read but not credited) is delivered; any other
answer, or none, leaves it pending, to be sent again. `Behaviour` makes the bank wait, send
twice, hold its notifications until released (then newest first: out of order) or sign with a
wrong secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.utils import timezone

from .models import Behaviour, SimulatedTransfer

log = logging.getLogger(__name__)
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PATH = "/thanh-toan/ngan-hang/thong-bao/"  # where motcua listens (as agreed with the bank)
ACKNOWLEDGED = ("00", "02")
TIMEOUT = 10


def notify_url(base: str = "") -> str:
    """Where the bank sends its notifications: the configured address, or motcua's path on
    `base` (the address the simulator itself was reached at: the same server)."""
    return settings.MOTCUA_PAYSIM_BANK_NOTIFY_URL or base.rstrip("/") + PATH


def body_of(transfer: SimulatedTransfer) -> bytes:
    return json.dumps(
        {
            "transactionId": transfer.transaction_id,
            "amount": transfer.amount,
            "currency": transfer.currency,
            "accountNumber": transfer.account,
            "description": transfer.description,
            "transactionTime": transfer.made_at.astimezone(VN).isoformat(timespec="seconds"),
        },
        ensure_ascii=False,
    ).encode("utf-8")


def signature(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(transfer: SimulatedTransfer, url: str) -> str:
    """POST the notification once; record the answer; return its code ("" when none)."""
    body = body_of(transfer)
    secret = settings.MOTCUA_PAYSIM_BANK_SECRET
    if Behaviour.now().bank_forge:
        secret = "not-the-agreed-secret"  # noqa: S105 (an impostor's, on purpose)
    code, answer = "", ""
    try:
        response = requests.post(
            url,
            data=body,
            headers={"Content-Type": "application/json", "X-Signature": signature(body, secret)},
            timeout=TIMEOUT,
        )
    except requests.RequestException as exc:
        answer = f"no answer ({type(exc).__name__})"
    else:
        try:
            data = response.json()
        except ValueError:
            data = {}
        code = str(data.get("code", "")) if isinstance(data, dict) else ""
        message = str(data.get("message", "")) if isinstance(data, dict) else ""
        answer = f"HTTP {response.status_code} {code} {message}".strip()
    transfer.sends += 1
    transfer.last_answer = answer[:200]
    if code in ACKNOWLEDGED:
        transfer.state = "delivered"
    transfer.save(update_fields=["sends", "last_answer", "state"])
    log.info("simulated bank notification %s: %s", transfer.transaction_id, answer[:60])
    return code


def transfer_made(
    *, account: str, amount: int, description: str, url: str, at: dt.datetime | None = None
) -> SimulatedTransfer:
    """A transfer arrived on `account`: book it and notify (unless held), as the bank behaves."""
    transfer = SimulatedTransfer.objects.create(
        transaction_id="FT" + secrets.token_hex(6).upper(),
        account=account,
        amount=amount,
        description=description,
        made_at=at or timezone.now(),
    )
    behaviour = Behaviour.now()
    if behaviour.bank_hold:
        return transfer
    if behaviour.bank_delay_ms:
        time.sleep(behaviour.bank_delay_ms / 1000)
    deliver(transfer, url)
    if behaviour.bank_send_twice:
        deliver(transfer, url)  # a bank that retries although it was answered
    transfer.refresh_from_db()
    return transfer


def send_pending(url: str) -> int:
    """Send every notification still pending (held, or unanswered), newest first: the order
    they arrive in is not the order the transfers were made. Returns how many were sent."""
    pending = list(SimulatedTransfer.objects.filter(state="pending").order_by("-made_at", "-id"))
    for transfer in pending:
        deliver(transfer, url)
    return len(pending)
