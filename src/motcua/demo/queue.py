"""Queue demo data: services A-E, what each counter serves, and weeks of served tickets.

The reference rows (services, counter assignments, queue policy) are upserted and safe to load
again. The HISTORY is different: it is a past that never passed through
`motcua.queueing.services` (nobody pressed "call next" on those days), so it is bulk-written
with explicit timestamps, together with each ticket's `TicketEvent` rows and the
`TicketSequence` rows of those days. No audit event is written per ticket: the audit log records
what people and jobs did, and nobody did this; audit rows are never forged by hand, so
`manage.py audit_verify` keeps passing. One summary event (`demo.queue_loaded`) goes through
`audit.record()` when the load changed anything, so the log says that demo history was added.

History is deterministic: each past working day draws from `random.Random` seeded with the
commune code and the day's offset (1 = the last working day before today), so two loads on the
same day produce the same tickets. A unit that already has any ticket before today is left
alone, and today's tickets and sequences are never touched, so live numbering starts at 001.
All figures are illustrative (docs/data-sources.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.core import audit, calendar
from motcua.core.models import Counter, Unit, Village
from motcua.demo.services import demo_logins_allowed, read_json
from motcua.queueing import services as queue_services
from motcua.queueing.models import (
    BookingRule,
    CounterAssignment,
    QueuePolicy,
    Service,
    Ticket,
    TicketEvent,
    TicketSequence,
    display_code,
)

QUEUE_FILE = Path(__file__).resolve().parent / "data" / "demo_queue.json"
BATCH_SIZE = 500
S = Ticket.Status
# (first minute, last minute) of arrivals in each local hour: the reception opens at 07:30,
# closes for lunch at 11:30 and reopens at 13:30; late arrivals stop before closing time.
ARRIVAL_WINDOW = {7: (30, 59), 11: (0, 15), 13: (30, 59), 16: (0, 30)}


@dataclass
class QueueLoadResult:
    unit: Unit
    services: int = 0
    counters: int = 0
    history_days: int = 0
    history_tickets: int = 0
    history_skipped: bool = False
    history_refused: bool = False
    created: dict[str, int] = field(default_factory=dict)


# --- reference rows -------------------------------------------------------------------------------


def _service_for_field(services: list[dict]) -> tuple[dict[str, str], str | None]:
    """Field name -> service letter, plus the letter that takes every other field."""
    by_field: dict[str, str] = {}
    rest = None
    for s in services:
        if s["fields"] == "*":
            rest = s["code"]
        else:
            by_field.update({name: s["code"] for name in s["fields"]})
    return by_field, rest


def load_services(*, unit: Unit, spec: dict) -> tuple[dict[str, Service], int]:
    """Upsert the services and attach the unit's procedures to them by catalog field."""
    created = 0
    services: dict[str, Service] = {}
    for s in spec["services"]:
        service, was_created = Service.objects.update_or_create(
            unit=unit, code=s["code"], defaults={"name": s["name"], "order": s["order"]}
        )
        services[s["code"]] = service
        created += was_created
        # every demo service takes appointments: 30-minute slots, 3 seats, two weeks ahead;
        # an administrator's later change to the rule is kept
        BookingRule.objects.get_or_create(service=service)
    by_field, rest = _service_for_field(spec["services"])
    grouped: dict[str, list[int]] = {code: [] for code in services}
    for pk, field_name in Procedure.objects.filter(unit=unit).values_list("pk", "field__name"):
        code = by_field.get(field_name, rest)
        if code in grouped:
            grouped[code].append(pk)
    for code, service in services.items():
        service.procedures.set(grouped[code])
    return services, created


def load_counters(*, unit: Unit, commune: dict, services: dict[str, Service]) -> int:
    """Give each counter its services; a counter whose setup already has services keeps it.

    An officer may have changed what a counter serves from the console: a reload must not undo
    that.
    """
    created = 0
    counters = {c.number: c for c in Counter.objects.filter(unit=unit)}
    for number, codes in commune["counters"].items():
        counter = counters.get(int(number))
        if counter is None:
            continue
        setup, was_created = CounterAssignment.objects.get_or_create(counter=counter)
        created += was_created
        if was_created or not setup.services.exists():
            setup.services.set([services[c] for c in codes])
    return created


def load_policy(*, unit: Unit, commune: dict) -> int:
    _policy, was_created = QueuePolicy.objects.get_or_create(
        unit=unit, defaults=commune.get("policy", {})
    )
    return int(was_created)


# --- history --------------------------------------------------------------------------------------


def history_days(*, unit: Unit, today: dt.date, count: int) -> list[tuple[int, dt.date]]:
    """(offset, day) of the `count` working days before `today`, most recent first."""
    days = []
    day = today
    for offset in range(1, count + 1):
        day = calendar.previous_working_day(day, unit)
        days.append((offset, day))
    return days


