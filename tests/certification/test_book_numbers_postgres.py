"""On PostgreSQL, numbers of one unit's certification book taken by concurrent transactions are
1..n with no gap and no duplicate, and a transaction that rolls back gives its number back."""

import threading

import pytest
from django.db import connection, transaction

from motcua.certification.models import BookCounter
from motcua.core import counters

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS, EACH = 6, 5


def test_concurrent_allocations_are_gap_free_even_when_some_roll_back(hatinh):
    unit = hatinh.commune
    kept: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def work(index: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                try:
                    with transaction.atomic():
                        number = counters.next_value(BookCounter, unit=unit, year=2026)
                        if (index + i) % 3 == 0:  # this copy fails to be made: rolled back
                            raise LookupError
                    with lock:
                        kept.append(number)
                except LookupError:
                    pass
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(kept) == list(range(1, len(kept) + 1))
    assert BookCounter.objects.get(unit=unit, year=2026).last_value == len(kept)
