"""Call next: priority citizens first, but never more than K in a row while others wait."""

import pytest
from django.core.exceptions import ValidationError

from motcua.queueing import services
from motcua.queueing.models import QueuePolicy, Ticket


def call_and_finish(counter, officer):
    ticket = services.call_next(counter=counter, officer=officer)
    if ticket is None:
        return None
    services.start_service(ticket=ticket, counter=counter, officer=officer)
    services.finish_service(ticket=ticket, counter=counter, officer=officer)
    return ticket.code


def test_an_elderly_citizen_is_called_before_earlier_ordinary_ones(open_counters, officer, issue):
    issue("A")
    issue("A")
    issue("A", "elderly")
    assert call_and_finish(open_counters[1], officer) == "A003"
    assert call_and_finish(open_counters[1], officer) == "A001"


def test_after_two_priority_calls_the_oldest_ordinary_ticket_goes_next(
    open_counters, officer, issue
):
    issue("A")  # A001 ordinary, first in line
    for reason in ("elderly", "disability", "pregnant", "merit"):
        issue("A", reason)  # A002..A005
    order = [call_and_finish(open_counters[1], officer) for _ in range(5)]
    assert order == ["A002", "A003", "A001", "A004", "A005"]


def test_the_streak_limit_is_set_per_unit(open_counters, officer, issue, commune):
    QueuePolicy.objects.create(unit=commune, priority_streak_limit=1)
    issue("A")
    issue("A")
    issue("A", "elderly")
    issue("A", "elderly")
    order = [call_and_finish(open_counters[1], officer) for _ in range(4)]
    assert order == ["A003", "A001", "A004", "A002"]


def test_priority_calls_alone_are_not_held_back_when_nobody_else_waits(
    open_counters, officer, issue
):
    for _ in range(4):
        issue("A", "pregnant")
    order = [call_and_finish(open_counters[1], officer) for _ in range(4)]
    assert order == ["A001", "A002", "A003", "A004"]


def test_services_are_served_in_order_of_arrival_across_the_counters_services(
    open_counters, officer, issue
):
    issue("B")
    issue("A")
    issue("C")  # counter 1 does not serve C
    assert [call_and_finish(open_counters[1], officer) for _ in range(3)] == [
        "B001",
        "A001",
        None,
    ]
    assert Ticket.objects.get(code="C001").status == "waiting"


def test_an_empty_queue_answers_nothing_to_call(open_counters, officer):
    assert services.call_next(counter=open_counters[1], officer=officer) is None


def test_a_closed_counter_cannot_call(counters, officer, issue):
    issue("A")
    with pytest.raises(ValidationError, match="Quầy đang đóng"):
        services.call_next(counter=counters[1], officer=officer)


def test_a_counter_finishes_its_citizen_before_calling_the_next(open_counters, officer, issue):
    issue("A")
    issue("A")
    services.call_next(counter=open_counters[1], officer=officer)
    with pytest.raises(ValidationError, match="Quầy đang có số A001"):
        services.call_next(counter=open_counters[1], officer=officer)


def test_two_counters_share_one_queue_without_calling_the_same_ticket(
    open_counters, officer, issue
):
    issue("A")
    issue("A")
    first = services.call_next(counter=open_counters[1], officer=officer)
    second = services.call_next(counter=open_counters[2], officer=officer)
    assert {first.code, second.code} == {"A001", "A002"}
    assert first.counter_id != second.counter_id


def test_closing_a_counter_with_a_citizen_at_it_is_refused(open_counters, officer, issue):
    issue("A")
    services.call_next(counter=open_counters[1], officer=officer)
    with pytest.raises(ValidationError, match="trước khi đóng quầy"):
        services.close_counter(counter=open_counters[1], officer=officer)
