"""The bank's notification of a transfer received on a unit's collection account (VietQR).

A JSON body signed with HMAC-SHA256 (hex, header `X-Signature`) under the secret agreed with
the bank (`MOTCUA_BANK_WEBHOOK_SECRET`): {"transactionId", "amount", "currency", "accountNumber",
"description", "transactionTime"}. Banks carry the payer's transfer text in `description`,
often changed (upper case, spaces, punctuation dropped, a prefix added): the attempt's
reference ("MC" + 10 symbols, decision 0036) is found in it wherever it is. Only this module
knows the field names; what it reads becomes a `services.Report`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from django.conf import settings

REFERENCE = re.compile(r"MC[0-9A-HJKMNP-TV-Z]{10}")
MAX_BODY = 16 * 1024


class BadNotification(ValueError):
    """Not a notification we can read; `code` for the answer and the log."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Transfer:
    transaction_id: str
    amount_vnd: int
    currency: str
    account: str
    reference: str


def sign(body: bytes, secret: str | None = None) -> str:
    key = (secret if secret is not None else settings.MOTCUA_BANK_WEBHOOK_SECRET).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def authentic(body: bytes, signature: str) -> bool:
    if not settings.MOTCUA_BANK_WEBHOOK_SECRET:
        return False  # no secret agreed: nothing is believed
    return hmac.compare_digest(sign(body), (signature or "").strip().lower())


def reference_in(text: str) -> str | None:
    """The attempt's reference in a transfer text, wherever it is, whatever the bank did to
    case, spaces and punctuation; None when there is none. Also read by the reconciliation of
    bank statements (`payments.reconciliation`): a statement line is found as its notification."""
    found = REFERENCE.search(re.sub(r"[^0-9A-Z]", "", (text or "").upper()))
    return found.group(0) if found else None


def read(body: bytes) -> Transfer:
    if len(body) > MAX_BODY:
        raise BadNotification("too_large")
    try:
        data = json.loads(body)
    except ValueError:
        raise BadNotification("not_json") from None
    if not isinstance(data, dict):
        raise BadNotification("not_an_object")
    amount = data.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise BadNotification("bad_amount")
    transaction_id = str(data.get("transactionId") or "").strip()[:64]
    if not transaction_id:
        raise BadNotification("no_transaction_id")
    found = reference_in(str(data.get("description") or ""))
    if found is None:
        raise BadNotification("no_reference")
    return Transfer(
        transaction_id=transaction_id,
        amount_vnd=amount,
        currency=str(data.get("currency") or "")[:3].upper(),
        account=str(data.get("accountNumber") or "")[:19],
        reference=found,
    )
