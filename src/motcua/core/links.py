"""The one place absolute links are made: every QR code, printed paper and message goes here.

A link is read far from where it was made: a receipt's QR on a villager's phone, the QR stamped
into a signed result (which can never change after signing), an SMS. So it is built from
`MOTCUA_PUBLIC_BASE_URL`, the address citizens reach, never from the host of the officer's
request. `motcua.core.checks` refuses to start with DEBUG off when that setting is missing or
points at this machine only (127.0.0.1, localhost), because such links open nowhere else.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings

# Only where the system check does not guard: development with DEBUG on, and tests.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"


def configured_base_url() -> str:
    """MOTCUA_PUBLIC_BASE_URL without its trailing slash, "" when it is not set."""
    return str(settings.MOTCUA_PUBLIC_BASE_URL or "").strip().rstrip("/")


def public_url(path: str, request=None) -> str:
    """The absolute address of `path` (e.g. "/tra-cuu/?ma=...") as citizens open it.

    Without a configured base URL (development only; see `motcua.core.checks`) the request's
    own host is the best guess, and outside a request the development server's address.
    """
    if not path.startswith("/"):
        raise ValueError(f"public_url() wants a path starting with '/', got {path!r}")
    base = configured_base_url()
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    return DEVELOPMENT_BASE_URL + path


def absolute(url: str | None) -> str:
    """A path made absolute with `public_url`; an absolute URL or nothing is kept as it is."""
    if not url:
        return ""
    return public_url(url) if url.startswith("/") else url


def is_loopback_host(host: str) -> bool:
    """True for a host only this machine can reach: localhost, 127.x, ::1, 0.0.0.0."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def base_url_problem(value: str) -> str:
    """Why `value` cannot be the public base URL ("missing", "malformed", "loopback"), or ""."""
    value = (value or "").strip()
    if not value:
        return "missing"
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        return "malformed"
    if parts.scheme not in ("http", "https") or not host:
        return "malformed"
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return "malformed"
    if is_loopback_host(host):
        return "loopback"
    return ""
