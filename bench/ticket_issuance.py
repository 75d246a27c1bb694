"""Ticket issuance throughput: how many kiosk taps per second one commune's database absorbs.

Issue 6 goal: > 300 tickets/s on 2 cores. Several worker processes (forked after Django is set
up, one database connection each) call `queueing.services.issue_ticket` for one service at a
pinned moment inside office hours (Tuesday 17/11/2026 09:00, as tests/queueing/conftest.py
does), so every ticket takes the same (service, day) counter row: the contended case. The
baseline does the same work as raw SQL in one transaction: counter upsert ... RETURNING,
INSERT ticket, INSERT ticket event, and the hash-chained audit row (advisory lock on
PostgreSQL, read the last hash, INSERT). ORM and raw rounds alternate so background load hits
both alike. `run_parallel` is shared with bench/dossier_transitions.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import Benchmark, machine_line, make_row, register, worker_main

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PINNED = dt.datetime(2026, 11, 17, 9, 0, tzinfo=HCM)  # a plain working Tuesday, 09:00
GOAL_PER_S = 300


# --- parallel runner (fork after django.setup; each child opens its own connection) ---------
def _child(
    op: Callable[[int, int], None],
    worker: int,
    count: int,
    barrier,
    out,
) -> None:
    from django.db import connections

    connections.close_all()  # never share the parent's socket / file handle
    try:
        from django.db import connection

        connection.ensure_connection()
        barrier.wait()
        start = time.perf_counter()
        lat: list[float] = []
        for i in range(count):
            t0 = time.perf_counter_ns()
            op(worker, i)
            lat.append((time.perf_counter_ns() - t0) / 1e6)
        end = time.perf_counter()
        out.send({"start": start, "end": end, "lat": lat, "error": None})
    except Exception as exc:  # noqa: BLE001  reported by the parent, which fails the run
        out.send({"start": 0, "end": 0, "lat": [], "error": f"{type(exc).__name__}: {exc}"})
    finally:
        out.close()
        connections.close_all()


def run_parallel(
    op: Callable[[int, int], None], *, workers: int, per_worker: int
) -> tuple[float, list[float]]:
    """Run op(worker, i) per_worker times in each of `workers` forked processes.

    Returns (wall seconds from the first start to the last end, per-operation latencies in ms).
    perf_counter is CLOCK_MONOTONIC on Linux, so the children's clocks agree.
    """
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers)
    pipes, procs = [], []
    for w in range(workers):
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(op, w, per_worker, barrier, send))
        proc.start()
        send.close()
        pipes.append(recv)
        procs.append(proc)
    results = [p.recv() for p in pipes]
    for proc in procs:
        proc.join()
    errors = [r["error"] for r in results if r["error"]]
    if errors:
        raise RuntimeError(f"worker failed: {errors[0]}")
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    return wall, [x for r in results for x in r["lat"]]


def alternate_rounds(
    orm_op: Callable[[int, int], None],
    raw_op: Callable[[int, int], None],
    *,
    workers: int,
    per_worker: int,
    rounds: int,
    label: str,
) -> dict:
    """ORM round, raw round, ... ; totals per side (ops, wall, latencies)."""
    side = {"orm": [0, 0.0, []], "raw": [0, 0.0, []]}
    for r in range(rounds):
        for name, op in (("orm", orm_op), ("raw", raw_op)):
            wall, lat = run_parallel(op, workers=workers, per_worker=per_worker)
            side[name][0] += len(lat)
            side[name][1] += wall
            side[name][2].extend(lat)
            print(
                f"  {label} round {r + 1}/{rounds} {name}: {len(lat)} in {wall:.2f} s "
                f"= {len(lat) / wall:.0f}/s",
                flush=True,
            )
    return {
        name: {"ops": ops, "wall": wall, "lat": lat, "per_s": ops / wall}
        for name, (ops, wall, lat) in side.items()
    }


def throughput_row(
    *, benchmark: str, target: str, totals: dict, workers: int, goal_per_s: float, extra: dict
) -> dict:
    """A harness row (latency percentiles per operation) plus the throughput facts."""
    from bench.common import database_label

    orm, raw = totals["orm"], totals["raw"]
    # The fixed table has no throughput column: the label carries it, so the terminal shows it.
    row = make_row(
        benchmark=benchmark,
        database=database_label(),
        target=f"{target}; {orm['per_s']:.0f}/s vs raw {raw['per_s']:.0f}/s",
        samples_ms=orm["lat"],
        raw_samples_ms=raw["lat"],
        goal_ms=None,
        extra={
            "workers": workers,
            "per_s": orm["per_s"],
            "raw_per_s": raw["per_s"],
            "throughput_ratio": raw["per_s"] / orm["per_s"],
            "goal_per_s": goal_per_s,
            "passed_throughput": orm["per_s"] > goal_per_s,
            "call": target,
            **extra,
        },
    )
    return row


def describe_throughput(rows: list[dict], info: dict, unit: str) -> str:
    lines = [
        machine_line(info),
        "",
        f"| benchmark | database | workers | {unit}/s | raw SQL {unit}/s | ratio (raw/ORM) "
        f"| latency p50 / p95 / p99 (ms) | raw p95 (ms) | goal | pass? |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines.extend(
        f"| {r['benchmark']} ({r['call']}) | {r['database']} | {r['workers']} "
        f"| {r['per_s']:.0f} | {r['raw_per_s']:.0f} | {r['throughput_ratio']:.1f}x "
        f"| {r['p50']:.1f} / {r['p95']:.1f} / {r['p99']:.1f} | {r['raw_p95']:.1f} "
        f"| > {r['goal_per_s']:g}/s | {'yes' if r['passed_throughput'] else 'NO'} |"
        for r in rows
    )
    return "\n".join(lines)


# --- ticket issuance -----------------------------------------------------------------------
def seed_queue() -> dict:
    from motcua.core.models import Unit
    from motcua.queueing.models import Service

    province = Unit.objects.create(code="42", name="Tỉnh Hà Tĩnh", kind=Unit.Kind.PROVINCE)
    commune = Unit.objects.create(
        code="18073", name="Xã Thạch Hà", kind=Unit.Kind.COMMUNE, parent=province
    )
    service = Service.objects.create(unit=commune, code="A", name="Hộ tịch", order=1)
    raw_service = Service.objects.create(unit=commune, code="B", name="Chứng thực", order=2)
    return {"unit_id": commune.pk, "service_id": service.pk, "raw_service_id": raw_service.pk}


def _orm_issue(ids: dict) -> Callable[[int, int], None]:
    cache: dict = {}

    def op(worker: int, i: int) -> None:
        from motcua.core.models import Unit
        from motcua.queueing import services
        from motcua.queueing.models import Service

        if "unit" not in cache:  # what a kiosk view has at hand: the unit and the service
            cache["unit"] = Unit.objects.get(pk=ids["unit_id"])
            cache["service"] = Service.objects.get(pk=ids["service_id"])
        services.issue_ticket(
            unit=cache["unit"],
            service=cache["service"],
            source="kiosk",
            at=PINNED + dt.timedelta(milliseconds=i),
        )

    return op


def _raw_issue(ids: dict) -> Callable[[int, int], None]:
    def op(worker: int, i: int) -> None:
        from django.db import connection, transaction

        from motcua.core.audit import GENESIS

        at = PINNED + dt.timedelta(milliseconds=i)
        at_db = connection.ops.adapt_datetimefield_value(at)
        day = connection.ops.adapt_datefield_value(at.astimezone(HCM).date())
        with transaction.atomic(), connection.cursor() as c:
            c.execute(
                "INSERT INTO queueing_ticketsequence (service_id, day, last_value) "
                "VALUES (%s, %s, 1) ON CONFLICT (service_id, day) DO UPDATE "
                "SET last_value = queueing_ticketsequence.last_value + 1 RETURNING last_value",
                [ids["raw_service_id"], day],
            )
            number = c.fetchone()[0]
            code = f"B{number:03d}"
            c.execute(
                "INSERT INTO queueing_ticket (unit_id, service_id, issued_service_id, day, "
                "number, code, source, priority_reason, status, issued_at, call_count, "
                "age_group, phone, dossier_code, idempotency_key) VALUES (%s, %s, %s, %s, %s, %s, "
                "'kiosk', 'none', 'waiting', %s, 0, '', '', '', NULL) RETURNING id",
                [ids["unit_id"], ids["raw_service_id"], ids["raw_service_id"], day, number, code,
                 at_db],
            )  # fmt: skip
            ticket_id = c.fetchone()[0]
            c.execute(
                "INSERT INTO queueing_ticketevent (ticket_id, from_status, to_status, action, at) "
                "VALUES (%s, '', 'waiting', 'issue', %s)",
                [ticket_id, at_db],
            )
            raw_audit(c, "queue.ticket_issued", "queueing.ticket", ticket_id, ids["unit_id"],
                      {"code": code, "service": "B", "source": "kiosk"}, GENESIS)  # fmt: skip

    return op


def raw_audit(cursor, action, object_type, object_id, unit_id, changes, genesis) -> None:
    """The hash-chained audit row by hand: lock the unit's chain, read its last hash, insert."""
    from django.db import connection
    from django.utils import timezone

    chain = unit_id or 0
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7_202_511, chain])  # core.audit
    cursor.execute("SELECT hash FROM core_auditevent WHERE chain = %s ORDER BY id DESC LIMIT 1",
                   [chain])  # fmt: skip
    prev = (cursor.fetchone() or [genesis])[0]
    now = timezone.now()
    blob = json.dumps([prev, now.isoformat(), action, object_type, str(object_id), changes])
    digest = hashlib.sha256(blob.encode()).hexdigest()
    cursor.execute(
        "INSERT INTO core_auditevent (created_at, actor_id, actor_label, unit_id, action, "
        "object_type, object_id, object_repr, changes, ip_address, chain, prev_hash, hash) "
        "VALUES (%s, NULL, '', %s, %s, %s, %s, %s, %s, NULL, %s, %s, %s)",
        [connection.ops.adapt_datetimefield_value(now), unit_id, action, object_type,
         str(object_id), f"{object_type} {object_id}", json.dumps(changes), chain, prev, digest],
    )  # fmt: skip


