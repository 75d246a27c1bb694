"""VAPID keys (RFC 8292): who we are to the browsers' push services.

Production sets MOTCUA_VAPID_PRIVATE_KEY (PEM, or the base64url raw 32-byte key most web-push
tools print) and MOTCUA_VAPID_SUBJECT (mailto: or https: contact). Without them a key pair is
generated once under VAR_DIR/vapid/ (never committed), so `make run` needs no config. Changing
the key invalidates every existing browser subscription: keep it with the backups.
"""

import base64
import functools
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid02

DEFAULT_SUBJECT = "mailto:motcua@localhost"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _key_dir() -> Path:
    return Path(settings.VAR_DIR) / "vapid"


def _from_setting(value: str) -> Vapid02:
    value = value.strip()
    if value.startswith("-----BEGIN"):
        return Vapid02.from_pem(value.encode())
    return Vapid02.from_string(value)  # base64url raw 32-byte key or DER


def _from_var_dir() -> Vapid02:
    """Load, or create once, the development key pair (0600, outside the repository)."""
    path = _key_dir() / "private_key.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Vapid02()
        key.generate_keys()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.private_pem())
    return Vapid02.from_file(str(path))


@functools.cache
def _load(setting_value: str, var_dir: str) -> Vapid02:
    return _from_setting(setting_value) if setting_value else _from_var_dir()


def signer() -> Vapid02:
    """The application server's VAPID key (cached per configured value)."""
    return _load(settings.MOTCUA_VAPID_PRIVATE_KEY, str(settings.VAR_DIR))


def public_key() -> str:
    """base64url of the uncompressed P-256 point: the browser's `applicationServerKey`."""
    configured = settings.MOTCUA_VAPID_PUBLIC_KEY
    derived = b64url(
        signer().public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    if configured and configured.rstrip("=") != derived:
        # A public key that does not match the private one makes every push fail with 403.
        raise ValueError("MOTCUA_VAPID_PUBLIC_KEY does not match MOTCUA_VAPID_PRIVATE_KEY")
    return derived


def subject() -> str:
    return settings.MOTCUA_VAPID_SUBJECT or DEFAULT_SUBJECT


def public_point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
