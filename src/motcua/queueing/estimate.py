"""Estimated wait for a ticket: people ahead, open counters and recent counter times.

The arithmetic lives in pure functions (`people_ahead_in_order`, `counter_capacity`,
`cycle_minutes`, `recent_wait_minutes`, `point_minutes`, `estimate_minutes`) so
`bench/wait_estimate.py` replays history through the very code the ticket page runs. The live
path costs one small query per ticket (the people before it), because every citizen's ticket
page polls it: what the whole unit shares (open counters, recent tickets, the priority rule, the
waits of the queue app's page) is read from the cache under the board's version, which every
ticket, counter and policy change bumps (core.pagecache: exact invalidation), and a minute of
the clock (the recent-calls window moves with time, not only with events).

Model: a counter handles one citizen per "cycle" (first call -> finished, so walking to the
desk and absent citizens count too). With `ahead` people before you and `capacity` counters'
worth of time for your service, you are called after about (ahead + 0.5) cycles / capacity
(the half cycle is the citizen at the desk now). The cycle is the median of the service's last
`HISTORY_TICKETS` finished tickets over `HISTORY_DAYS`, or the unit's all-service median when
the service has fewer than `MIN_SAMPLES`. That queue model is averaged with the median wait of
the service's citizens called in the last 45 minutes, when there are some. The range
[low, high] is calibrated on the demo history so about 80% of citizens are called inside it
(constants below; bench/wait_estimate.py prints the share actually measured).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q

from motcua.core import pagecache
from motcua.core.models import Unit

from .models import CounterAssignment, QueuePolicy, Ticket

HISTORY_DAYS = 14
HISTORY_TICKETS = 40  # per service: recent enough to follow a slow officer, enough to be stable
MIN_SAMPLES = 5
HISTORY_ROWS = 600  # unit-wide cap on the one history query (a few days of a busy commune)
MAX_CYCLE_MINUTES = 90  # a ticket left open over lunch is not a service time
RECENT_CALLS = dt.timedelta(minutes=45)
# The range aims at 80% of real waits (10th to 90th percentile of the error) on the demo
# history (bench/wait_estimate.py): low = 10th percentile of real/estimate (0.53, rounded
# down); high = estimate x 1.8 + 8 minutes, the pair that puts 80% inside (a pure ratio
# overstates short waits: real/estimate at the 90th percentile is 3.5, mostly on tiny queues).
LOW_FACTOR = 0.5
HIGH_FACTOR = 1.8
SLACK_MINUTES = 8


@dataclass(frozen=True)
class WaitEstimate:
    """What the citizen sees: people ahead, and a wait in minutes with its likely range.

    `minutes` is None when no open counter serves the service or there is no history yet.
    """

    ahead: int
    minutes: int | None
    low_minutes: int | None
    high_minutes: int | None
    open_counters: int


# --- pure arithmetic (shared with the bench) ------------------------------------------------------


def people_ahead_in_order(
    *,
    is_priority: bool,
    priority_before: int,
    ordinary_before: int,
    priority_after: int,
    streak_limit: int,
) -> int:
    """How many waiting citizens will be called before this one, priority rule included.

    A priority ticket passes ordinary tickets, but after `streak_limit` priority calls in a row
    the counter calls one ordinary ticket. An ordinary ticket is also passed by priority
    tickets issued after it that are already waiting.
    """
    if is_priority:
        return priority_before + min(ordinary_before, priority_before // max(streak_limit, 1))
    return priority_before + ordinary_before + priority_after


def counter_capacity(
    service_id: int,
    counters: Iterable[Iterable[int]],
    waiting: Mapping[int, int],
    *,
    joining: bool = False,
) -> float:
    """Counters' worth of time for `service_id`: a counter shares itself by waiting load.

    `counters` holds the services of each open counter; `waiting` counts waiting tickets per
    service. A counter serving A and B with 6 waiting for A and 2 for B gives A about 3/4 of
    its time. `joining` counts the person about to take a number of `service_id`.
    """
    capacity = 0.0
    for served in counters:
        served = set(served)
        if service_id not in served:
            continue
        own = waiting.get(service_id, 0) + (1 if joining else 0)
        total = sum(waiting.get(s, 0) for s in served) + (1 if joining else 0)
        capacity += (own + 1) / (total + len(served)) if total else 1 / len(served)
    return capacity


def cycle_minutes(durations_minutes: list[float]) -> float | None:
    """Median counter time per citizen, or None with too few samples to trust."""
    usable = [d for d in durations_minutes if 0 < d <= MAX_CYCLE_MINUTES]
    if len(usable) < MIN_SAMPLES:
        return None
    return statistics.median(usable)


def point_minutes(
    ahead: int, capacity: float, cycle: float | None, recent_wait: float | None = None
) -> float | None:
    """Minutes until the first call, unrounded; None without an open counter or history.

    The queue model is averaged with the wait of the people called lately when there are
    some: what the model cannot see (an officer away, long cases) shows in real waits.
    """
    if capacity <= 0 or cycle is None:
        return None
    point = (ahead + 0.5) * cycle / capacity
    if recent_wait is not None:
        point = (point + recent_wait) / 2
    return point


def estimate_minutes(
    ahead: int, capacity: float, cycle: float | None, recent_wait: float | None = None
) -> tuple[int | None, int | None, int | None]:
    """(point, low, high) whole minutes; the range is the calibrated spread around the point."""
    point = point_minutes(ahead, capacity, cycle, recent_wait)
    if point is None:
        return None, None, None
    low = max(0, math.floor(point * LOW_FACTOR))
    high = math.ceil(point * HIGH_FACTOR + SLACK_MINUTES)
    return round(point), low, max(high, round(point))


# --- live path ----------------------------------------------------------------------------------


def _now() -> dt.datetime:
    from . import services

    return services.now()


def _open_counters(unit_id: int) -> list[set[int]]:
    """The active services of each open, active counter of the unit (one query)."""
    by_counter: dict[int, set[int]] = defaultdict(set)
    rows = CounterAssignment.objects.filter(
        counter__unit_id=unit_id,
        counter__is_active=True,
        is_open=True,
        services__is_active=True,
    ).values_list("counter_id", "services__id")
    for counter_id, service_id in rows:
        by_counter[counter_id].add(service_id)
    return list(by_counter.values())


def recent_wait_minutes(waits_minutes: list[float]) -> float | None:
    """Median wait of the citizens of the service called lately, or None when nobody was."""
    return statistics.median(waits_minutes) if waits_minutes else None


def _history(
    unit_id: int, at: dt.datetime
) -> tuple[dict[int, float | None], float | None, dict[int, float | None]]:
    """Per-service and unit-wide cycle minutes, and per-service recent waits (one query).

    Cycles come from tickets finished within HISTORY_DAYS; recent waits from today's tickets
    called within RECENT_CALLS (the last call time: a recall moves it a little later).
    """
    from . import services

    today = services.local_day(at)
    finished = Q(
        day__gte=today - dt.timedelta(days=HISTORY_DAYS),
        status__in=(Ticket.Status.DONE, Ticket.Status.NO_SHOW),
        called_at__isnull=False,
        finished_at__isnull=False,
        finished_at__lte=at,
    )
    called_lately = Q(day=today, called_at__gte=at - RECENT_CALLS, called_at__lte=at)
    rows = (
        Ticket.objects.filter(finished | called_lately, unit_id=unit_id)
        .order_by(F("finished_at").desc(nulls_first=True))
        .values_list("service_id", "day", "issued_at", "called_at", "finished_at")[:HISTORY_ROWS]
    )
    cycles: dict[int, list[float]] = defaultdict(list)
    waits: dict[int, list[float]] = defaultdict(list)
    unit_wide: list[float] = []
    since = at - RECENT_CALLS
    for service_id, day, issued, called, done in rows:
        if day == today and called is not None and since <= called <= at:
            waits[service_id].append((called - issued).total_seconds() / 60)
        if done is None or called is None or done > at:
            continue
        minutes = (done - called).total_seconds() / 60
        if len(cycles[service_id]) < HISTORY_TICKETS:
            cycles[service_id].append(minutes)
        unit_wide.append(minutes)
    return (
        {s: cycle_minutes(d) for s, d in cycles.items()},
        cycle_minutes(unit_wide),
        {s: recent_wait_minutes(w) for s, w in waits.items()},
    )


def streak_limit(unit_id: int) -> int:
    """The unit's priority streak limit (one query; the default without a policy row)."""
    limit = (
        QueuePolicy.objects.filter(unit_id=unit_id)
        .values_list("priority_streak_limit", flat=True)
        .first()
    )
    return limit or QueuePolicy._meta.get_field("priority_streak_limit").default