def _local(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=calendar.LOCAL_TZ)


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _event(before: str, after: str, action: str, when: dt.datetime, *, officer, counter):
    return TicketEvent(
        from_status=before, to_status=after, action=action, at=when, actor=officer, counter=counter
    )


@dataclass
class _Plan:
    """One ticket of the simulated day, before it becomes rows."""

    ticket: Ticket
    events: list[TicketEvent]


def simulate_day(
    *,
    unit: Unit,
    day: dt.date,
    offset: int,
    spec: dict,
    commune: dict,
    services: dict[str, Service],
    counters: dict[str, tuple[Counter, User | None]],
    villages: list[Village],
) -> list[_Plan]:
    """One past working day of served tickets, drawn from a generator seeded by the offset.

    Arrivals follow a morning peak (08-10h) and a smaller afternoon one; waits are drawn per
    hour and kept first-come-first-served for ordinary tickets of a service; a counter serves
    one citizen at a time. No-shows are called three times, then marked absent.
    """
    rng = random.Random(f"motcua-demo-queue:{unit.code}:{offset}")
    history = commune["history"]
    n = rng.randint(*history["tickets_per_day"])
    arrivals = {int(h): w for h, w in spec["arrivals_by_hour"].items()}
    waits = {int(h): tuple(w) for h, w in spec["wait_minutes_by_hour"].items()}
    shares = {s["code"]: s["share"] for s in spec["services"]}
    minutes = {s["code"]: tuple(s["service_minutes"]) for s in spec["services"]}
    serving = {
        code: [
            num for num, codes in commune["counters"].items() if code in codes and num in counters
        ]
        for code in services
    }
    priority_rate = rng.uniform(*history["priority_rate"])
    no_shows = set(rng.sample(range(n), round(n * rng.uniform(*history["no_show_rate"]))))
    weights = [v.population for v in villages]

    issued = []
    for _ in range(n):
        hour = _weighted(rng, arrivals)
        first, last = ARRIVAL_WINDOW.get(hour, (0, 59))
        issued.append(_local(day, hour, rng.randint(first, last), rng.randint(0, 59)))
    issued.sort()

    free_at = {num: _local(day, 7, 30) for num in counters}
    last_ordinary_call: dict[str, dt.datetime] = {}
    numbers: dict[str, int] = {code: 0 for code in services}
    plans = []
    for index, at in enumerate(issued):
        code = _weighted(rng, {c: w for c, w in shares.items() if serving.get(c)})
        service = services[code]
        numbers[code] += 1
        reason = (
            _weighted(rng, spec["priority_reasons"])
            if rng.random() < priority_rate
            else Ticket.Priority.NONE
        )
        if reason == Ticket.Priority.APPOINTMENT:
            source = Ticket.Source.APPOINTMENT
        elif rng.random() < spec["remote_share"]:
            source = Ticket.Source.REMOTE
        else:
            source = Ticket.Source.KIOSK
        if reason in (Ticket.Priority.ELDERLY, Ticket.Priority.MERIT):
            age = Ticket.AgeGroup.SENIOR
        elif reason == Ticket.Priority.PREGNANT:
            age = Ticket.AgeGroup.WORKING
        else:
            age = _weighted(rng, spec["age_groups"])

        is_priority = reason != Ticket.Priority.NONE
        wait_range = spec["priority_wait_minutes"] if is_priority else waits[at.hour]
        call = at + dt.timedelta(seconds=rng.randint(wait_range[0] * 60, wait_range[1] * 60))
        if not is_priority:
            previous = last_ordinary_call.get(code)
            if previous is not None and call <= previous:
                call = previous + dt.timedelta(seconds=rng.randint(20, 90))
        free = [num for num in serving[code] if free_at[num] <= call]
        if free:
            number = rng.choice(free)
        else:
            number = min(serving[code], key=lambda num: free_at[num])
            call = free_at[number] + dt.timedelta(seconds=rng.randint(20, 60))
        if not is_priority:
            last_ordinary_call[code] = call
        counter, officer = counters[number]

        ticket = Ticket(
            unit=unit,
            service=service,
            issued_service=service,
            day=day,
            number=numbers[code],
            code=display_code(code, numbers[code]),
            source=source,
            priority_reason=reason,
            issued_at=at,
            counter=counter,
            served_by=officer,
            village=rng.choices(villages, weights=weights)[0] if villages else None,
            age_group=age,
        )
        events = [TicketEvent(from_status="", to_status=S.WAITING, action="issue", at=at)]

        event = functools.partial(_event, officer=officer, counter=counter)
        events.append(event(S.WAITING, S.CALLED, "call", call))
        if index in no_shows:
            calls = [call + dt.timedelta(minutes=k) for k in range(3)]
            events += [event(S.CALLED, S.CALLED, "recall", when) for when in calls[1:]]
            ticket.status = S.NO_SHOW
            ticket.call_count = len(calls)
            ticket.called_at = calls[-1]
            ticket.finished_at = calls[-1] + dt.timedelta(minutes=1)
            events.append(event(S.CALLED, S.NO_SHOW, "skip", ticket.finished_at))
            free_at[number] = ticket.finished_at
        else:
            start = call + dt.timedelta(seconds=rng.randint(30, 120))
            low, high = minutes[code]
            end = start + dt.timedelta(seconds=rng.randint(low * 60, high * 60))
            ticket.status = S.DONE
            ticket.call_count = 1
            ticket.called_at = call
            ticket.serving_started_at = start
            ticket.finished_at = end
            events.append(event(S.CALLED, S.SERVING, "start", start))
            events.append(event(S.SERVING, S.DONE, "finish", end))
            free_at[number] = end
        plans.append(_Plan(ticket=ticket, events=events))
    return plans


