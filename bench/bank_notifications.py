"""Bank notifications processed per second: how fast VietQR transfers are credited.

Issue 14 goal: > 500 notifications/s on PostgreSQL on 2 cores. Worker processes (forked after
Django is set up, one connection each) take a shuffled stream of bank notifications for VietQR
attempts of several communes, 30% of them duplicates (the same bank transaction again, which
must be acknowledged and not credited twice), and pass each to the service the bank's endpoint
calls, `payments.services.record_bank_transfer`: the collection account checked, the attempt
row locked, amount, currency and transaction id checked, the attempt paid with its event, its
receipt numbered and issued, the request settled and the dossier told, with their audit rows.
The baseline (`_raw_op`) writes the same rows by hand in one transaction per notification, on
other attempts of the same database, same concurrency, rounds alternating with the ORM ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from pathlib import Path

from bench.common import Benchmark, register, worker_main
from bench.ticket_issuance import describe_throughput, run_parallel, throughput_row

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


_RAW_SEEN = (
    "SELECT a.id, a.status, a.amount_vnd, a.currency, a.provider_transaction_id, "
    "ca.account_number FROM payments_paymentattempt a "
    "JOIN payments_paymentrequest r ON r.id = a.request_id "
    "LEFT JOIN payments_collectionaccount ca ON ca.unit_id = r.unit_id WHERE a.reference = %s"
)
_RAW_LOCK = (
    "SELECT a.status, a.provider_transaction_id, a.version, a.method, r.id, r.unit_id, "
    "r.status, r.amount_vnd, r.reference, r.lines, d.id, d.code, d.procedure_name, "
    "d.applicant_name, d.applicant_address, d.paid_online, d.competent_unit_id, u.name, p.name, "
    "ca.account_number, ca.bank_name, ca.account_name, i.tax_code, i.symbol "
    "FROM payments_paymentattempt a JOIN payments_paymentrequest r ON r.id = a.request_id "
    "JOIN dossiers_dossier d ON d.id = r.dossier_id JOIN core_unit u ON u.id = r.unit_id "
    "LEFT JOIN core_unit p ON p.id = u.parent_id "
    "LEFT JOIN payments_collectionaccount ca ON ca.unit_id = u.id "
    "LEFT JOIN payments_receiptissuer i ON i.unit_id = u.id WHERE a.id = %s"
)
_RAW_RECEIPT = (
    "INSERT INTO payments_receipt (unit_id, year, number, attempt_id, dossier_id, dossier_code, "
    "procedure_name, issued_at, payer_name, payer_address, lines, amount_vnd, amount_words, "
    "method, reference, collected_by_id, collected_by_name, collected_at, unit_name, "
    "parent_unit_name, unit_tax_code, symbol, account_text, replaces_id, status, voided_at, "
    "voided_by_id, void_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
    "%s, %s, NULL, '', NULL, %s, %s, %s, %s, %s, NULL, 'valid', NULL, NULL, '') RETURNING id"
)


def _raw_op(worker: int, i: int) -> None:
    """The service's crediting by hand, the same rows written: a repeat answered after one
    read; else the attempt and its request locked with what the receipt prints, the attempt
    paid and its event, the receipt numbered and written, the request settled, the dossier
    marked paid online the first time, and their audit rows chained in one INSERT."""
    from django.db import connection, transaction
    from django.utils import timezone

    from motcua.core.calendar import LOCAL_TZ
    from motcua.payments.receipts import amount_in_words

    reference, amount, txn, account = _mine(worker, i)
    with connection.cursor() as c:
        c.execute(_RAW_SEEN, [reference])
        attempt, status, owed, currency, known, ours = c.fetchone()
    if ours != account or currency != "VND" or owed != amount:
        raise RuntimeError(f"{reference}: refused")
    if status == "paid" and known == txn:
        return  # the same notification again: acknowledged, nothing locked or written
    lock = " FOR UPDATE OF a, r" if connection.features.has_select_for_update_of else ""
    at = timezone.now()
    now = connection.ops.adapt_datetimefield_value(at)
    year = at.astimezone(LOCAL_TZ).year
    with transaction.atomic(), connection.cursor() as c:
        c.execute(_RAW_LOCK + lock, [attempt])
        (status, known, version, method, request, unit, request_status, request_owed, request_ref,
         lines, dossier, code, procedure, payer, address, paid_online, competent, unit_name,
         parent_name, number, bank, holder, tax_code, symbol) = c.fetchone()  # fmt: skip
        if status == "paid":
            if known == txn:
                return  # credited by the same notification on the other worker meanwhile
            raise RuntimeError(f"{reference}: paid by another transaction")
        c.execute(
            "UPDATE payments_paymentattempt SET status = 'paid', paid_at = %s, "
            "provider_transaction_id = %s, version = %s WHERE id = %s",
            [now, txn, version + 1, attempt],
        )  # a transaction id credited elsewhere: refused by its unique column
        c.execute(
            "INSERT INTO payments_paymentevent (attempt_id, from_status, to_status, action, at, "
            "actor_id, data) VALUES (%s, %s, 'paid', 'pay', %s, NULL, %s)",
            [attempt, status, now, json.dumps({"source": "bank", "transaction_id": txn})],
        )
        rows = [
            ("payment.attempt_pay", "payments.paymentattempt", attempt, unit,
             {"status": [status, "paid"], "provider_transaction_id": [None, txn]}),
        ]  # fmt: skip
        c.execute(
            "INSERT INTO payments_receiptcounter (unit_id, year, last_value) VALUES (%s, %s, 1) "
            "ON CONFLICT (unit_id, year) DO UPDATE SET last_value = "
            "payments_receiptcounter.last_value + 1 RETURNING last_value",
            [unit, year],
        )
        serial = c.fetchone()[0]
        account_text = f"{number} - {bank} ({holder})"[:300] if number else ""
        c.execute(
            _RAW_RECEIPT,
            [unit, year, serial, attempt, dossier, code, procedure[:500], now, payer, address,
             lines if isinstance(lines, str) else json.dumps(lines), owed, amount_in_words(owed),
             method, reference, unit_name, parent_name or "", tax_code or "", symbol or "",
             account_text],
        )  # fmt: skip
        receipt = c.fetchone()[0]
        rows.append(("payment.receipt_issued", "payments.receipt", receipt, unit,
                     {"number": f"{serial:07d}/{year}", "attempt": reference,
                      "amount_vnd": owed}))  # fmt: skip
        if request_status == "open" and owed >= request_owed:
            c.execute(
                "UPDATE payments_paymentrequest SET status = 'paid', paid_at = %s WHERE id = %s",
                [now, request],
            )
            rows.append(("payment.request_paid", "payments.paymentrequest", request, unit,
                         {"status": ["open", "paid"]}))  # fmt: skip
            if not paid_online:
                c.execute(
                    "UPDATE dossiers_dossier SET paid_online = %s, updated = %s "
                    "WHERE id = %s AND NOT paid_online",
                    [True, now, dossier],
                )
                rows.append(("dossier.fees_paid_online", "dossiers.dossier", dossier, competent,
                             {"paid_online": [False, True], "reference": request_ref}))  # fmt: skip
        raw_audit_rows(c, rows)


def raw_audit_rows(cursor, rows: list[tuple]) -> None:
    """Hash-chained audit rows by hand, in one INSERT: each unit's chain locked and its last
    hash read once, as `core.audit.batch` does."""
    from django.db import connection
    from django.utils import timezone

    from motcua.core.audit import GENESIS

    heads: dict[int, str] = {}
    values: list = []
    for action, object_type, object_id, unit_id, changes in rows:
        chain = unit_id or 0
        if chain not in heads:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7_202_511, chain])
            cursor.execute(
                "SELECT hash FROM core_auditevent WHERE chain = %s ORDER BY id DESC LIMIT 1",
                [chain],
            )
            heads[chain] = (cursor.fetchone() or [GENESIS])[0]
        now = timezone.now()
        blob = json.dumps([heads[chain], now.isoformat(), action, object_type, object_id, changes])
        digest = hashlib.sha256(blob.encode()).hexdigest()
        values += [connection.ops.adapt_datetimefield_value(now), unit_id, action, object_type,
                   str(object_id), f"{object_type} {object_id}", json.dumps(changes), chain,
                   heads[chain], digest]  # fmt: skip
        heads[chain] = digest
    one = "(%s, NULL, '', %s, %s, %s, %s, %s, %s, NULL, %s, %s, %s)"
    cursor.execute(
        "INSERT INTO core_auditevent (created_at, actor_id, actor_label, unit_id, action, "
        "object_type, object_id, object_repr, changes, ip_address, chain, prev_hash, hash) "
        "VALUES " + ", ".join([one] * len(rows)),
        values,
    )


def measure(params: dict) -> list[dict]:
    from django.db import connection

    from motcua.payments.models import PaymentAttempt, PaymentEvent, Receipt

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
    receipts = Receipt.objects.count()
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
                "exactly_once": credited == credits == receipts == expected,
            },
        )
    ]


def describe(rows: list[dict], info: dict) -> str:
    lines = [describe_throughput(rows, info, "notifications"), ""]
    lines.extend(
        f"- {r['database']}: {r['notifications']:,} notifications over both sides, "
        f"{r['duplicate_pct']}% duplicates; every attempt credited "
        + (
            "exactly once (one event, one receipt)."
            if r["exactly_once"]
            else "**NOT exactly once**."
        )
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