def _build(
    service_id: int,
    ahead: int,
    counters: list[set[int]],
    waiting: dict[int, int],
    history,
    *,
    joining: bool,
) -> WaitEstimate:
    per_service, unit_wide, recent = history
    cycle = per_service.get(service_id) or unit_wide
    capacity = counter_capacity(service_id, counters, waiting, joining=joining)
    minutes, low, high = estimate_minutes(ahead, capacity, cycle, recent.get(service_id))
    return WaitEstimate(
        ahead=ahead,
        minutes=minutes,
        low_minutes=low,
        high_minutes=high,
        open_counters=sum(1 for served in counters if service_id in served),
    )


FACTS_SECONDS = 120  # a safety net only: the version and the minute make the key


def cached_for_unit(unit_id: int, at: dt.datetime, what: str, build):
    """`build()` for the unit at this minute, from the cache while the board's version holds
    (every change to a ticket, counter, service or queue policy of the unit bumps it)."""
    if not settings.MOTCUA_PAGE_CACHE:
        return build()
    from .display import namespace  # display imports the queue services, which import us

    key = f"motcua:estimate:{what}:{unit_id}:{int(at.timestamp()) // 60}"
    made_under, found = pagecache.read_versioned(namespace(unit_id), key)
    if found is None:
        found = build()
        pagecache.store_versioned(key, made_under, found, FACTS_SECONDS)
    return found


