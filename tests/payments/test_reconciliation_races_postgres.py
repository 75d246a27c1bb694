"""On PostgreSQL, the same statement and an overlapping one uploaded by 8 threads at once: two
runs, each waiting attempt credited exactly once, and every row of the later run reconciled as
already done (the attempts' row locks and the unique (unit, source, content) decide)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from motcua.payments import reconciliation
from motcua.payments.models import (
    PaymentAttempt,
    PaymentEvent,
    ReconciliationLine,
    ReconciliationRun,
)
from tests.payments.test_reconciliation import LATER, vcb_csv, vietqr_attempt

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
OUT = ReconciliationLine.Outcome


def test_concurrent_uploads_of_overlapping_statements_credit_each_attempt_once(world):
    attempts = [vietqr_attempt(world, key=f"k{n}") for n in range(10)]
    rows = [
        f'{n},02/11/2026,FT{n:04d},,"8.000","8.000","CK {a.reference}"'
        for n, a in enumerate(attempts)
    ]
    first = vcb_csv(rows)
    second = vcb_csv([*reversed(rows), '99,03/11/2026,FT9999,,"5.000","5.000","khong ro"'])

    def send(data: bytes) -> bool:
        try:
            return reconciliation.reconcile(
                world.manager, unit_id=world.commune.pk, source="bank", data=data, at=LATER
            ).again
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        again = list(pool.map(send, [first, second] * 4))
    assert again.count(False) == 2 and ReconciliationRun.objects.count() == 2
    for a in attempts:
        a.refresh_from_db()
        assert a.status == PaymentAttempt.Status.PAID
        assert PaymentEvent.objects.filter(attempt=a, action="pay").count() == 1
    outcomes = list(
        ReconciliationLine.objects.exclude(outcome=OUT.UNMATCHED).values_list("outcome", flat=True)
    )
    assert sorted(outcomes) == sorted([OUT.CREDITED] * 10 + [OUT.REPEATED] * 10)
