"""A per-IP ceiling on failed staff sign-ins, on top of axes' per-username+IP lockout.

Axes locks a username+IP pair after 5 failures. An attacker spraying many usernames from one
address is stopped here instead. The ceiling is high (default 50 per cool-off window) because a
whole commune office usually shares one public IP: axes' own IP-only parameter would lock every
officer out after five typos among them.
"""

from django.conf import settings
from django.core.cache import cache


def _limit() -> int:
    return int(getattr(settings, "MOTCUA_LOGIN_IP_FAILURE_LIMIT", 50))


def _window() -> int:
    hours = float(getattr(settings, "AXES_COOLOFF_TIME", 0.25) or 0.25)
    return max(60, int(hours * 3600))


def _key(request) -> str:
    return f"motcua:login-fail-ip:{request.META.get('REMOTE_ADDR', '')}"


def ip_blocked(request) -> bool:
    return int(cache.get(_key(request), 0)) >= _limit()


def count_ip_failure(request) -> None:
    key = _key(request)
    if not cache.add(key, 1, timeout=_window()):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=_window())
