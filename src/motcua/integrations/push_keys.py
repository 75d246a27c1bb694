"""Validation of a browser's push subscription before we store it and POST to it.

A forged subscription is dangerous twice: keys that are not a real P-256 point make every
delivery fail, and an arbitrary endpoint turns our server into a client that POSTs wherever an
attacker says (SSRF). So: https only, to a known push service host unless configured
otherwise, and the public key must decode to a point on the curve.
"""

import base64
import binascii
import ipaddress
import re
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_B64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def decode_b64url(value: str) -> bytes | None:
    if not isinstance(value, str) or not _B64URL.match(value):
        return None
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


def _allow_insecure() -> bool:
    return bool(settings.DEBUG or settings.MOTCUA_PUSH_ALLOW_INSECURE)


def _host_allowed(host: str) -> bool:
    allowed = settings.MOTCUA_PUSH_ALLOWED_HOSTS
    if not allowed:  # explicitly empty: any public https host
        return True
    return any(host == h or (h.startswith(".") and host.endswith(h)) for h in allowed)


def validate_endpoint(endpoint: str) -> str:
    message = _("Địa chỉ nhận thông báo không hợp lệ.")
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 1024:
        raise ValidationError(message, code="endpoint")
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValidationError(message, code="endpoint") from None
    if not host or parts.username or parts.password:
        raise ValidationError(message, code="endpoint")
    if host in LOCAL_HOSTS and parts.scheme in ("http", "https") and _allow_insecure():
        return endpoint  # a local test push service (development and tests only)
    if parts.scheme != "https":
        raise ValidationError(_("Địa chỉ nhận thông báo phải dùng https."), code="endpoint")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise ValidationError(message, code="endpoint")  # bare IPs are never push services
    if not _host_allowed(host):
        raise ValidationError(
            _("Dịch vụ thông báo của trình duyệt này chưa được hỗ trợ."), code="endpoint"
        )
    return endpoint


def validate_keys(p256dh: str, auth: str) -> tuple[str, str]:
    """base64url keys: p256dh a 65-byte uncompressed P-256 point on the curve, auth 16 bytes."""
    message = _("Khóa mã hóa của đăng ký không hợp lệ.")
    raw_key = decode_b64url(p256dh)
    raw_auth = decode_b64url(auth)
    if raw_key is None or raw_auth is None or len(raw_key) != 65 or raw_key[0] != 4:
        raise ValidationError(message, code="keys")
    if len(raw_auth) != 16:
        raise ValidationError(message, code="keys")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw_key)
    except ValueError:
        raise ValidationError(message, code="keys") from None
    return p256dh.rstrip("="), auth.rstrip("=")
