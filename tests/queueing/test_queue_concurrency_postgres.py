"""Under real concurrency on PostgreSQL: numbers never repeat or skip, counters never share."""

import threading
import time

import pytest
from django.db import connection, transaction

from motcua.core.audit import verify_chain
from motcua.queueing import services
from motcua.queueing.models import Ticket, TicketSequence

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(workers: int, job):
    """Start `workers` threads at the same instant; each has its own database connection."""
    barrier = threading.Barrier(workers)
    results: list = [None] * workers
    errors: list = []

    def run(i):
        try:
            barrier.wait()
            results[i] = job(i)
        except Exception as exc:  # noqa: BLE001  surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def test_a_thousand_simultaneous_ticket_requests_get_a_thousand_consecutive_numbers(
    commune, svc, clock
):
    per_worker = 125

    def job(_i):
        return [
            services.issue_ticket(unit=commune, service=svc["A"], source="remote").number
            for _ in range(per_worker)
        ]

    numbers = [n for batch in run_together(8, job) for n in batch]
    assert sorted(numbers) == list(range(1, 1001))
    assert Ticket.objects.filter(service=svc["A"]).count() == 1000
    assert TicketSequence.objects.get(service=svc["A"]).last_value == 1000
    assert Ticket.objects.filter(code="A1000").exists()
    assert verify_chain().ok


def test_simultaneous_double_taps_give_one_ticket_and_no_gap(commune, svc, clock):
    def job(_i):
        return services.issue_ticket(
            unit=commune, service=svc["A"], source="kiosk", idempotency_key="double-tap-key-1"
        ).pk

    ids = run_together(8, job)
    assert len(set(ids)) == 1
    assert Ticket.objects.count() == 1
    after = services.issue_ticket(unit=commune, service=svc["A"], source="kiosk")
    assert after.code == "A002"


def test_two_counters_pressing_call_next_at_once_never_get_the_same_ticket(
    open_counters, officer, commune, svc, clock
):
    for _ in range(60):
        services.issue_ticket(unit=commune, service=svc["A"], source="kiosk")

    def job(i):
        counter = open_counters[i + 1]
        taken = []
        while (ticket := services.call_next(counter=counter, officer=officer)) is not None:
            taken.append(ticket.pk)
            services.start_service(ticket=ticket, counter=counter, officer=officer)
            services.finish_service(ticket=ticket, counter=counter, officer=officer)
        return taken

    first, second = run_together(2, job)
    assert not set(first) & set(second)
    assert len(first) + len(second) == 60
    assert first and second  # both counters really worked at the same time
    assert not Ticket.objects.exclude(status="done").exists()


def test_a_ticket_another_counter_is_taking_is_skipped_not_waited_for(
    open_counters, officer, commune, svc, clock
):
    head = services.issue_ticket(unit=commune, service=svc["A"], source="kiosk")
    services.issue_ticket(unit=commune, service=svc["A"], source="kiosk")
    locked, release = threading.Event(), threading.Event()

    def hold_head():
        try:
            with transaction.atomic():
                Ticket.objects.select_for_update().get(pk=head.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_head)
    holder.start()
    assert locked.wait(timeout=30)
    try:
        started = time.monotonic()
        ticket = services.call_next(counter=open_counters[2], officer=officer)
        elapsed = time.monotonic() - started
    finally:
        release.set()
        holder.join()
    assert ticket.code == "A002"
    assert elapsed < 5
