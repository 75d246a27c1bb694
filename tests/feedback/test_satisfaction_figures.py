"""Satisfaction figures: counts per level, share satisfied, per counter, officer and service."""

import datetime as dt

from motcua.feedback import selectors, services
from motcua.feedback.models import Level, Reason
from motcua.queueing import services as queue

DAY = dt.date(2026, 11, 17)


def test_satisfaction_counts_levels_and_shares_per_counter_officer_and_service(
    serve, make_officer, commune, open_counters, svc, clock
):
    a1 = serve("A", counter=1)
    services.rate_ticket(ticket=a1, level=Level.VERY_SATISFIED)
    a2 = serve("A", counter=1)
    services.rate_ticket(ticket=a2, level=Level.SATISFIED)
    # counter 2, another officer, not satisfied because of the wait
    second = make_officer(commune)
    queue.open_counter(counter=open_counters[2], officer=second)
    c1 = serve("C", counter=2)
    c1.served_by = second
    c1.save(update_fields=["served_by"])
    services.rate_ticket(ticket=c1, level=Level.NOT_SATISFIED, reason=Reason.LONG_WAIT)
    serve("B", counter=1)  # served, never rated

    sat = selectors.satisfaction([commune.pk], DAY, DAY)

    assert (sat.total.very_satisfied, sat.total.satisfied, sat.total.not_satisfied) == (1, 1, 1)
    assert sat.total.total == 3
    assert sat.total.satisfied_percent == 66.7
    assert sat.by_counter[open_counters[1].pk].satisfied_percent == 100.0
    assert sat.by_counter[open_counters[2].pk].not_satisfied == 1
    assert sat.by_officer[second.pk].total == 1
    assert sat.by_service[svc["A"].pk].total == 2 and svc["B"].pk not in sat.by_service
    assert sat.reasons == {"long_wait": 1}


def test_the_period_is_in_local_days_and_other_units_never_count(
    serve, commune, other_commune, clock
):
    # 23:30 in Hà Nội on 17/11 is 16:30 UTC: it belongs to the 17th, not the 18th
    ticket = serve("A")
    late = dt.datetime(2026, 11, 17, 23, 30, tzinfo=clock.current.tzinfo)
    services.rate_ticket(ticket=ticket, level=Level.SATISFIED, at=late)

    assert selectors.satisfaction([commune.pk], DAY, DAY).total.total == 1
    assert (
        selectors.satisfaction(
            [commune.pk], DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=1)
        ).total.total
        == 0
    )
    assert selectors.satisfaction([other_commune.pk], DAY, DAY).total.total == 0


def test_no_ratings_means_no_percentage_rather_than_zero(commune):
    sat = selectors.satisfaction([commune.pk], DAY, DAY)
    assert sat.total.total == 0 and sat.total.satisfied_percent is None
