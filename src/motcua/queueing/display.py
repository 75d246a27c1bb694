"""The hall display board: one snapshot per unit, its version, and change notification.

Displays always receive the FULL snapshot (never a diff), so a client that missed anything
catches up with the next message. `version` is the highest `TicketEvent` id of the unit's
tickets: it needs no extra table and only grows, because events are append-only. Two
transactions may commit their events out of id order (PostgreSQL, two counters at once), so
listeners also compare a `fingerprint` of the content and send when either changed
(docs/decisions/0009-display-board.md).

Notification: `publish(unit_id)` (called by the queue services on commit) wakes the waiters of
this process at once and, when settings.REDIS_URL is set, publishes on the Redis channel
``motcua:display:<unit_id>`` so every other app server's subscriber thread wakes its own.
Waiters also re-read the database every `RECHECK_SECONDS`, so a change made by a process that
cannot notify (a shell, a worker without Redis) still shows within seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import threading
import time
import weakref
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from django.db.models import Count, Max
from django.utils import timezone

from motcua.core import pagecache
from motcua.core.models import Counter, Unit

from . import announce
from . import services as queue_services
from .models import QueuePolicy, Service, Ticket, TicketEvent

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "motcua:display:"
RECENT_CALLS = 5
CALL_ACTIONS = ("call", "recall")
RECHECK_SECONDS = settings.MOTCUA_DISPLAY_RECHECK_SECONDS


# --- the snapshot ------------------------------------------------------------------------------


def current_version(unit_id: int) -> int:
    """Highest ticket event id of the unit (0 before the first ticket ever)."""
    return TicketEvent.objects.filter(ticket__unit_id=unit_id).aggregate(v=Max("id"))["v"] or 0


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def snapshot(unit: Unit) -> dict[str, Any]:
    """Everything the board shows for today, as plain JSON-able data (five small queries)."""
    at = queue_services.now()
    day = queue_services.local_day(at)
    version = current_version(unit.pk)
    current: dict[int, Ticket] = {}
    for ticket in (
        Ticket.objects.filter(unit=unit, day=day, status__in=Ticket.ACTIVE_AT_COUNTER)
        .select_related("service")
        .order_by("called_at")
    ):
        current[ticket.counter_id] = ticket  # the latest call wins
    counters = []
    for counter in (
        Counter.objects.filter(unit=unit, is_active=True)
        .select_related("queue_setup")
        .order_by("number")
    ):
        setup = getattr(counter, "queue_setup", None)
        ticket = current.get(counter.pk)
        counters.append(
            {
                "number": counter.number,
                "name": counter.name,
                "is_open": bool(setup and setup.is_open),
                "ticket": ticket.code if ticket else None,
                "service": ticket.service.name if ticket else None,
                "status": ticket.status if ticket else None,
            }
        )
    events = (
        TicketEvent.objects.filter(ticket__unit=unit, ticket__day=day, action__in=CALL_ACTIONS)
        .select_related("ticket", "counter")
        .order_by("-id")[:RECENT_CALLS]
    )
    calls = []
    for event in events:
        number = event.counter.number if event.counter_id else None
        code = event.ticket.code
        calls.append(
            {
                "id": event.pk,
                "ticket": code,
                "counter": number,
                "at": _iso(event.at),
                "text": announce.announcement_text(code, number) if number else "",
                "speech": announce.spoken_text(code, number) if number else "",
                "audio": announce.audio_path(unit.code, code, number) if number else "",
            }
        )
    waiting_rows = (
        Ticket.objects.filter(unit=unit, day=day, status__in=Ticket.WAITING_STATES)
        .values("service_id")
        .annotate(n=Count("id"))
    )
    waiting_by_service = {r["service_id"]: r["n"] for r in waiting_rows}
    waiting = [
        {"code": s.code, "name": s.name, "waiting": waiting_by_service.get(s.pk, 0)}
        for s in Service.objects.filter(unit=unit, is_active=True).order_by("order", "code")
    ]
    data = {
        "unit": {"code": unit.code, "name": unit.name},
        "day": day.isoformat(),
        "version": version,
        "counters": counters,
        "calls": calls,
        "waiting": waiting,
    }
    data["fingerprint"] = fingerprint(data)
    data["server_time"] = timezone.now().isoformat()
    return data


# --- the snapshot from the cache (the polling endpoint) ------------------------------------------

# Cache namespaces (core.pagecache): one per unit's board, bumped by every row it shows; one
# for the unit code -> id lookup, bumped by any unit change.
BOARD_UNITS = "display-units"


def namespace(unit_id: int) -> str:
    return f"display:{unit_id}"


def namespace_of_row(row) -> str | None:
    """The board a saved ticket, ticket event, counter, counter setup or service belongs to."""
    if isinstance(row, TicketEvent):
        return namespace(row.ticket.unit_id)
    if isinstance(row, (Ticket, Counter, Service, QueuePolicy)):
        return namespace(row.unit_id)
    counter = getattr(row, "counter", None)  # CounterAssignment
    return namespace(counter.unit_id) if counter is not None else None


def board_unit_id(code: str) -> int | None:
    """The active unit a board URL names, from the cache (None: no such active unit)."""
    key = f"motcua:display:unit:{pagecache.version(BOARD_UNITS)}:{code}"
    hit = cache.get(key)
    if hit is None:
        unit_id = Unit.objects.filter(code=code, is_active=True).values_list("pk", flat=True)
        hit = {"id": unit_id.first()}
        cache.set(key, hit, 3600)
    return hit["id"]


def cached_snapshot(unit_id: int) -> dict[str, Any] | None:
    """`snapshot` for the polling boards: a cache read while nothing changed.

    The key holds the board's version (bumped on every change it shows) and the day, so a
    call is in the very next answer. The short lifetime is the safety net for changes made
    where no signal fires (raw SQL): they show within RECHECK_SECONDS, as on the streams.
    """
    if not settings.MOTCUA_PAGE_CACHE:
        unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
        return snapshot(unit) if unit is not None else None
    day = queue_services.local_day(queue_services.now())
    key = f"motcua:display:snap:{unit_id}:{pagecache.version(namespace(unit_id))}:{day}"
    snap = cache.get(key)
    if snap is None:
        unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
        if unit is None:
            return None
        snap = snapshot(unit)
        cache.set(key, snap, RECHECK_SECONDS)
    return {**snap, "server_time": timezone.now().isoformat()}


def fingerprint(data: dict[str, Any]) -> str:
    """A short hash of what the board shows (not the clock): changes iff the board changes."""
    body = {k: v for k, v in data.items() if k not in ("server_time", "fingerprint")}
    blob = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# Hundreds of boards and phones of one unit wake together on a call: one of them reads the
# database, the others reuse its snapshot. An entry lives at most SHARE_SECONDS and is dropped
# by every notification; a snapshot begun before a notification is never stored after it.
SHARE_SECONDS = 1.0
_shared: dict[int, tuple[float, dict[str, Any]]] = {}
_generation: dict[int, int] = {}
_shared_lock = threading.Lock()


def _forget(unit_id: int) -> None:
    with _shared_lock:
        _generation[unit_id] = _generation.get(unit_id, 0) + 1
        _shared.pop(unit_id, None)


def shared_snapshot(unit_id: int) -> dict[str, Any] | None:
    """The snapshot another board read since the last notification, if still fresh.

    Only a dict lookup: the event loop calls it directly, without a thread hop.
    """
    with _shared_lock:
        hit = _shared.get(unit_id)
        if hit is not None and time.monotonic() - hit[0] < SHARE_SECONDS:
            return hit[1]
    return None


def snapshot_for(unit_id: int) -> dict[str, Any] | None:
    """Snapshot read from a worker thread of the SSE loop; hands its connection back after."""
    with _shared_lock:
        hit = _shared.get(unit_id)
        if hit is not None and time.monotonic() - hit[0] < SHARE_SECONDS:
            return hit[1]
        generation = _generation.get(unit_id, 0)
    started = time.monotonic()
    try:
        unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
        snap = snapshot(unit) if unit is not None else None
    finally:
        close_old_connections()
    if snap is not None:
        with _shared_lock:
            if _generation.get(unit_id, 0) == generation:
                _shared[unit_id] = (started, snap)
    return snap


def active_unit_id(code: str) -> int | None:
    """The unit a board stream is for, looked up from a worker thread (connection handed back)."""
    try:
        return Unit.objects.filter(code=code, is_active=True).values_list("pk", flat=True).first()
    finally:
        close_old_connections()


# --- notification inside one process -----------------------------------------------------------


class _AsyncWaiter:
    """Wakes an asyncio.Event from any thread (publish runs in sync code)."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()

    def wake(self) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: its stream ended
            self.loop.call_soon_threadsafe(self.event.set)


