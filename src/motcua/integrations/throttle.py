"""A per-IP ceiling on push subscriptions: stops a script from filling the table.

Generous (default 30 per 10 minutes) because mobile carriers put many phones behind one IP.
The counting is `motcua.core.ratelimit`'s.
"""

from django.conf import settings

from motcua.core import ratelimit

WINDOW_SECONDS = 600


def allow(request, scope: str = "push-subscribe") -> bool:
    """Count this request; False once the IP is over its limit for the window."""
    limit = settings.MOTCUA_PUSH_SUBSCRIBE_LIMIT
    return ratelimit.hit(scope, ratelimit.client_ip(request), window=WINDOW_SECONDS) <= limit
