"""On PostgreSQL: concurrent credits in one unit (counter cash from several officers' threads
and the bank's notifications, some transactions rolled back) get receipt numbers 1..n with no
gap and no duplicate; a day closed while cash is being taken holds exactly what was entered
before it; the database refuses to edit or delete a receipt except to void it, and to change
a closed cash-book day."""

import datetime as dt
import threading

import pytest
from django.db import DatabaseError, connection, transaction

from motcua.payments import cashbook, receipts, services
from motcua.payments.models import CashBookDay, PaymentAttempt, Receipt, ReceiptCounter
from tests.dossiers.factories import at, make_staff

from .helpers import WHEN, fee_request, report

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 8


class Rollback(Exception):
    pass


def run_in_threads(work, count: int) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def wrapped(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrapped, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_credits_in_one_unit_get_consecutive_numbers(world):
    officers = [world.officer, make_staff(("counter_officer", world.commune), name="Cán Bộ Hai")]
    counter_requests = [fee_request(world) for _ in range(THREADS * 2)]
    qr_attempts = [
        services.start_attempt(
            world.officer,
            request_id=fee_request(world).pk,
            method="vietqr",
            idempotency_key=f"q{n}",
        )
        for n in range(THREADS)
    ]

    def work(index: int) -> None:
        for j in range(2):
            request = counter_requests[index * 2 + j]
            try:
                with transaction.atomic():
                    services.take_at_counter(
                        officers[index % 2],
                        request_id=request.pk,
                        method="cash",
                        idempotency_key=f"c{index}-{j}",
                        at=WHEN,
                    )
                    if (index + j) % 3 == 0:  # something after the credit fails: all undone
                        raise Rollback
            except Rollback:
                pass
        attempt = qr_attempts[index]
        for _ in range(2):  # the bank sends it twice
            services.record_paid(None, report=report(attempt, transaction_id=f"B{index}"))

    assert run_in_threads(work, THREADS) == []
    credited = PaymentAttempt.objects.filter(status=PaymentAttempt.Status.PAID).count()
    numbers = sorted(Receipt.objects.filter(unit=world.commune).values_list("number", flat=True))
    assert numbers == list(range(1, credited + 1))
    assert credited == THREADS + sum(
        1 for i in range(THREADS) for j in range(2) if (i + j) % 3 != 0
    )
    assert ReceiptCounter.objects.get(unit=world.commune).last_value == credited
    assert not PaymentAttempt.objects.filter(status="paid", receipts__isnull=True).exists()


def test_a_day_closed_while_cash_is_taken_holds_exactly_what_was_entered(world):
    requests = [fee_request(world) for _ in range(THREADS)]
    day = dt.date(2026, 11, 2)
    outcomes: list[str] = []

    def work(index: int) -> None:
        if index == THREADS - 1:
            cashbook.close(
                world.manager,
                unit_id=world.commune.pk,
                officer_id=world.officer.pk,
                day=day,
                at=at(2026, 11, 2, 17),
            )
            return
        try:
            services.take_at_counter(
                world.officer,
                request_id=requests[index].pk,
                method="cash",
                idempotency_key=f"k{index}",
                at=at(2026, 11, 2, 16),
            )
            outcomes.append("taken")
        except cashbook.BookClosed:
            outcomes.append("refused")

    assert run_in_threads(work, THREADS) == []
    closed = CashBookDay.objects.get(officer=world.officer, day=day)
    taken = PaymentAttempt.objects.filter(status="paid", method="cash")
    assert closed.entries == taken.count() == outcomes.count("taken")
    assert closed.total_vnd == 8000 * outcomes.count("taken")
    assert Receipt.objects.count() == taken.count()


def test_the_database_keeps_receipts_and_closed_days(world):
    attempt = services.take_at_counter(
        world.officer,
        request_id=fee_request(world).pk,
        method="cash",
        idempotency_key="k",
        at=WHEN,
    )
    receipt = Receipt.objects.get(attempt=attempt)
    for change in (
        lambda: Receipt.objects.filter(pk=receipt.pk).update(amount_vnd=1),
        lambda: Receipt.objects.filter(pk=receipt.pk).delete(),
        lambda: Receipt.objects.filter(pk=receipt.pk).update(status="void", payer_name="X"),
    ):
        with pytest.raises(DatabaseError, match="biên lai không được sửa"), transaction.atomic():
            change()
    receipts.void(world.manager, receipt_id=receipt.pk, reason="Ghi sai tên", at=WHEN)
    with pytest.raises(DatabaseError, match="biên lai"), transaction.atomic():
        Receipt.objects.filter(pk=receipt.pk).update(status="valid")
    cashbook.close(
        world.manager,
        unit_id=world.commune.pk,
        officer_id=world.officer.pk,
        day=dt.date(2026, 11, 2),
        at=at(2026, 11, 2, 17),
    )
    with pytest.raises(DatabaseError, match="sổ quỹ đã khóa"), transaction.atomic():
        CashBookDay.objects.update(total_vnd=0)
    with pytest.raises(DatabaseError, match="sổ quỹ đã khóa"), transaction.atomic():
        CashBookDay.objects.all().delete()
    assert Receipt.objects.count() == 2