def _set_all(events: list[asyncio.Event]) -> None:
    for event in events:
        event.set()


class ThreadWaiter:
    """A waiter for plain threads (tests, tools)."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def wake(self) -> None:
        self.event.set()


class Hub:
    """The waiters of one process per unit; `notify` wakes them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[int, set] = {}

    def add(self, unit_id: int, waiter) -> None:
        with self._lock:
            self._waiters.setdefault(unit_id, set()).add(waiter)

    def remove(self, unit_id: int, waiter) -> None:
        with self._lock:
            waiters = self._waiters.get(unit_id)
            if waiters is not None:
                waiters.discard(waiter)
                if not waiters:
                    del self._waiters[unit_id]

    def notify(self, unit_id: int) -> None:
        if self is hub:
            _forget(unit_id)
        with self._lock:
            waiters = list(self._waiters.get(unit_id, ()))
        # One hand-over per event loop, not one per board: call_soon_threadsafe writes to the
        # loop's self-pipe each time, which for 500 boards took ~100 ms of the Redis thread.
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Event]] = {}
        for waiter in waiters:
            if isinstance(waiter, _AsyncWaiter):
                by_loop.setdefault(waiter.loop, []).append(waiter.event)
            else:
                waiter.wake()
        for loop, events in by_loop.items():
            with contextlib.suppress(RuntimeError):  # the loop is closed: its streams ended
                loop.call_soon_threadsafe(_set_all, events)

    def count(self, unit_id: int) -> int:
        with self._lock:
            return len(self._waiters.get(unit_id, ()))


