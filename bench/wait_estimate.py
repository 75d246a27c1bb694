"""Wait estimate accuracy: replay the demo queue history through the live estimator.

The history is the demo's own (`motcua.demo.queue.write_history`, seeded per commune and day,
the generator `manage.py load_demo` uses): 20 working days of the six-counter commune 11824 and
10 of the two-counter commune 11836, ending the day before Tuesday 17/11/2026. For every
ticket, at its issue time and with only what was known then, the bench computes the estimate
with the same pure functions `queueing.estimate` runs on the ticket page and compares it with
the real wait (issue -> first call event):

- people ahead: tickets of the service issued earlier and not yet called, priority rule applied;
- open counters: there is no record of when a counter opened in the history, so a counter
  counts as open when it made a call in the 30 minutes before; when none did (opening, after
  lunch) the counters that called earlier that day, else those that worked the previous day;
- cycle minutes: median of the service's last 40 tickets finished before that moment (14 days),
  else the unit's;
- recent wait: median wait of the service's citizens first called in the 45 minutes before
  (the live path reads the last call time, which a recall moves a minute or two later).

Reported: median and p90 absolute error (minutes), the share of real waits inside [low, high],
the 10th/90th percentiles of real/estimate (what `LOW_FACTOR`/`HIGH_FACTOR` are set from), and
the naive baseline "people ahead x 10 minutes". The latency row times `estimate.wait_for` on
a live queue of 30 tickets (the polled ticket page) against `selectors.people_ahead` alone.
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import (
    Benchmark,
    database_label,
    machine_line,
    make_row,
    markdown_table,
    percentile,
    register,
    timed_ms,
    worker_main,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.date(2026, 11, 17)  # a plain working Tuesday; the history ends the day before
RECENT = dt.timedelta(minutes=30)
BASELINE_MINUTES = 10


# --- the history ----------------------------------------------------------------------------------
def seed_history() -> list:
    """The demo communes' units, counters and services, and their seeded ticket history."""
    from motcua.core.models import Counter, Unit
    from motcua.demo import queue as demo

    spec = demo.read_spec()
    province = Unit.objects.create(code="42", name="Tỉnh Hà Tĩnh", kind=Unit.Kind.PROVINCE)
    units = []
    for commune in spec["communes"]:
        unit = Unit.objects.create(
            code=commune["unit"],
            name=f"Xã {commune['unit']}",
            kind=Unit.Kind.COMMUNE,
            parent=province,
        )
        for number in commune["counters"]:
            Counter.objects.create(unit=unit, number=int(number), name=f"Quầy {number}")
        services, _created = demo.load_services(unit=unit, spec=spec)
        demo.load_counters(unit=unit, commune=commune, services=services)
        demo.write_history(unit=unit, today=TODAY, spec=spec, commune=commune, services=services)
        units.append(unit)
    return units


def _history(unit) -> list[dict]:
    """Every history ticket of `unit` with its first call time, in issue order."""
    from django.db.models import Min, Q

    from motcua.queueing.models import Ticket

    return list(
        Ticket.objects.filter(unit=unit)
        .annotate(first_call=Min("events__at", filter=Q(events__action="call")))
        .values(
            "id",
            "day",
            "service_id",
            "priority_reason",
            "issued_at",
            "first_call",
            "called_at",
            "finished_at",
            "counter_id",
            "status",
        )
        .order_by("issued_at", "id")
    )


