"""One rate limiter for every public form, keyed on the real client address, exact under bursts.

Why one module: the same cache counter was written five times, each keyed on REMOTE_ADDR, which
behind a reverse proxy is the proxy's address (one budget shared by the whole province). And a
limit that reads a count, does the work, then writes the count lets a burst of simultaneous
requests all read the same count and all pass. Here (decisions/0019):

- `hit()` counts a request in the current window and returns the count, this one included, in
  one atomic step on every backend: a Lua INCR+EXPIRE on Redis, one
  INSERT ... ON CONFLICT DO UPDATE ... RETURNING row of `RateCounter` when the cache is the
  database (Django's database cache cannot increment atomically), `add`+`incr` under the lock of
  the local-memory cache (tests). Windows are aligned to the clock (minute windows start at :00),
  so a window's key is known from the time alone and its end is exact.
- `reserve()` is the check before work: it takes a place in a budget (`hit` + compare) and gives
  it straight back when the budget is spent, so the count is the places held. A request is
  judged only if it holds a place; a request that turns out harmless (a right answer, a sign-in
  that succeeds) `release()`s it.
- `lock()` / `locked_for()`: a lock that lasts its full length from the moment it is set, for
  limits that must outlast the window they were reached in.
- Keys are an HMAC of (scope, key) with SECRET_KEY: a phone number or an IP address never sits
  in the cache or the table in clear, and the digest cannot be reversed by trying every number.
- `client_ip()` trusts X-Forwarded-For only from the proxies listed in MOTCUA_TRUSTED_PROXIES.
- `too_many()` is the one 429 answer: a Vietnamese page (errors/429.html) or {"error": ...}.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

_IP = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


# --- where counts live ---------------------------------------------------------------------------


def clock() -> float:
    """The limiter's time (epoch seconds); tests freeze it by replacing this module's `time`."""
    return time.time()


class _CacheCounters:
    """Other caches: local memory (tests) runs `add` + `incr` under its own lock; other
    backends without an atomic incr are not for more than one process (decisions/0019)."""

    def __init__(self, store) -> None:
        self.store = store

    def incr(self, name: str, ttl: int, expires: float) -> int:
        if self.store.add(name, 1, timeout=ttl):
            return 1
        if type(self.store).incr is BaseCache.incr:
            # The generic incr() is get+set with the default timeout, which would let a long
            # window expire early; get+set here keeps the window's own timeout (not atomic).
            count = int(self.store.get(name) or 0) + 1
            self.store.set(name, count, timeout=ttl)
            return count
        try:
            return self.store.incr(name)
        except ValueError:  # expired between add() and incr()
            self.store.set(name, 1, timeout=ttl)
            return 1

    def decr(self, name: str) -> None:
        with contextlib.suppress(ValueError):  # the window ended: nothing left to give back
            self.store.decr(name)

    def get(self, name: str) -> int:
        return int(self.store.get(name) or 0)

    def delete(self, name: str) -> None:
        self.store.delete(name)


# INCR and EXPIRE in one script: no count without an expiry even if the client dies between them.
_REDIS_INCR = """
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return n
"""
# DECR of a key that already expired would recreate it at -1 with no expiry: only if it exists.
_REDIS_DECR = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0
"""


class _RedisCounters(_CacheCounters):
    """Django's Redis cache: its `incr` checks EXISTS then INCRs (two round trips, and a key
    that expires in between raises); a Lua script is one atomic step on the server."""

    def _client(self, name: str):
        key = self.store.make_and_validate_key(name)
        return key, self.store._cache.get_client(key, write=True)

    def incr(self, name: str, ttl: int, expires: float) -> int:
        key, client = self._client(name)
        return int(client.eval(_REDIS_INCR, 1, key, ttl))

    def decr(self, name: str) -> None:
        key, client = self._client(name)
        client.eval(_REDIS_DECR, 1, key)