hub = Hub()


# --- fan-out across app servers through Redis -----------------------------------------------


def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


_publishers: dict[str, Any] = {}


def _publisher(url: str):
    """One client (and connection pool) per URL for the whole process: publish is per call."""
    client = _publishers.get(url)
    if client is None:
        client = _publishers.setdefault(url, _redis(url))
    return client


class RedisSubscriber:
    """One daemon thread per process: Redis pattern subscription -> `hub.notify(unit_id)`.

    Reconnects with a growing pause when Redis goes away; meanwhile the waiters' periodic
    re-check keeps the boards correct, only slower.
    """

    def __init__(self, url: str, target: Hub) -> None:
        self.url = url
        self.target = target
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="display-redis", daemon=True)

    def start(self) -> RedisSubscriber:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=3)

    def _run(self) -> None:
        pause = 0.5
        while not self._stop.is_set():
            try:
                client = _redis(self.url)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(CHANNEL_PREFIX + "*")
                # the first answer is the subscription confirmation
                pubsub.get_message(timeout=2, ignore_subscribe_messages=False)
                self.ready.set()
                pause = 0.5
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "pmessage":
                        channel = message["channel"]
                        if isinstance(channel, bytes):
                            channel = channel.decode()
                        try:
                            self.target.notify(int(channel.removeprefix(CHANNEL_PREFIX)))
                        except ValueError:
                            continue
                pubsub.close()
                client.close()
            except Exception:  # noqa: BLE001  a network error must not kill the thread
                self.ready.clear()
                log.warning("display: Redis subscription lost, retrying in %.1f s", pause)
                self._stop.wait(pause)
                pause = min(pause * 2, 30)


