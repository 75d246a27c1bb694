"""Normalise a citizen ID or phone number and turn it into a keyed hash.

Only the hash and the last 3 digits are ever stored (personal data minimisation). The key is
`MOTCUA_RESIDENT_HASH_KEY` when set, else derived from SECRET_KEY; it must stay the same for
the life of the data or the same person would be counted again (docs/decisions/0011).
"""

import hashlib
import hmac

from django.conf import settings


def _key() -> bytes:
    key = settings.MOTCUA_RESIDENT_HASH_KEY or f"resident:{settings.SECRET_KEY}"
    return key.encode()


def keyed_hash(kind: str, value: str) -> str:
    """HMAC-SHA256 (a salted SHA-256) of "kind:value": not reversible without the key."""
    return hmac.new(_key(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
