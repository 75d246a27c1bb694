"""National portal sync: outbox drain rate to the local receiver, and lag under steady load.

Goals (issue 15): drain > 1,000 messages/s on 2 cores on PostgreSQL; lag p95 < 2 s under a
steady 50 status changes/s.

The receiver is the simulated portal (`portalsim`) served by gunicorn (2 sync workers) on the
same database, as a separate process: every message goes over HTTP as JSON and is stored once
by its id.

1. **Drain**: `messages` outbox rows over `messages`/2 dossiers (two changes each: the second
   waits until the first is accepted). `portalsync.services.drain` in one process (claim per
   dossier head with SKIP LOCKED and a lease, batches of 250 (MOTCUA_DVCQG_BATCH) through the
   adapter, outcomes with the lag). Baseline in the same run, first, on other rows of the same
   table: a raw-SQL loop (SELECT ... LIMIT 250 FOR UPDATE SKIP LOCKED without the per-dossier
   order, the same
   HTTP body, UPDATE ... SET state='sent'). The ratio is what order, lease and outcomes cost.
2. **Lag**: a producer makes `rate` status changes per second for `seconds` through the real
   transition path (submit for approval / send back, with the outbox hook), while
   `manage.py portal_sync`'s loop (idle 50 ms) runs in another process. Lag of a message =
   accepted_at - changed_at. Baseline: the round trip of one message POSTed straight to the
   receiver (no outbox), the floor of any lag.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.common import (
    PROJECT_DIR,
    Benchmark,
    machine_line,
    make_row,
    percentile,
    register,
    worker_main,
)

GOAL_PER_S = 1000
GOAL_LAG_MS = 2000
TOKEN = "bench-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(port: int) -> dict:
    return {
        **os.environ,
        "MOTCUA_DVCQG_SIMULATOR": "1",
        "MOTCUA_DVCQG_URL": f"http://127.0.0.1:{port}/gia-lap/dvcqg/api",
        "MOTCUA_DVCQG_TOKEN": TOKEN,
        "MOTCUA_DVCQGSIM_TOKEN": TOKEN,
        # the receiver's own system checks want a public address; nothing here is public
        "MOTCUA_PUBLIC_BASE_URL": os.environ.get(
            "MOTCUA_PUBLIC_BASE_URL", "https://motcua.example.vn"
        ),
    }


def _start_receiver(port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(  # the simulated portal: its own processes, the same database
        [
            str(gunicorn),
            "motcua.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=_env(port),
        cwd=PROJECT_DIR,
    )
    import requests

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # both workers answer (booting Django takes a while)
        try:
            for _ in range(4):
                requests.get(f"http://127.0.0.1:{port}/gia-lap/dvcqg/api/dong-bo", timeout=30)
            return proc
        except requests.RequestException:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the receiver did not start")


def _payload(code: str, status: int) -> dict:
    at = "2026-12-07T09:00:00+07:00"
    return {
        "dossier_code": code,
        "procedure_code": "1.001612",
        "receiving_agency": "000.00.12.H23",
        "competent_agency": "000.00.12.H23",
        "status": status,
        "local_status": status,
        "action": "receive",
        "changed_at": at,
        "channel": 1,
        "applicant_kind": 1,
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "001204012345",
        "submitted_at": at,
        "received_at": at,
        "due_at": at,
        "due_at_before": at,
        "finished_at": None,
        "returned_at": None,
        "vneid_verified": True,
        "paid_online": False,
        "digitized": True,
        "reason": "",
        "results": [],
    }


def _seed_messages(count: int) -> tuple[int, int, dict]:
    """`count` pending rows for each side (ORM, raw), two per dossier; their unit ids."""
    from django.utils import timezone

    from bench.dossier_worklists import seed_dossiers, seed_people
    from motcua.dossiers.models import Dossier
    from motcua.portalsync.models import PortalMessage

    people = seed_people(3)
    seed_dossiers(max(count, 3000), people, now=timezone.now().replace(microsecond=0))
    units = people["unit_ids"][1:3]
    warm_unit = people["unit_ids"][0]
    now = timezone.now()
    dossiers = list(Dossier.objects.order_by("id").values_list("pk", "code")[:count])
    rows = []
    for k, (pk, code) in enumerate(dossiers):
        unit = units[k % 2] if k >= 100 else warm_unit  # 100 dossiers warm the receiver up
        for seq, status in ((0, 2), (1, 4)):  # below any event's seq (event id x 2 >= 2)
            rows.append(
                PortalMessage(
                    message_id=str(uuid.uuid4()),
                    dossier_id=pk,
                    dossier_code=code,
                    unit_id=unit,
                    seq=seq,
                    kind="status",
                    national_status=status,
                    payload=_payload(code, status),
                    changed_at=now,
                    on_time_by=now + timezone.timedelta(hours=24),
                )
            )
    PortalMessage.objects.bulk_create(rows, batch_size=2000)
    return units[0], units[1], people, warm_unit


def _raw_drain(unit_id: int, batch: int) -> int:
    """The baseline: claim 100, POST, mark sent; no per-dossier order, no lease, no outcomes."""
    import requests
    from django.conf import settings
    from django.db import connection, transaction

    from motcua.portalsync import adapter
    from motcua.portalsync.models import PortalMessage

    session = requests.Session()
    url = settings.MOTCUA_DVCQG_URL.rstrip("/") + "/dong-bo"
    sent = 0
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    while True:
        with transaction.atomic(), connection.cursor() as c:
            c.execute(
                "SELECT id FROM portalsync_portalmessage WHERE state = 'pending' AND unit_id = %s "
                "ORDER BY id LIMIT %s" + lock,
                [unit_id, batch],
            )
            ids = [r[0] for r in c.fetchall()]
        if not ids:
            return sent
        rows = list(PortalMessage.objects.filter(pk__in=ids))
        answer = session.post(
            url,
            json={"DanhSachTinNhan": [adapter.envelope(m) for m in rows]},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        ).json()
        ok = {r["MaTinNhan"] for r in answer["KetQua"] if r["TrangThai"] in adapter.ACCEPTED}
        done = [m.pk for m in rows if m.message_id in ok]
        PortalMessage.objects.filter(pk__in=done).update(state="sent")
        sent += len(done)


def _drain_rate(params: dict) -> dict:
    from django.db import connection

    from motcua.portalsync import services
    from motcua.portalsync.models import PortalMessage

    count = int(params["messages"]) // 2  # rows per side
    _orm_unit, raw_unit, people, warm_unit = _seed_messages(count + 100)
    _raw_drain(warm_unit, 100)  # the receiver's first requests are slow: not measured
    # the baseline's rows first (they would otherwise be drained by the ORM side too)
    started = time.perf_counter()
    batch = int(params["batch"])
    raw_sent = _raw_drain(raw_unit, batch)
    raw_wall = time.perf_counter() - started
    started = time.perf_counter()
    done = services.drain(limit=batch)
    wall = time.perf_counter() - started
    left = PortalMessage.objects.filter(state="pending").count()
    print(
        f"  drain {connection.vendor}: {done.sent} in {wall:.2f}s; raw {raw_sent} in "
        f"{raw_wall:.2f}s; left {left}",
        flush=True,
    )
    return {
        "sent": done.sent,
        "wall": wall,
        "raw_sent": raw_sent,
        "raw_wall": raw_wall,
        "left": left,
        "people": people,
    }


def _lag(params: dict, port: int, people: dict) -> dict:
    import requests
    from django.db import connection
    from django.utils import timezone

    from bench.dossier_transitions import _orm_op, _plan
    from motcua.portalsync import adapter
    from motcua.portalsync.models import PortalMessage

    rate, seconds = int(params["rate"]), int(params["seconds"])
    prep = _plan(people, 1, 10, spread=False)
    op = _orm_op(prep)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "portal_sync", "--idle", "0.05"],
        env=_env(port),
        cwd=PROJECT_DIR,
    )
    try:
        warm = timezone.now()
        op(0, 0)  # warm-up: two changes, accepted once the worker is up (Django boots slowly)
        op(0, 1)
        deadline = time.monotonic() + 120
        while PortalMessage.objects.filter(created_at__gte=warm, state="sent").count() < 2:
            if time.monotonic() > deadline or worker.poll() is not None:
                states = list(
                    PortalMessage.objects.filter(created_at__gte=warm).values_list(
                        "state", "attempts", "last_error"
                    )
                )
                raise SystemExit(f"the sync worker did not start ({worker.poll()}, {states})")
            time.sleep(0.1)
        print(f"  worker up after {(timezone.now() - warm).total_seconds():.1f}s", flush=True)
        start_mark = timezone.now()
        total = rate * seconds
        t0 = time.perf_counter()
        for i in range(total):
            due = t0 + i / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            op(0, i)
        produced_wall = time.perf_counter() - t0
        deadline = time.monotonic() + 60
        mine = PortalMessage.objects.filter(created_at__gte=start_mark)
        while mine.filter(state="pending").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    # wall-clock lag: from the row's commit-time stamp (created_at) to accepted_at; the seeded
    # dossiers' events carry business times that need not be the wall clock
    lags = [
        (accepted - created).total_seconds() * 1000
        for created, accepted in mine.exclude(accepted_at=None).values_list(
            "created_at", "accepted_at"
        )
    ]
    # the floor: one message straight to the receiver, no outbox
    sample = mine.first()
    session = requests.Session()
    url = f"http://127.0.0.1:{port}/gia-lap/dvcqg/api/dong-bo"
    direct = []
    for _ in range(200):
        body = adapter.envelope(sample)
        body["MaTinNhan"] = str(uuid.uuid4())
        t = time.perf_counter()
        session.post(
            url,
            json={"DanhSachTinNhan": [body]},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        direct.append((time.perf_counter() - t) * 1000)
    print(
        f"  lag {connection.vendor}: {len(lags)} messages from {total} changes in "
        f"{produced_wall:.1f}s; p95 {percentile(lags, 95):.0f} ms",
        flush=True,
    )
    return {"lags": lags, "direct": direct, "changes": total, "produced_wall": produced_wall}


def measure(params: dict) -> list[dict]:
    from bench.common import database_label

    port = _free_port()
    os.environ.update({k: v for k, v in _env(port).items() if k.startswith("MOTCUA_DVCQG")})
    from django.conf import settings

    settings.MOTCUA_DVCQG_URL = _env(port)["MOTCUA_DVCQG_URL"]
    settings.MOTCUA_DVCQG_TOKEN = TOKEN
    receiver = _start_receiver(port)
    try:
        drained = _drain_rate(params)
        lag = _lag(params, port, drained["people"])
    finally:
        receiver.terminate()
        try:
            receiver.wait(timeout=10)
        except subprocess.TimeoutExpired:
            receiver.kill()
    per_s = drained["sent"] / drained["wall"]
    raw_per_s = drained["raw_sent"] / drained["raw_wall"]
    # the table's latency columns: ms per 100 messages drained
    per_batch = [drained["wall"] * 1000 / max(1, drained["sent"] / 100)]
    raw_batch = [drained["raw_wall"] * 1000 / max(1, drained["raw_sent"] / 100)]
    db = database_label()
    return [
        make_row(
            benchmark="portal_sync_drain",
            database=db,
            target=f"drain {drained['sent']} msgs; {per_s:.0f}/s vs raw {raw_per_s:.0f}/s",
            samples_ms=per_batch,
            raw_samples_ms=raw_batch,
            goal_ms=None,
            extra={
                "kind": "drain",
                "per_s": per_s,
                "raw_per_s": raw_per_s,
                "sent": drained["sent"],
                "raw_sent": drained["raw_sent"],
                "left": drained["left"],
                "passed_throughput": per_s > GOAL_PER_S,
            },
        ),
        make_row(
            benchmark="portal_sync_lag",
            database=db,
            target=f"lag at {params['rate']}/s for {params['seconds']} s",
            samples_ms=lag["lags"],
            raw_samples_ms=lag["direct"],
            goal_ms=GOAL_LAG_MS,
            extra={
                "kind": "lag",
                "changes": lag["changes"],
                "produced_per_s": lag["changes"] / lag["produced_wall"],
            },
        ),
    ]


def describe(rows: list[dict], info: dict) -> str:
    lines = [
        machine_line(info),
        "",
        "| database | drained | messages/s | raw SQL messages/s | ratio (raw/ORM) | goal | pass? |",
        "|---|---|---|---|---|---|---|",
    ]
    lines.extend(
        f"| {r['database']} | {r['sent']:,} | {r['per_s']:.0f} | {r['raw_per_s']:.0f} "
        f"| {r['raw_per_s'] / r['per_s']:.2f}x | > {GOAL_PER_S}/s "
        f"| {'yes' if r['passed_throughput'] else 'NO'} |"
        for r in rows
        if r.get("kind") == "drain"
    )
    lines += [
        "",
        "| database | changes (rate kept) | messages | lag p50 / p95 / p99 (ms) "
        "| direct POST p95 (ms) | goal | pass? |",
        "|---|---|---|---|---|---|---|",
    ]
    lines.extend(
        f"| {r['database']} | {r['changes']} ({r['produced_per_s']:.0f}/s) | {r['n']} "
        f"| {r['p50']:.0f} / {r['p95']:.0f} / {r['p99']:.0f} | {r['raw_p95']:.0f} "
        f"| < {GOAL_LAG_MS} ms | {'yes' if r['passed'] else 'NO'} |"
        for r in rows
        if r.get("kind") == "lag"
    )
    return "\n".join(lines)


BENCHMARK = register(
    Benchmark(
        name="portal_sync",
        title="National portal sync: drain rate and lag",
        script=Path(__file__).resolve(),
        goal_ms=None,
        defaults={"messages": 20_000, "rate": 50, "seconds": 10, "batch": 250},
        describe=describe,
    )
)

if __name__ == "__main__":
    worker_main(BENCHMARK, measure)