_subscriber: RedisSubscriber | None = None
_subscriber_lock = threading.Lock()


def ensure_subscriber() -> RedisSubscriber | None:
    """Start this process's Redis subscriber on first use (only when REDIS_URL is set)."""
    global _subscriber
    url = settings.REDIS_URL
    if not url:
        return None
    with _subscriber_lock:
        if _subscriber is None or _subscriber.url != url:
            if _subscriber is not None:
                _subscriber.stop()
            _subscriber = RedisSubscriber(url, hub).start()
    return _subscriber


def publish(unit_id: int) -> None:
    """Tell every display of the unit that something changed (after the commit).

    Never raises: a board that misses a wake-up still sees the change at its next re-check.
    """
    hub.notify(unit_id)
    url = settings.REDIS_URL
    if not url:
        return
    try:
        _publisher(url).publish(f"{CHANNEL_PREFIX}{unit_id}", str(unit_id))
    except Exception:  # noqa: BLE001  never raises (above): the board re-checks anyway
        log.warning("display: could not publish to Redis for unit %s", unit_id)


# Reads in flight per event loop: (unit, generation) -> the future of its snapshot.
_inflight: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def _snapshot_async(unit_id: int) -> dict[str, Any] | None:
    """The unit's snapshot for a stream: the shared copy, else ONE read for all boards woken.

    Hundreds of streams wake on one notification. Each used to take a thread hop to
    `snapshot_for`, and the first few all missed the shared copy and read the database at
    once. Now a fresh shared copy is used in the loop itself, and the streams that miss it
    await the same read (per generation, so a read begun before a notification is not
    handed to the boards that notification woke).
    """
    snap = shared_snapshot(unit_id)
    if snap is not None:
        return snap
    from asgiref.sync import sync_to_async

    loop = asyncio.get_running_loop()
    reads = _inflight.setdefault(loop, {})
    key = (unit_id, _generation.get(unit_id, 0))
    future = reads.get(key)
    if future is None:
        future = asyncio.ensure_future(sync_to_async(snapshot_for, thread_sensitive=False)(unit_id))
        reads[key] = future
        future.add_done_callback(lambda _f: reads.pop(key, None))
    # shield: a board that disconnects must not cancel the read the others wait for
    return await asyncio.shield(future)


def _differs(snap, since_version: int | None, since_fingerprint: str | None) -> bool:
    return snap is not None and (
        snap["version"] != since_version
        or (since_fingerprint is not None and snap["fingerprint"] != since_fingerprint)
    )


async def wait_for_change(
    unit_id: int,
    since_version: int | None,
    timeout: float,
    *,
    since_fingerprint: str | None = None,
    recheck: float | None = None,
) -> dict[str, Any] | None:
    """The new snapshot as soon as the board differs from what the client has, else None.

    "Differs": another version, or the same version with other content (a late commit, a
    counter opened). The waiter is registered before the first read, so a publish between the
    read and the wait is not lost.
    """
    ensure_subscriber()
    recheck = RECHECK_SECONDS if recheck is None else recheck
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(timeout, 0)
    waiter = _AsyncWaiter()
    hub.add(unit_id, waiter)
    try:
        while True:
            waiter.event.clear()
            snap = await _snapshot_async(unit_id)
            if _differs(snap, since_version, since_fingerprint):
                return snap
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(remaining, recheck)):  # no extra task per wait
                    await waiter.event.wait()
    finally:
        hub.remove(unit_id, waiter)