def has_history(*, unit: Unit, today: dt.date) -> bool:
    return Ticket.objects.filter(unit=unit, day__lt=today).exists()


def write_history(
    *,
    unit: Unit,
    today: dt.date,
    spec: dict,
    commune: dict,
    services: dict[str, Service],
) -> tuple[int, int]:
    """Bulk-write the past working days: tickets, their events, each day's sequence rows.

    Returns (days, tickets). Explicit timestamps, no audit rows per ticket (module docstring).
    """
    officers = {
        u.username: u for u in User.objects.filter(username__in=commune["officers"].values())
    }
    counters: dict[str, tuple[Counter, User | None]] = {}
    for c in Counter.objects.filter(unit=unit, is_active=True):
        if str(c.number) in commune["counters"]:
            counters[str(c.number)] = (c, officers.get(commune["officers"].get(str(c.number), "")))
    if not counters:
        return 0, 0
    villages = list(Village.objects.filter(unit=unit).order_by("name"))
    plans: list[_Plan] = []
    sequences: list[TicketSequence] = []
    days = history_days(unit=unit, today=today, count=commune["history"]["working_days"])
    for offset, day in days:
        day_plans = simulate_day(
            unit=unit,
            day=day,
            offset=offset,
            spec=spec,
            commune=commune,
            services=services,
            counters=counters,
            villages=villages,
        )
        last: dict[int, int] = {}
        for p in day_plans:
            last[p.ticket.issued_service.pk] = max(
                last.get(p.ticket.issued_service.pk, 0), p.ticket.number
            )
        sequences += [
            TicketSequence(service_id=sid, day=day, last_value=value) for sid, value in last.items()
        ]
        plans += day_plans
    tickets = Ticket.objects.bulk_create([p.ticket for p in plans], batch_size=BATCH_SIZE)
    events = []
    for p, ticket in zip(plans, tickets, strict=True):
        for e in p.events:
            e.ticket = ticket
            events.append(e)
    TicketEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    TicketSequence.objects.bulk_create(
        sequences,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["service", "day"],
        update_fields=["last_value"],
    )
    return len(days), len(tickets)


# --- entry point ----------------------------------------------------------------------------------


def read_spec(path: Path = QUEUE_FILE) -> dict:
    return read_json(path)


def load_queue(*, spec: dict, today: dt.date | None = None, actor=None) -> list[QueueLoadResult]:
    """Services, counters, policy and history for every commune in `spec` (one transaction each).

    In secure mode (production) only the services and counters are loaded, never the history.
    `today` defaults to the queue's own clock (`queueing.services.now`), so history always ends
    on the last working day before the day tickets are being issued.
    """
    today = today or queue_services.local_day(queue_services.now())
    results = []
    for commune in spec["communes"]:
        unit = Unit.objects.filter(code=commune["unit"]).first()
        if unit is None:
            continue
        with transaction.atomic():
            result = QueueLoadResult(unit=unit)
            services, created_services = load_services(unit=unit, spec=spec)
            created_counters = load_counters(unit=unit, commune=commune, services=services)
            created_policy = load_policy(unit=unit, commune=commune)
            result.services = len(services)
            result.counters = CounterAssignment.objects.filter(counter__unit=unit).count()
            if not demo_logins_allowed():
                # a production install (DJANGO_SECURE=1) must not get invented statistics
                result.history_refused = True
            elif has_history(unit=unit, today=today):
                result.history_skipped = True
            else:
                result.history_days, result.history_tickets = write_history(
                    unit=unit, today=today, spec=spec, commune=commune, services=services
                )
            result.created = {
                "services": created_services,
                "counter_assignments": created_counters,
                "policy": created_policy,
                "history_days": result.history_days,
                "history_tickets": result.history_tickets,
            }
            if any(result.created.values()):
                audit.record(
                    action="demo.queue_loaded",
                    object_type="queueing.service",
                    actor=actor,
                    unit=unit,
                    changes={
                        **result.created,
                        "note": "lịch sử minh họa, ghi hàng loạt, không qua nghiệp vụ gọi số",
                    },
                )
            results.append(result)
    return results
