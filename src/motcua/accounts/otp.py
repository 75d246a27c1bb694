"""TOTP second factor helpers: device lookup, the pending-login session slot, QR rendering.

A password alone never creates an authenticated session for a user with a confirmed TOTP
device: the password step parks the user id in the session ("pending"), and only the code
step calls `auth.login` + `django_otp.login`.
"""

import contextlib
import time
from base64 import b32encode

import segno
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

PENDING_KEY = "motcua_pending_2fa"
PENDING_MAX_AGE = 300  # seconds between the password step and the code step
_DEVICE_ATTR = "_motcua_has_totp"


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("id").first()


def has_confirmed_device(user: User) -> bool:
    """Cached on the user object (one query per request)."""
    cached = getattr(user, _DEVICE_ATTR, None)
    if cached is None:
        cached = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
        setattr(user, _DEVICE_ATTR, cached)
    return cached


def forget_device_cache(user: User) -> None:
    with contextlib.suppress(AttributeError):
        delattr(user, _DEVICE_ATTR)


def session_is_verified(request) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def start_pending(request, user: User, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "uid": user.pk,
        "backend": user.backend,
        "next": next_url,
        "at": int(time.time()),
    }


def pending(request) -> dict | None:
    data = request.session.get(PENDING_KEY)
    if not data:
        return None
    if int(time.time()) - int(data.get("at", 0)) > PENDING_MAX_AGE:
        request.session.pop(PENDING_KEY, None)
        return None
    return data


def clear_pending(request) -> None:
    request.session.pop(PENDING_KEY, None)


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps expect it for manual entry, in groups of four."""
    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI as an SVG data URI (CSP allows `data:` images, not inline scripts)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
