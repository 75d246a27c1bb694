"""On PostgreSQL: 10,000 bank notifications for 2,000 VietQR attempts of 8 communes, 30% of them
duplicates (the same bank transaction again), shuffled and sent by 16 worker processes at once
through the service the bank's endpoint calls (`services.record_bank_transfer`), credit every
attempt exactly once and bring in exactly the attempts' total; the 5,000 that do not match
(wrong amount, another account, an unknown reference, another currency) credit nothing.
Fixtures are bulk-created: the crediting is what is measured."""

import multiprocessing
import random
from collections import Counter

import pytest
from django.db import connection, connections
from django.db.models import Sum

from motcua.payments import services
from motcua.payments.models import (
    CollectionAccount,
    PaymentAttempt,
    PaymentEvent,
    PaymentRequest,
)
from tests.dossiers.factories import make_world, receive

from .helpers import WHEN

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ATTEMPTS, DUPLICATES, MISMATCHED, WORKERS = 2_000, 3_000, 5_000, 16
COMMUNES, DOSSIERS_PER_COMMUNE = 8, 3


def bulk_attempts(world) -> list[PaymentAttempt]:
    """2,000 open fee requests, each with one VietQR attempt of its own amount, over 24 dossiers
    of 8 communes (a province's notifications: each commune has its own audit chain)."""
    worlds = [world] + [make_world() for _ in range(COMMUNES - 1)]
    dossiers = [receive(w) for w in worlds for _ in range(DOSSIERS_PER_COMMUNE)]
    CollectionAccount.objects.bulk_create(
        CollectionAccount(
            unit=w.commune,
            bank_bin="970415",
            bank_code="icb",
            bank_name="VietinBank",
            account_number=f"1133666{n:05d}",
            account_name="UBND XA",
        )
        for n, w in enumerate(worlds)
    )
    amounts = [2_000 + 1_000 * (n % 97) for n in range(ATTEMPTS)]
    requests = PaymentRequest.objects.bulk_create(
        PaymentRequest(
            dossier=dossiers[n % len(dossiers)],
            unit_id=dossiers[n % len(dossiers)].receiving_unit_id,
            purpose=PaymentRequest.Purpose.FEES,
            reference=f"BULK-{n}",
            lines=[],
            amount_vnd=amounts[n],
            created_at=WHEN,
        )
        for n in range(ATTEMPTS)
    )
    return list(
        PaymentAttempt.objects.bulk_create(
            PaymentAttempt(
                request=request,
                method="vietqr",
                idempotency_key="k",
                reference=f"MC{n:010d}",
                amount_vnd=amounts[n],
                created_at=WHEN,
            )
            for n, request in enumerate(requests)
        )
    )


def notifications(attempts: list[PaymentAttempt]) -> list[tuple[services.Report, str]]:
    """(what the bank reports, to which account): one genuine notification per attempt, 3,000
    duplicates of genuine ones, and 1,250 each of a wrong amount, another account, an unknown
    reference and another currency."""
    rng = random.Random(14)
    accounts = dict(CollectionAccount.objects.values_list("unit_id", "account_number"))
    genuine = [
        (
            services.Report(
                reference=a.reference,
                amount_vnd=a.amount_vnd,
                transaction_id=f"bank:FT{n:08d}",
                source="bank",
            ),
            accounts[a.request.unit_id],
        )
        for n, a in enumerate(attempts)
    ]
    sent = genuine + rng.choices(genuine, k=DUPLICATES)
    for n in range(MISMATCHED):
        a = attempts[rng.randrange(len(attempts))]
        kind = n % 4
        sent.append(
            (
                services.Report(
                    reference=f"MCZZ{n:08d}" if kind == 2 else a.reference,
                    amount_vnd=a.amount_vnd + 1 if kind == 0 else a.amount_vnd,
                    currency="USD" if kind == 3 else "VND",
                    transaction_id=f"bank:XX{n:08d}",
                    source="bank",
                ),
                "999988887777" if kind == 1 else accounts[a.request.unit_id],
            )
        )
    rng.shuffle(sent)
    return sent


def _worker(chunk, barrier, out) -> None:
    """One forked worker: its own database connection, its share of the shuffled stream."""
    connections.close_all()  # never the parent's socket (closed before the fork anyway)
    mine: Counter = Counter()
    try:
        with connection.cursor() as cursor:
            # the commit does not wait for the disk: the locks, the unique index and what a
            # concurrent transaction sees are the same; only a crash could lose the last ones
            cursor.execute("SET synchronous_commit TO off")
        barrier.wait()
        for report, account in chunk:
            try:
                services.record_bank_transfer(report=report, account=account)
                mine["ok"] += 1
            except services.PaymentRefused as refused:
                mine[refused.code] += 1
    except Exception as exc:  # noqa: BLE001  reported to the parent, which fails the test
        mine[f"error: {type(exc).__name__}: {exc}"] += 1
    finally:
        connections.close_all()
        out.send(dict(mine))
        out.close()


def send_all(sent: list[tuple[services.Report, str]]) -> Counter:
    """16 forked worker processes at once (threads would queue on Python's lock while holding
    the database's), each with its own connection, each taking every 16th notification."""
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(WORKERS)
    pipes, procs = [], []
    for w in range(WORKERS):
        receive_end, send_end = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_worker, args=(sent[w::WORKERS], barrier, send_end))
        proc.start()
        send_end.close()
        pipes.append(receive_end)
        procs.append(proc)
    outcomes: Counter = Counter()
    for pipe in pipes:
        outcomes.update(pipe.recv())
    for proc in procs:
        proc.join()
    return outcomes


def test_ten_thousand_shuffled_notifications_from_16_workers_credit_each_attempt_once(world):
    attempts = bulk_attempts(world)
    sent = notifications(attempts)
    assert len(sent) == 10_000
    assert Counter(id(r) for r, _ in sent).most_common(1)[0][1] > 1  # duplicates are in

    outcomes = send_all(sent)

    assert sum(outcomes.values()) == 10_000
    # every genuine notification and every duplicate is acknowledged; the rest refused
    assert outcomes == {
        "ok": ATTEMPTS + DUPLICATES,
        "wrong_amount": MISMATCHED // 4,
        "wrong_account": MISMATCHED // 4,
        "unknown_reference": MISMATCHED // 4,
        "wrong_currency": MISMATCHED // 4,
    }
    paid = PaymentAttempt.objects.filter(status=PaymentAttempt.Status.PAID)
    assert paid.count() == ATTEMPTS
    assert not paid.exclude(provider_transaction_id__startswith="bank:FT").exists()
    events = PaymentEvent.objects.filter(action="pay")
    assert events.count() == ATTEMPTS  # exactly one credit per attempt
    assert events.values("attempt").distinct().count() == ATTEMPTS
    expected_total = sum(a.amount_vnd for a in attempts)
    assert paid.aggregate(total=Sum("amount_vnd"))["total"] == expected_total
    settled = PaymentRequest.objects.filter(
        reference__startswith="BULK-", status=PaymentRequest.Status.PAID
    )
    assert settled.count() == ATTEMPTS
    assert settled.aggregate(total=Sum("amount_vnd"))["total"] == expected_total
