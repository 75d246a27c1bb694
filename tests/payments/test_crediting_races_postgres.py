"""On PostgreSQL, paid notifications for 20 attempts, each sent three times and once with
another transaction id, shuffled and sent by 16 threads at once, credit every attempt exactly
once and the right total: the attempt's row lock and the unique transaction id decide."""

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from motcua.payments import services
from motcua.payments.models import PaymentAttempt, PaymentEvent
from tests.dossiers.factories import receive

from .helpers import WHEN, report

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ATTEMPTS, THREADS = 20, 16


def send(one: services.Report) -> str:
    try:
        services.record_paid(None, report=one)
        return "ok"
    except services.PaymentRefused as refused:
        return refused.code
    finally:
        connection.close()


def test_shuffled_duplicated_notifications_from_16_threads_credit_each_attempt_once(world):
    attempts = []
    for n in range(ATTEMPTS):
        dossier = receive(world)
        request = services.request_fees(world.officer, dossier_id=dossier.pk, at=WHEN)
        attempts.append(
            services.start_attempt(
                world.officer, request_id=request.pk, method="vietqr", idempotency_key=f"k{n}"
            )
        )
    reports = []
    for n, a in enumerate(attempts):
        reports += [report(a, transaction_id=f"T{n}")] * 3
        reports.append(report(a, transaction_id=f"X{n}"))  # a second transfer, or a forgery
    random.Random(7).shuffle(reports)
    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = list(pool.map(send, reports))
    assert set(outcomes) <= {"ok", "already_paid"}
    refusals = 0
    for n, a in enumerate(attempts):
        a.refresh_from_db()
        assert a.status == PaymentAttempt.Status.PAID
        assert PaymentEvent.objects.filter(attempt=a, action="pay").count() == 1
        assert a.provider_transaction_id in (f"T{n}", f"X{n}")
        # whichever id came first won; every report of the other one was refused
        refusals += 1 if a.provider_transaction_id == f"T{n}" else 3
    assert outcomes.count("already_paid") == refusals
    credited = PaymentAttempt.objects.filter(status=PaymentAttempt.Status.PAID)
    assert sum(credited.values_list("amount_vnd", flat=True)) == 8000 * ATTEMPTS