def _unit_facts(unit_id: int, at: dt.datetime):
    """Open counters, history and the priority rule: the same for every ticket of the unit."""
    return cached_for_unit(
        unit_id,
        at,
        "facts",
        lambda: (_open_counters(unit_id), _history(unit_id, at), streak_limit(unit_id)),
    )


def wait_for(ticket: Ticket, *, at: dt.datetime | None = None) -> WaitEstimate:
    """The wait of a ticket still in the queue; a ticket called or closed has nobody ahead."""
    at = at or _now()
    counters, history, streak = _unit_facts(ticket.unit_id, at)
    if ticket.status not in Ticket.WAITING_STATES:
        return WaitEstimate(
            ahead=0,
            minutes=None,
            low_minutes=None,
            high_minutes=None,
            open_counters=sum(1 for served in counters if ticket.service_id in served),
        )
    ordinary = Q(priority_reason=Ticket.Priority.NONE)
    before = Q(issued_at__lt=ticket.issued_at) | Q(
        issued_at=ticket.issued_at, number__lt=ticket.number
    )
    same = Q(service_id=ticket.service_id) & ~Q(pk=ticket.pk)
    rows = (
        Ticket.objects.filter(
            unit_id=ticket.unit_id, day=ticket.day, status__in=Ticket.WAITING_STATES
        )
        .values("service_id")
        .annotate(
            waiting=Count("id"),
            priority_before=Count("id", filter=same & before & ~ordinary),
            ordinary_before=Count("id", filter=same & before & ordinary),
            priority_after=Count("id", filter=same & ~before & ~ordinary),
        )
    )
    waiting = {r["service_id"]: r["waiting"] for r in rows}
    mine = next((r for r in rows if r["service_id"] == ticket.service_id), None) or {}
    ahead = people_ahead_in_order(
        is_priority=ticket.is_priority,
        priority_before=mine.get("priority_before", 0),
        ordinary_before=mine.get("ordinary_before", 0),
        priority_after=mine.get("priority_after", 0),
        streak_limit=streak,
    )
    return _build(ticket.service_id, ahead, counters, waiting, history, joining=False)


def service_waits(unit: Unit, *, at: dt.datetime | None = None) -> dict[int, WaitEstimate]:
    """For someone taking an ordinary number now: each active service's wait, by service id."""
    at = at or _now()
    return cached_for_unit(unit.pk, at, "waits", lambda: _service_waits(unit, at))


def _service_waits(unit: Unit, at: dt.datetime) -> dict[int, WaitEstimate]:
    from . import services

    rows = (
        Ticket.objects.filter(
            unit_id=unit.pk, day=services.local_day(at), status__in=Ticket.WAITING_STATES
        )
        .values("service_id")
        .annotate(waiting=Count("id"))
    )
    waiting = {r["service_id"]: r["waiting"] for r in rows}
    counters = _open_counters(unit.pk)
    history = _history(unit.pk, at)
    service_ids = unit.queue_services.filter(is_active=True).values_list("id", flat=True)
    return {
        sid: _build(sid, waiting.get(sid, 0), counters, waiting, history, joining=True)
        for sid in service_ids
    }