def measure(params: dict) -> list[dict]:
    from django.db import connection

    from motcua.queueing.models import Ticket

    workers, per_worker, rounds = (int(params[k]) for k in ("workers", "per_worker", "rounds"))
    ids = seed_queue()
    for w in range(2):  # warm-up: first statements, first rows
        _orm_issue(ids)(w, 0)
        _raw_issue(ids)(w, 0)
    totals = alternate_rounds(
        _orm_issue(ids),
        _raw_issue(ids),
        workers=workers,
        per_worker=per_worker,
        rounds=rounds,
        label=f"ticket_issuance {connection.vendor}",
    )
    # The numbering must stay gap-free and duplicate-free under the concurrency just used.
    numbers = list(
        Ticket.objects.filter(service_id=ids["service_id"]).values_list("number", flat=True)
    )
    gap_free = sorted(numbers) == list(range(1, len(numbers) + 1))
    return [
        throughput_row(
            benchmark=BENCHMARK.name,
            target="services.issue_ticket",
            totals=totals,
            workers=workers,
            goal_per_s=GOAL_PER_S,
            extra={"tickets": len(numbers), "gap_free": gap_free},
        )
    ]


def describe(rows: list[dict], info: dict) -> str:
    lines = [describe_throughput(rows, info, "tickets"), ""]
    lines.extend(
        f"- {r['database']}: {r['tickets']} tickets of one service through the service "
        f"function, numbers {'gap-free and unique' if r['gap_free'] else '**NOT gap-free**'}."
        for r in rows
    )
    return "\n".join(lines)


BENCHMARK = register(
    Benchmark(
        name="ticket_issuance",
        title="Ticket issuance throughput",
        script=Path(__file__).resolve(),
        goal_ms=None,
        defaults={"workers": 2, "per_worker": 500, "rounds": 2},
        describe=describe,
    )
)

if __name__ == "__main__":
    worker_main(BENCHMARK, measure)