def replay(unit) -> list[dict]:
    """(estimate, low, high, baseline, real) per ticket, using only what was known at issue."""
    from motcua.queueing import estimate
    from motcua.queueing.models import CounterAssignment, Ticket

    rows = _history(unit)
    serves: dict[int, set[int]] = defaultdict(set)
    for counter_id, service_id in CounterAssignment.objects.filter(counter__unit=unit).values_list(
        "counter_id", "services__id"
    ):
        serves[counter_id].add(service_id)
    streak = estimate.streak_limit(unit.pk)
    finished = sorted(
        (r for r in rows if r["called_at"] and r["finished_at"]), key=lambda r: r["finished_at"]
    )
    finished_at = [r["finished_at"] for r in finished]
    calls = sorted((r["first_call"], r["counter_id"], r["day"]) for r in rows if r["first_call"])
    by_day: dict[dt.date, list[dict]] = defaultdict(list)
    for r in rows:
        by_day[r["day"]].append(r)
    worked: dict[dt.date, set[int]] = {
        day: {r["counter_id"] for r in day_rows} for day, day_rows in by_day.items()
    }
    days = sorted(by_day)

    out = []
    for r in rows:
        at, day = r["issued_at"], r["day"]
        if r["first_call"] is None:
            continue
        waiting = [
            o for o in by_day[day] if o["issued_at"] <= at and o["first_call"] > at
        ]  # r itself included: it is waiting from this moment
        counts: dict[int, int] = defaultdict(int)
        for o in waiting:
            counts[o["service_id"]] += 1
        mine = [o for o in waiting if o["service_id"] == r["service_id"] and o is not r]
        ordinary = Ticket.Priority.NONE
        ahead = estimate.people_ahead_in_order(
            is_priority=r["priority_reason"] != ordinary,
            priority_before=sum(1 for o in mine if o["priority_reason"] != ordinary),
            ordinary_before=sum(1 for o in mine if o["priority_reason"] == ordinary),
            priority_after=0,
            streak_limit=streak,
        )
        # counters open at `at`: called someone in the last 30 minutes, else earlier today,
        # else worked the previous day
        lo = bisect.bisect_left(calls, (at - RECENT,))
        hi = bisect.bisect_right(calls, (at, float("inf")))
        open_ids = {c for _t, c, d in calls[lo:hi] if d == day}
        if not open_ids:
            open_ids = {c for t, c, d in calls if d == day and t <= at}
        if not open_ids:
            earlier = [d for d in days if d < day]
            open_ids = worked[earlier[-1]] if earlier else set()
        counters = [serves[c] for c in open_ids]
        # cycle minutes from tickets finished before `at`, within 14 days
        since = at - dt.timedelta(days=estimate.HISTORY_DAYS)
        end = bisect.bisect_right(finished_at, at)
        own: list[float] = []
        unit_wide: list[float] = []
        for f in reversed(finished[:end]):
            if f["finished_at"] < since or len(unit_wide) >= estimate.HISTORY_ROWS:
                break
            minutes = (f["finished_at"] - f["called_at"]).total_seconds() / 60
            unit_wide.append(minutes)
            if f["service_id"] == r["service_id"] and len(own) < estimate.HISTORY_TICKETS:
                own.append(minutes)
        cycle = estimate.cycle_minutes(own) or estimate.cycle_minutes(unit_wide)
        capacity = estimate.counter_capacity(r["service_id"], counters, counts)
        recent = estimate.recent_wait_minutes(
            [
                (o["first_call"] - o["issued_at"]).total_seconds() / 60
                for o in by_day[day]
                if o["service_id"] == r["service_id"]
                and o["first_call"] is not None
                and at - estimate.RECENT_CALLS <= o["first_call"] <= at
            ]
        )
        point, low, high = estimate.estimate_minutes(ahead, capacity, cycle, recent)
        out.append(
            {
                "real": (r["first_call"] - at).total_seconds() / 60,
                "point": point,
                "low": low,
                "high": high,
                "baseline": ahead * BASELINE_MINUTES,
                "raw_point": estimate.point_minutes(ahead, capacity, cycle, recent),
            }
        )
    return out


def accuracy(samples: list[dict]) -> dict:
    est = [s for s in samples if s["point"] is not None]
    errors = [abs(s["point"] - s["real"]) for s in est]
    base = [abs(s["baseline"] - s["real"]) for s in est]
    ratios = [s["real"] / s["raw_point"] for s in est if s["raw_point"]]
    return {
        "tickets": len(samples),
        "estimated": len(est),
        "mae_median": statistics.median(errors),
        "mae_p90": percentile(errors, 90),
        "inside": sum(1 for s in est if s["low"] <= s["real"] <= s["high"]) / len(est),
        "base_median": statistics.median(base),
        "base_p90": percentile(base, 90),
        "ratio_p10": percentile(ratios, 10),
        "ratio_p90": percentile(ratios, 90),
        "real_median": statistics.median(s["real"] for s in est),
    }


