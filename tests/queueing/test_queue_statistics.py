"""Waiting and service times per service, counter and hour; no-show rate."""

import datetime as dt

from motcua.queueing import selectors, services


def test_statistics_measure_waits_service_times_and_absences(open_counters, officer, issue, clock):
    c1 = open_counters[1]
    a1 = issue("A")  # 09:01
    a2 = issue("A")  # 09:02
    clock.advance(minutes=8)  # 09:10: A001 waited 9 minutes
    services.call_next(counter=c1, officer=officer)
    services.start_service(ticket=a1, counter=c1, officer=officer)
    clock.advance(minutes=6)  # served 6 minutes
    services.finish_service(ticket=a1, counter=c1, officer=officer)
    services.call_next(counter=c1, officer=officer)  # 09:16: A002 waited 14 minutes
    services.recall(ticket=a2, counter=c1, officer=officer)
    services.recall(ticket=a2, counter=c1, officer=officer)
    services.skip(ticket=a2, counter=c1, officer=officer)
    clock.set(dt.datetime(2026, 11, 17, 14, 0, tzinfo=clock.current.tzinfo))
    issue("B")  # never called

    stats = selectors.queue_statistics(unit_ids=[a1.unit_id], date_from=a1.day, date_to=a1.day)
    a = stats.by_service["A"]
    assert (a.issued, a.served, a.no_show) == (2, 1, 1)
    assert a.mean_wait_seconds == (9 * 60 + 14 * 60) / 2
    assert a.mean_service_seconds == 6 * 60
    assert a.no_show_rate == 0.5
    assert stats.by_service["B"].mean_wait_seconds is None
    assert stats.by_counter[c1.pk].issued == 2
    assert stats.by_hour[9].issued == 2 and stats.by_hour[14].issued == 1
    assert stats.total.issued == 3


def test_statistics_of_an_empty_period_are_empty(commune):
    stats = selectors.queue_statistics(
        unit_ids=[commune.pk], date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 1, 31)
    )
    assert stats.total.issued == 0 and stats.total.mean_wait_seconds is None
