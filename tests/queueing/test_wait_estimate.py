"""The wait a citizen is shown: people ahead, minutes from recent counter times, a range."""

import datetime as dt

import pytest

from motcua.queueing import estimate, services

MONDAY_8AM = dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.fixture
def yesterday_served(open_counters, officer, svc, commune, clock):
    """Monday: counter 1 served eight citizens of A, 10 minutes each from call to finish."""
    now = clock.current
    clock.set(MONDAY_8AM)
    c1 = open_counters[1]
    for _ in range(8):
        clock.advance(minutes=1)
        services.issue_ticket(unit=commune, service=svc["A"], source="kiosk")
    for _ in range(8):
        ticket = services.call_next(counter=c1, officer=officer)
        clock.advance(minutes=1)
        services.start_service(ticket=ticket, counter=c1, officer=officer)
        clock.advance(minutes=9)
        services.finish_service(ticket=ticket, counter=c1, officer=officer)
    clock.set(now)


def test_every_new_ticket_gets_its_own_secret_link_token(open_counters, issue):
    first, second = issue("A"), issue("A")
    assert len(first.access_token) == 24 and len(second.access_token) == 24
    assert first.access_token != second.access_token


def test_without_history_the_wait_is_unknown_but_people_ahead_are_counted(open_counters, issue):
    issue("A"), issue("A")
    third = issue("A")
    wait = estimate.wait_for(third)
    assert (wait.ahead, wait.minutes, wait.open_counters) == (2, None, 2)


def test_when_no_counter_serving_the_service_is_open_no_minutes_are_promised(
    yesterday_served, open_counters, officer, issue
):
    for counter in open_counters.values():
        services.close_counter(counter=counter, officer=officer)
    wait = estimate.wait_for(issue("A"))
    assert wait.open_counters == 0 and wait.minutes is None and wait.high_minutes is None


def test_wait_grows_with_people_ahead_and_the_range_holds_the_estimate(
    yesterday_served, open_counters, issue
):
    tickets = [issue("A") for _ in range(5)]
    waits = [estimate.wait_for(t) for t in tickets]
    assert [w.ahead for w in waits] == [0, 1, 2, 3, 4]
    minutes = [w.minutes for w in waits]
    assert minutes == sorted(minutes) and minutes[-1] > minutes[0]
    for w in waits:
        assert w.low_minutes <= w.minutes <= w.high_minutes


def test_priority_ticket_issued_later_is_counted_ahead_of_an_ordinary_one(open_counters, issue):
    ordinary = issue("A")
    elderly = issue("A", "elderly")
    assert estimate.wait_for(ordinary).ahead == 1
    assert estimate.wait_for(elderly).ahead == 0


def test_slow_calls_today_lengthen_the_estimate(
    yesterday_served, open_counters, officer, issue, clock
):
    issue("A")
    waiting = issue("A")
    calm = estimate.wait_for(waiting)
    clock.advance(minutes=40)  # the first citizen waited 40 minutes before being called
    services.call_next(counter=open_counters[1], officer=officer)
    waiting.refresh_from_db()
    slow = estimate.wait_for(waiting)
    assert slow.ahead == 0 and slow.minutes > calm.minutes


def test_a_called_ticket_has_nobody_ahead(open_counters, officer, issue):
    ticket = issue("A")
    services.call_next(counter=open_counters[1], officer=officer)
    ticket.refresh_from_db()
    assert estimate.wait_for(ticket).ahead == 0


def test_service_waits_is_what_a_newcomer_faces_per_service(
    yesterday_served, open_counters, issue, svc, commune
):
    issue("A"), issue("A"), issue("C")
    waits = estimate.service_waits(commune)
    assert set(waits) == {svc["A"].pk, svc["B"].pk, svc["C"].pk}
    assert (waits[svc["A"].pk].ahead, waits[svc["C"].pk].ahead, waits[svc["B"].pk].ahead) == (
        2,
        1,
        0,
    )
    assert waits[svc["A"].pk].minutes > waits[svc["B"].pk].minutes


def test_the_polled_ticket_page_costs_a_few_queries(
    yesterday_served, open_counters, issue, django_assert_max_num_queries
):
    ticket = issue("A")
    first = estimate.wait_for(ticket)  # builds what the unit's tickets share
    # then: the people before this ticket, and two cache reads (the test cache is the database)
    with django_assert_max_num_queries(3):
        again = estimate.wait_for(ticket)
    assert again == first


def test_what_tickets_share_is_rebuilt_by_the_change_not_by_a_timer(
    yesterday_served, open_counters, officer, issue, clock
):
    ticket = issue("A")
    before = estimate.wait_for(ticket)
    assert before.open_counters == 2 and before.minutes is not None
    services.close_counter(counter=open_counters[1], officer=officer)  # same minute, same clock
    after = estimate.wait_for(ticket)
    assert after.open_counters == 1 and after.minutes > before.minutes
    # the queue app's page (every service's wait) follows the same change
    waits = estimate.service_waits(ticket.unit)
    assert waits[ticket.service_id].open_counters == 1


def test_the_estimate_arithmetic():
    # 3 ahead, one whole counter, 10-minute cycles: called after 3.5 cycles
    assert estimate.estimate_minutes(3, 1.0, 10.0)[0] == 35
    assert estimate.estimate_minutes(3, 2.0, 10.0)[0] == 18
    assert estimate.estimate_minutes(3, 0.0, 10.0) == (None, None, None)
    # what the people called lately really waited pulls the model halfway towards it
    assert estimate.point_minutes(0, 1.0, 10.0, recent_wait=25.0) == 15.0
    assert estimate.cycle_minutes([5.0] * 4) is None  # too few to trust
    # a counter serving A and B gives A a share by what waits; a counter not serving A gives none
    share = estimate.counter_capacity(1, [{1, 2}, {3}], {1: 6, 2: 2})
    assert 0.5 < share < 1
    assert (
        estimate.people_ahead_in_order(
            is_priority=True, priority_before=4, ordinary_before=5, priority_after=0, streak_limit=2
        )
        == 6
    )
