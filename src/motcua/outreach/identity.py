"""Normalise a citizen ID or phone number and turn it into a keyed hash.

Only the hash and the last 3 digits are ever stored (personal data minimisation). The key is
`MOTCUA_RESIDENT_HASH_KEY` when set, else derived from SECRET_KEY; it must stay the same for
the life of the data or the same person would be counted again (docs/decisions/0011).
"""

import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CITIZEN_ID = re.compile(r"^\d{12}$")
_MOBILE = re.compile(r"^0\d{9}$")


def normalise_citizen_id(raw: str) -> str:
    """12 digits (căn cước / CCCD), spaces and dots allowed in the input."""
    digits = re.sub(r"[\s.\-]", "", raw or "")
    if not _CITIZEN_ID.match(digits):
        raise ValidationError(_("Số định danh cá nhân phải gồm đúng 12 chữ số."), code="citizen_id")
    return digits


def normalise_phone(raw: str) -> str:
    """ "0912 345 678", "0912.345.678", "+84 912 345 678" -> "0912345678"."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not _MOBILE.match(digits):
        raise ValidationError(
            _("Số điện thoại không hợp lệ: cần 10 chữ số, bắt đầu bằng 0 (ví dụ 0912 345 678)."),
            code="phone",
        )
    return digits


def _key() -> bytes:
    key = getattr(settings, "MOTCUA_RESIDENT_HASH_KEY", "") or f"resident:{settings.SECRET_KEY}"
    return key.encode()


def keyed_hash(kind: str, value: str) -> str:
    """HMAC-SHA256 (a salted SHA-256) of "kind:value": not reversible without the key."""
    return hmac.new(_key(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
