"""The platform's side of the messages (docs/payment-platform.md): field names, the
authentication code, the states and error codes, as the simulator speaks them. Written apart
from `payments.platform` on purpose: the adapter is tested against an independent peer."""

import hashlib

VERSION = "1.0.6"
OK, BAD_SIGNATURE, UNKNOWN_PARTNER, DUPLICATE, NOT_FOUND, BAD_AMOUNT = (
    "00",
    "01",
    "02",
    "03",
    "04",
    "05",
)
SYSTEM_ERROR = "99"


def code(*parts: object, secret: str) -> str:
    """MaXacThuc: SHA-256 (hex) of the fields joined by "|", the shared secret last."""
    joined = "|".join(str(p) for p in (*parts, secret))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()
