"""One fixed-window rate limiter for every public form, keyed on the real client address.

Why one module: the same cache counter was written five times, each keyed on REMOTE_ADDR, which
behind a reverse proxy is the proxy's address (one budget shared by the whole province). Here:

- `hit()` counts a request in the current window. Windows are aligned to the clock (minute
  windows start at :00), so a window's key is known from the time alone and its end is exact.
  The counter is `cache.add` then `cache.incr`: atomic on Redis (production) and local memory.
  The database cache of a one-commune install has no atomic increment; there a race between two
  requests can lose one count, which is acceptable for a ceiling on a single server.
- Keys are an HMAC of (scope, key) with SECRET_KEY: a phone number or an IP address never sits
  in the cache in clear, and the digest cannot be reversed by trying every phone number.
- `client_ip()` trusts X-Forwarded-For only from the proxies listed in MOTCUA_TRUSTED_PROXIES.
- `too_many()` is the one 429 answer: a Vietnamese page (errors/429.html) or {"error": ...}.
"""

from __future__ import annotations

import functools
import ipaddress
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import BaseCache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

_IP = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


# --- counting ----------------------------------------------------------------------------------


def _cache_key(scope: str, key: str, window: int, bucket: int) -> str:
    digest = salted_hmac("motcua.ratelimit", f"{scope}\x00{key}", algorithm="sha256")
    return f"motcua:rl:{scope}:{window}:{bucket}:{digest.hexdigest()[:32]}"


def hit(scope: str, key: str, *, window: int, now: float | None = None) -> int:
    """Count one request for `key` in `scope`; return how many the current window holds, this
    one included. `window` is in seconds; `now` (epoch seconds) is for tests and replays."""
    now = time.time() if now is None else now
    bucket = int(now // window)
    name = _cache_key(scope, key, window, bucket)
    ttl = int(window - now % window) + 1  # the key outlives its window, never by much
    store = caches[DEFAULT_CACHE_ALIAS]
    if store.add(name, 1, timeout=ttl):
        return 1
    if type(store).incr is BaseCache.incr:
        # The generic incr() is get+set with the default timeout, which would let a long window
        # expire early; doing get+set here keeps the window's own timeout.
        count = int(store.get(name) or 0) + 1
        store.set(name, count, timeout=ttl)
        return count
    try:
        return store.incr(name)
    except ValueError:  # expired between add() and incr()
        store.set(name, 1, timeout=ttl)
        return 1


def seen(scope: str, key: str, *, window: int, now: float | None = None) -> int:
    """How many requests the current window holds, without counting one (a check before work)."""
    now = time.time() if now is None else now
    name = _cache_key(scope, key, window, int(now // window))
    return int(caches[DEFAULT_CACHE_ALIAS].get(name) or 0)


# --- the client's address -----------------------------------------------------------------------


def _parse_ip(value: str) -> _IP | None:
    try:
        ip = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[_Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as exc:
        raise ImproperlyConfigured(f"MOTCUA_TRUSTED_PROXIES: {exc}") from exc


def _trusted_networks() -> tuple[_Network, ...]:
    value = getattr(settings, "MOTCUA_TRUSTED_PROXIES", ()) or ()
    if isinstance(value, str):
        value = value.split(",")
    return _networks(tuple(v.strip() for v in value if v.strip()))


def client_ip(request) -> str:
    """The address to count a request against.

    REMOTE_ADDR, unless that is one of our proxies: then the right-most X-Forwarded-For hop that
    is not one of our proxies. Everything left of it was written by the client and is ignored,
    so a forged header from an ordinary visitor changes nothing.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _trusted_networks()
    if not networks:
        return remote

    def trusted(ip: _IP | None) -> bool:
        return ip is not None and any(ip in net for net in networks)

    if not trusted(_parse_ip(remote)):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _parse_ip(hop)
        if ip is None:
            break  # not an address: no proxy of ours wrote it, stop at the last good hop
        if not trusted(ip):
            return str(ip)
        remote = str(ip)
    return remote


# --- the answer --------------------------------------------------------------------------------


def too_many(
    request, message: str, *, retry_after: int, as_json: bool = False, back_url: str = ""
) -> HttpResponse:
    """429 with Retry-After. JSON ({"error": message}) when `as_json` or the client prefers JSON
    over HTML; otherwise the shared Vietnamese page, with a way back to `back_url` if given."""
    wants_json = request.get_preferred_type(["text/html", "application/json"])
    if as_json or wants_json == "application/json":
        response = JsonResponse({"error": str(message)}, status=429)
    else:
        context = {"message": message, "back_url": back_url}
        response = render(request, "errors/429.html", context, status=429)
    response["Retry-After"] = str(max(1, int(retry_after)))
    return response