# The last message per unit, with the snapshot it was made from: the boards woken together
# share one snapshot object, so it is serialised once, not once per board.
_messages: dict[str, tuple[dict[str, Any], str]] = {}


def sse_message(snap: dict[str, Any]) -> str:
    """One server-sent event: `id` = version (for Last-Event-ID), data = the full snapshot."""
    code = snap["unit"]["code"]
    hit = _messages.get(code)
    if hit is not None and hit[0] is snap:
        return hit[1]
    data = json.dumps(snap, ensure_ascii=False, separators=(",", ":"))
    message = f"id: {snap['version']}\nevent: snapshot\ndata: {data}\n\n"
    _messages[code] = (snap, message)
    return message


async def event_stream(
    unit_id: int,
    *,
    last_event_id: int | None,
    heartbeat: float,
    lifetime: float,
    recheck: float | None = None,
):
    """The SSE body: the snapshot at once (unless the client has it), then one per change,
    a comment every `heartbeat` seconds, and the end after `lifetime` so clients reconnect
    (EventSource does it by itself, sending Last-Event-ID)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + lifetime
    yield "retry: 3000\n\n"
    version: int | None = last_event_id
    fp: str | None = None
    first = True
    while True:
        left = end - loop.time()
        if left <= 0:
            return
        wait = 0 if first else min(heartbeat, left)
        snap = await wait_for_change(unit_id, version, wait, since_fingerprint=fp, recheck=recheck)
        first = False
        if snap is not None:
            version, fp = snap["version"], snap["fingerprint"]
            yield sse_message(snap)
        elif loop.time() < end:
            yield f": {int(time.time())}\n\n"


def wait_for_change_sync(
    unit_id: int,
    since_version: int | None,
    timeout: float,
    *,
    since_fingerprint: str | None = None,
    recheck: float | None = None,
) -> dict[str, Any] | None:
    """`wait_for_change` for a thread per stream (WSGI servers, the test live server)."""
    ensure_subscriber()
    recheck = RECHECK_SECONDS if recheck is None else recheck
    deadline = time.monotonic() + max(timeout, 0)
    waiter = ThreadWaiter()
    hub.add(unit_id, waiter)
    try:
        while True:
            waiter.event.clear()
            snap = snapshot_for(unit_id)
            if _differs(snap, since_version, since_fingerprint):
                return snap
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            waiter.event.wait(min(remaining, recheck))
    finally:
        hub.remove(unit_id, waiter)


_streams_lock = threading.Lock()
_open_sync_streams = 0


def open_sync_streams() -> int:
    """Threaded (WSGI) streams still running: tests wait for none before emptying the database."""
    with _streams_lock:
        return _open_sync_streams


def event_stream_sync(
    unit_id: int,
    *,
    last_event_id: int | None,
    heartbeat: float,
    lifetime: float,
    recheck: float | None = None,
):
    """`event_stream` for WSGI: the same messages, one thread held per connected board.

    Under WSGI Django would buffer an async generator to the end, so it gets this one.
    """
    global _open_sync_streams
    with _streams_lock:
        _open_sync_streams += 1
    try:
        yield from _sync_stream_body(unit_id, last_event_id, heartbeat, lifetime, recheck)
    finally:
        with _streams_lock:
            _open_sync_streams -= 1


def _sync_stream_body(unit_id, last_event_id, heartbeat, lifetime, recheck):
    end = time.monotonic() + lifetime
    yield "retry: 3000\n\n"
    version: int | None = last_event_id
    fp: str | None = None
    first = True
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        wait = 0 if first else min(heartbeat, left)
        snap = wait_for_change_sync(unit_id, version, wait, since_fingerprint=fp, recheck=recheck)
        first = False
        if snap is not None:
            version, fp = snap["version"], snap["fingerprint"]
            yield sse_message(snap)
        elif time.monotonic() < end:
            yield f": {int(time.time())}\n\n"
