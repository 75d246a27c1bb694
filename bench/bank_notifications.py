"""Bank notifications processed per second: how fast VietQR transfers are credited.

Issue 14 goal: > 500 notifications/s on PostgreSQL on 2 cores. Worker processes (forked after
Django is set up, one connection each) take a shuffled stream of bank notifications for VietQR
attempts of several communes, 30% of them duplicates (the same bank transaction again, which
must be acknowledged and not credited twice), and pass each to the service the bank's endpoint
calls, `payments.services.record_bank_transfer`: the collection account checked, the attempt
row locked, amount, currency and transaction id checked, the attempt paid with its event and
audit row, the request settled (its own audit row) and the dossier told. The baseline does the
same crediting by hand in one transaction per notification: SELECT the attempt with its
request and collection account FOR UPDATE, the checks, SELECT the transaction id elsewhere,
UPDATE the attempt, INSERT its event, UPDATE the request, one hash-chained audit row; on other
attempts of the same database, same concurrency, rounds alternating with the ORM ones.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from bench.common import Benchmark, register, worker_main
from bench.ticket_issuance import describe_throughput, raw_audit, run_parallel, throughput_row

GOAL_PER_S = 500
STREAM: dict = {}  # the round's notifications, set in the parent before the workers fork


def _seed(params: dict) -> dict:
    """Communes with a collection account, dossiers, and one open fee request with one VietQR
    attempt per genuine notification of every round of both sides."""
    from django.utils import timezone

    from bench.dossier_worklists import seed_dossiers, seed_people
    from motcua.dossiers.models import Dossier
    from motcua.payments.models import CollectionAccount, PaymentAttempt, PaymentRequest

    communes = int(params["communes"])
    people = seed_people(communes + 1)
    now = timezone.now().replace(microsecond=0)
    seed_dossiers(int(params["dossiers"]), people, now=now)
    unit_ids = people["unit_ids"][1:]
    CollectionAccount.objects.bulk_create(
        CollectionAccount(
            unit_id=unit,
            bank_bin="970415",
            bank_code="icb",
            bank_name="VietinBank",
            account_number=f"1133666{n:05d}",
            account_name="UBND XA BENCH",
        )
        for n, unit in enumerate(unit_ids)
    )
    accounts = dict(CollectionAccount.objects.values_list("unit_id", "account_number"))
    dossiers = list(
        Dossier.objects.filter(receiving_unit_id__in=unit_ids).values_list(
            "id", "receiving_unit_id"
        )
    )
    per_round = int(params["workers"]) * int(params["per_worker"])
    genuine = per_round - per_round * int(params["duplicate_pct"]) // 100
    rng = random.Random(14)
    streams: dict = {"orm": [], "raw": []}
    n = 0
    for side in ("orm", "raw"):
        for _round in range(int(params["rounds"])):
            rows = []
            for _ in range(genuine):
                dossier_id, unit = dossiers[n % len(dossiers)]
                rows.append((dossier_id, unit, 2_000 + 1_000 * (n % 97), n))
                n += 1
            requests = PaymentRequest.objects.bulk_create(
                PaymentRequest(
                    dossier_id=dossier_id,
                    unit_id=unit,
                    purpose=PaymentRequest.Purpose.FEES,
                    reference=f"BENCH-{k}",
                    lines=[],
                    amount_vnd=amount,
                    created_at=now,
                )
                for dossier_id, unit, amount, k in rows
            )
            PaymentAttempt.objects.bulk_create(
                PaymentAttempt(
                    request=request,
                    method="vietqr",
                    idempotency_key="k",
                    reference=f"MC{k:010d}",
                    amount_vnd=amount,
                    created_at=now,
                    expires_at=now + dt.timedelta(minutes=15),
                )
                for request, (_d, _u, amount, k) in zip(requests, rows, strict=True)
            )
            stream = [
                (f"MC{k:010d}", amount, f"bank:FT{k:010d}", accounts[unit])
                for _d, unit, amount, k in rows
            ]
            stream += rng.choices(stream, k=per_round - genuine)  # the bank sends again
            rng.shuffle(stream)
            streams[side].append(stream)
    return {"streams": streams, "genuine": genuine, "per_round": per_round}


def _mine(worker: int, i: int) -> tuple:
    return STREAM["items"][i * STREAM["workers"] + worker]  # worker k takes every k-th


def _orm_op(worker: int, i: int) -> None:
    from motcua.payments import services

    reference, amount, txn, account = _mine(worker, i)
    services.record_bank_transfer(
        report=services.Report(
            reference=reference, amount_vnd=amount, transaction_id=txn, source="bank"
        ),
        account=account,
    )


def _raw_op(worker: int, i: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from motcua.core.audit import GENESIS

    reference, amount, txn, account = _mine(worker, i)
    lock = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "SELECT a.id, a.status, a.amount_vnd, a.currency, a.provider_transaction_id, "
            "a.version, r.id, r.unit_id, ca.account_number FROM payments_paymentattempt a "
            "JOIN payments_paymentrequest r ON r.id = a.request_id "
            "LEFT JOIN payments_collectionaccount ca ON ca.unit_id = r.unit_id "
            f"WHERE a.reference = %s{lock}",
            [reference],
        )
        attempt, status, owed, currency, known, version, request, unit, ours = c.fetchone()
        if ours != account or currency != "VND" or owed != amount:
            raise RuntimeError(f"{reference}: refused")
        if status == "paid":
            if known == txn:
                return  # the same notification again: acknowledged, nothing written
            raise RuntimeError(f"{reference}: paid by another transaction")
        c.execute(
            "SELECT 1 FROM payments_paymentattempt WHERE provider_transaction_id = %s AND id <> %s",
            [txn, attempt],
        )
        if c.fetchone():
            raise RuntimeError(f"{txn}: credited elsewhere")
        c.execute(
            "UPDATE payments_paymentattempt SET status = 'paid', paid_at = %s, "
            "provider_transaction_id = %s, version = %s WHERE id = %s",
            [now, txn, version + 1, attempt],
        )
        c.execute(
            "INSERT INTO payments_paymentevent (attempt_id, from_status, to_status, action, at, "
            "actor_id, data) VALUES (%s, %s, 'paid', 'pay', %s, NULL, %s)",
            [attempt, status, now, f'{{"source": "bank", "transaction_id": "{txn}"}}'],
        )
        c.execute(
            "UPDATE payments_paymentrequest SET status = 'paid', paid_at = %s "
            "WHERE id = %s AND status = 'open'",
            [now, request],
        )
        raw_audit(c, "payment.attempt_pay", "payments.paymentattempt", attempt, unit,
                  {"status": [status, "paid"], "provider_transaction_id": [None, txn]},
                  GENESIS)  # fmt: skip


def measure(params: dict) -> list[dict]:
    from django.db import connection

    from motcua.payments.models import PaymentAttempt, PaymentEvent

    workers, per_worker, rounds = (int(params[k]) for k in ("workers", "per_worker", "rounds"))
    seeded = _seed(params)
    side = {"orm": [0, 0.0, []], "raw": [0, 0.0, []]}
    for r in range(rounds):
        for name, op in (("orm", _orm_op), ("raw", _raw_op)):
            STREAM.update(items=seeded["streams"][name][r], workers=workers)
            wall, lat = run_parallel(op, workers=workers, per_worker=per_worker)
            side[name][0] += len(lat)
            side[name][1] += wall
            side[name][2].extend(lat)
            print(
                f"  bank_notifications {connection.vendor} round {r + 1}/{rounds} {name}: "
                f"{len(lat)} in {wall:.2f} s = {len(lat) / wall:.0f}/s",
                flush=True,
            )
    totals = {
        name: {"ops": ops, "wall": wall, "lat": lat, "per_s": ops / wall}
        for name, (ops, wall, lat) in side.items()
    }
    credited = PaymentAttempt.objects.filter(status="paid").count()
    credits = PaymentEvent.objects.filter(action="pay").count()
    expected = 2 * rounds * seeded["genuine"]
    return [
        throughput_row(
            benchmark=BENCHMARK.name,
            target=f"record_bank_transfer, {params['communes']} communes",
            totals=totals,
            workers=workers,
            goal_per_s=GOAL_PER_S,
            extra={
                "notifications": 2 * rounds * seeded["per_round"],
                "duplicate_pct": int(params["duplicate_pct"]),
                "exactly_once": credited == credits == expected,
            },
        )
    ]


def describe(rows: list[dict], info: dict) -> str:
    lines = [describe_throughput(rows, info, "notifications"), ""]
    lines.extend(
        f"- {r['database']}: {r['notifications']:,} notifications over both sides, "
        f"{r['duplicate_pct']}% duplicates; every attempt credited "
        f"{'exactly once' if r['exactly_once'] else '**NOT exactly once**'}."
        for r in rows
    )
    return "\n".join(lines)


BENCHMARK = register(
    Benchmark(
        name="bank_notifications",
        title="Bank notifications credited per second",
        script=Path(__file__).resolve(),
        goal_ms=None,
        defaults={
            "workers": 2,
            "per_worker": 500,
            "rounds": 2,
            "communes": 4,
            "dossiers": 400,
            "duplicate_pct": 30,
        },
        describe=describe,
    )
)

if __name__ == "__main__":
    worker_main(BENCHMARK, measure)
