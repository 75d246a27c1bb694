"""A per-IP ceiling on push subscriptions: stops a script from filling the table.

Generous (default 30 per 10 minutes) because mobile carriers put many phones behind one IP.
"""

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 600


def allow(request, scope: str = "push-subscribe") -> bool:
    """Count this request; False once the IP is over its limit for the window."""
    limit = int(getattr(settings, "MOTCUA_PUSH_SUBSCRIBE_LIMIT", 30))
    key = f"motcua:{scope}:{request.META.get('REMOTE_ADDR', '')}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return True
    return count <= limit