class _TableCounters:
    """The database cache's install: one `RateCounter` row per window, changed by single
    statements that each lock the row, on SQLite and PostgreSQL alike."""

    @staticmethod
    def _db():
        from .models import RateCounter  # the limiter is imported before the app registry

        return RateCounter, connections[router.db_for_write(RateCounter)]

    def incr(self, name: str, ttl: int, expires: float) -> int:
        model, connection = self._db()
        qn = connection.ops.quote_name
        table = qn(model._meta.db_table)
        sql = (
            f"INSERT INTO {table} ({qn('name')}, {qn('hits')}, {qn('expires')}) "  # noqa: S608
            f"VALUES (%s, 1, %s) ON CONFLICT ({qn('name')}) "
            f"DO UPDATE SET {qn('hits')} = {table}.{qn('hits')} + 1 RETURNING {qn('hits')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [name, expires])
            return int(cursor.fetchone()[0])

    def decr(self, name: str) -> None:
        from django.db.models import F

        model, connection = self._db()
        model.objects.using(connection.alias).filter(name=name, hits__gt=0).update(
            hits=F("hits") - 1
        )

    def get(self, name: str) -> int:
        model, connection = self._db()
        rows = model.objects.using(connection.alias).filter(name=name)
        return int(rows.values_list("hits", flat=True).first() or 0)

    def delete(self, name: str) -> None:
        model, connection = self._db()
        model.objects.using(connection.alias).filter(name=name).delete()


def _counters():
    store = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(store, RedisCache):
        return _RedisCounters(store)
    if isinstance(store, DatabaseCache):
        return _TableCounters()
    return _CacheCounters(store)


def purge(now: float | None = None) -> int:
    """Delete `RateCounter` rows of windows that have ended; how many went."""
    from .models import RateCounter

    now = clock() if now is None else now
    return RateCounter.objects.filter(expires__lt=now).delete()[0]


# --- counting ----------------------------------------------------------------------------------


def _cache_key(scope: str, key: str, window: int, bucket: int) -> str:
    digest = salted_hmac("motcua.ratelimit", f"{scope}\x00{key}", algorithm="sha256")
    return f"motcua:rl:{scope}:{window}:{bucket}:{digest.hexdigest()[:32]}"


def _window(scope: str, key: str, window: int, now: float | None) -> tuple[str, int, float]:
    """(counter name, seconds the counter is kept, end of the window) for the current window."""
    now = clock() if now is None else now
    bucket = int(now // window)
    end = (bucket + 1) * window
    ttl = int(end - now) + 1  # the key outlives its window, never by much
    return _cache_key(scope, key, window, bucket), ttl, float(end)


def hit(scope: str, key: str, *, window: int, now: float | None = None) -> int:
    """Count one request for `key` in `scope`; return how many the current window holds, this
    one included, read in the same atomic step. `window` is in seconds; `now` (epoch seconds)
    is for tests and replays."""
    name, ttl, end = _window(scope, key, window, now)
    return _counters().incr(name, ttl, end)


def seen(scope: str, key: str, *, window: int, now: float | None = None) -> int:
    """How many the current window holds, without counting one (for display, never as the
    check before work: two requests can read the same count; `reserve` is that check)."""
    name, _ttl, _end = _window(scope, key, window, now)
    return _counters().get(name)


def reset(scope: str, key: str, *, window: int, now: float | None = None) -> None:
    """Forget the current window's count (a success that clears the failures before it)."""
    name, _ttl, _end = _window(scope, key, window, now)
    _counters().delete(name)


class Reservation:
    """A request's place in a budget, taken before the request is judged.

    `allowed` is False when the budget was spent: the place was given back at once, so the
    count stays the number of places held. `release()` gives an allowed place back.
    """

    __slots__ = ("_counters", "_name", "allowed", "count", "retry_after")

    def __init__(self, counters, name: str, count: int, limit: int, retry_after: int) -> None:
        self._counters = counters
        self._name = name
        self.count = count
        self.allowed = count <= limit
        self.retry_after = retry_after
        if not self.allowed:
            counters.decr(name)

    def release(self) -> None:
        """Give the place back (once; a refused reservation holds none)."""
        if self.allowed:
            self.allowed = False
            self._counters.decr(self._name)

    def __bool__(self) -> bool:
        return self.allowed

    def __repr__(self) -> str:
        return f"<Reservation {self.count} allowed={self.allowed}>"


def reserve(
    scope: str, key: str, *, limit: int, window: int, now: float | None = None
) -> Reservation:
    """Take a place in `key`'s budget of `limit` per `window` seconds, counted and compared in
    one atomic step: of N simultaneous callers at most `limit` are allowed, whatever N."""
    now = clock() if now is None else now
    name, ttl, end = _window(scope, key, window, now)
    counters = _counters()
    count = counters.incr(name, ttl, end)
    return Reservation(counters, name, count, limit, max(1, math.ceil(end - now)))


# --- locks ---------------------------------------------------------------------------------------


def _lock_key(scope: str, key: str) -> str:
    digest = salted_hmac("motcua.ratelimit.lock", f"{scope}\x00{key}", algorithm="sha256")
    return f"motcua:lock:{scope}:{digest.hexdigest()[:32]}"


def lock(scope: str, key: str, *, seconds: int, now: float | None = None) -> None:
    """Lock `key` for `seconds` from now (a later lock moves the end)."""
    until = (clock() if now is None else now) + seconds
    caches[DEFAULT_CACHE_ALIAS].set(_lock_key(scope, key), until, timeout=int(seconds) + 1)


def locked_for(scope: str, key: str, *, now: float | None = None) -> int:
    """Seconds until `key`'s lock ends; 0 when it is not locked."""
    until = caches[DEFAULT_CACHE_ALIAS].get(_lock_key(scope, key))
    if until is None:
        return 0
    left = float(until) - (clock() if now is None else now)
    return math.ceil(left) if left > 0 else 0


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
    value = settings.MOTCUA_TRUSTED_PROXIES or ()
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