# --- the live path --------------------------------------------------------------------------------
def live_latency(unit, samples: int) -> tuple[list[float], list[float]]:
    """wait_for on a queue of 30 waiting tickets with open counters, vs people_ahead alone."""
    from motcua.accounts.models import User
    from motcua.core.models import Counter
    from motcua.queueing import estimate, selectors, services
    from motcua.queueing.models import Service

    officer = User.objects.create_user(username="bench.quay", password="Mot-cua-2025!an-toan")
    for counter in Counter.objects.filter(unit=unit):
        services.open_counter(counter=counter, officer=officer)
    at = dt.datetime.combine(TODAY, dt.time(9, 0), tzinfo=HCM)
    service_list = list(Service.objects.filter(unit=unit).order_by("code"))
    tickets = [
        services.issue_ticket(
            unit=unit,
            service=service_list[i % len(service_list)],
            source="kiosk",
            at=at + dt.timedelta(seconds=i),
        )
        for i in range(30)
    ]
    now = at + dt.timedelta(minutes=1)
    for t in tickets[:5]:  # warm-up
        estimate.wait_for(t, at=now)
        selectors.people_ahead(t)
    ours, raw = [], []
    for i in range(samples):
        t = tickets[i % len(tickets)]
        ours.append(timed_ms(lambda t=t: estimate.wait_for(t, at=now)))
        raw.append(timed_ms(lambda t=t: selectors.people_ahead(t)))
    return ours, raw


def measure(params: dict) -> list[dict]:
    units = seed_history()
    samples = [s for unit in units for s in replay(unit)]
    acc = accuracy(samples)
    print(
        f"  replayed {acc['tickets']} tickets ({acc['estimated']} with an estimate): "
        f"median |error| {acc['mae_median']:.1f} min, p90 {acc['mae_p90']:.1f} min, "
        f"{acc['inside']:.0%} inside [low, high]; baseline median {acc['base_median']:.1f} min; "
        f"real/estimate p10 {acc['ratio_p10']:.2f}, p90 {acc['ratio_p90']:.2f}",
        flush=True,
    )
    ours, raw = live_latency(units[0], int(params["samples"]))
    return [
        make_row(
            benchmark=BENCHMARK.name,
            database=database_label(),
            target="estimate.wait_for vs selectors.people_ahead",
            samples_ms=ours,
            raw_samples_ms=raw,
            goal_ms=None,
            extra=acc,
        )
    ]


def describe(rows: list[dict], info: dict) -> str:
    lines = [
        machine_line(info),
        "",
        "Accuracy (same on every database: the replay is deterministic):",
        "",
        "| tickets | with an estimate | median abs error (min) | p90 abs error (min) "
        "| inside [low, high] | baseline ahead x 10 min: median / p90 (min) "
        "| median ratio baseline/ours | real/estimate p10 / p90 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    r = rows[0]
    lines.append(
        f"| {r['tickets']} | {r['estimated']} | {r['mae_median']:.1f} | {r['mae_p90']:.1f} "
        f"| {r['inside']:.0%} | {r['base_median']:.1f} / {r['base_p90']:.1f} "
        f"| {r['base_median'] / r['mae_median']:.1f}x "
        f"| {r['ratio_p10']:.2f} / {r['ratio_p90']:.2f} |"
    )
    lines += ["", "Latency of the polled estimate:", "", markdown_table(rows)]
    return "\n".join(lines)


BENCHMARK = register(
    Benchmark(
        name="wait_estimate",
        title="Wait estimate accuracy",
        script=Path(__file__).resolve(),
        goal_ms=None,
        defaults={"samples": 200},
        describe=describe,
    )
)

if __name__ == "__main__":
    worker_main(BENCHMARK, measure)
