"""A per-IP ceiling on failed staff sign-ins, on top of axes' per-username+IP lockout.

Axes locks a username+IP pair after 5 failures. An attacker spraying many usernames from one
address is stopped here instead. The ceiling is high (default 50 per cool-off window) because a
whole commune office usually shares one public IP: axes' own IP-only parameter would lock every
officer out after five typos among them. The counting is `motcua.core.ratelimit`'s.
"""

from django.conf import settings

from motcua.core import ratelimit

SCOPE = "login-fail-ip"


def _limit() -> int:
    return int(getattr(settings, "MOTCUA_LOGIN_IP_FAILURE_LIMIT", 50))


def _window() -> int:
    hours = float(getattr(settings, "AXES_COOLOFF_TIME", 0.25) or 0.25)
    return max(60, int(hours * 3600))


def ip_blocked(request) -> bool:
    """True once this address has used up its failures for the window (checked, not counted)."""
    ip = ratelimit.client_ip(request)
    return ratelimit.seen(SCOPE, ip, window=_window()) >= _limit()


def count_ip_failure(request) -> None:
    ratelimit.hit(SCOPE, ratelimit.client_ip(request), window=_window())
