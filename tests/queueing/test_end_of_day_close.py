"""The nightly job closes yesterday's tickets left open, through the one transition function."""

import datetime as dt

import pytest

from motcua.core.models import AuditEvent
from motcua.core.statemachine import IllegalTransition
from motcua.queueing import selectors, services, tasks
from motcua.queueing.models import Ticket, TicketEvent

S = Ticket.Status


def test_tickets_left_open_at_night_are_closed_by_what_happened_to_them(
    open_counters, officer, issue, clock
):
    c1, c2 = open_counters[1], open_counters[2]
    at_desk, sent_on, absent, waiting = issue("A"), issue("A"), issue("A"), issue("C")
    services.call_next(counter=c1, officer=officer)  # A001 sits down at counter 1
    services.start_service(ticket=at_desk, counter=c1, officer=officer)
    services.call_next(counter=c2, officer=officer)  # A002, sent on to counter 1
    services.transfer(ticket=sent_on, counter=c2, officer=officer, to_counter=c1)
    services.call_next(counter=c2, officer=officer)  # A003 never comes to the desk
    clock.set(dt.datetime(2026, 11, 18, 0, 30, tzinfo=clock.current.tzinfo))

    closed = services.close_past_days()

    assert closed == {S.DONE: 1, S.NO_SHOW: 1, S.CANCELLED: 2}
    assert dict(Ticket.objects.values_list("code", "status")) == {
        at_desk.code: S.DONE,
        sent_on.code: S.CANCELLED,
        absent.code: S.NO_SHOW,
        waiting.code: S.CANCELLED,
    }
    at_desk.refresh_from_db()
    assert at_desk.finished_at is None  # its service time is unknown, not "all night"
    events = TicketEvent.objects.filter(action="close_day")
    assert events.count() == 4 and all(e.actor_id is None for e in events)
    assert {(e.from_status, e.to_status) for e in events} == {
        (S.SERVING, S.DONE),
        (S.TRANSFERRED, S.CANCELLED),
        (S.CALLED, S.NO_SHOW),
        (S.WAITING, S.CANCELLED),
    }
    assert AuditEvent.objects.filter(action="queue.ticket_close_day").count() == 4


def test_closing_twice_changes_nothing_and_today_is_untouched(open_counters, issue, clock):
    issue("A")
    clock.set(dt.datetime(2026, 11, 18, 8, 0, tzinfo=clock.current.tzinfo))
    today = issue("A")
    assert services.close_past_days() == {S.CANCELLED: 1}
    assert services.close_past_days() == {}
    tasks.close_past_queue_days.call_local()  # the periodic job itself
    today.refresh_from_db()
    assert today.status == S.WAITING
    assert TicketEvent.objects.filter(action="close_day").count() == 1


def test_statistics_ignore_the_unknown_service_time_of_a_ticket_closed_at_night(
    open_counters, officer, issue, clock
):
    c1 = open_counters[1]
    finished = issue("A")
    forgotten = issue("A")
    services.call_next(counter=c1, officer=officer)
    services.start_service(ticket=finished, counter=c1, officer=officer)
    clock.advance(minutes=6)
    services.finish_service(ticket=finished, counter=c1, officer=officer)
    services.call_next(counter=c1, officer=officer)
    services.start_service(ticket=forgotten, counter=c1, officer=officer)
    clock.set(dt.datetime(2026, 11, 18, 0, 30, tzinfo=clock.current.tzinfo))
    services.close_past_days()

    stats = selectors.queue_statistics(
        unit_ids=[finished.unit_id], date_from=finished.day, date_to=finished.day
    )
    assert stats.by_service["A"].served == 1
    assert stats.by_service["A"].mean_service_seconds == 6 * 60


def test_a_closed_ticket_cannot_be_called_or_closed_again(open_counters, issue, clock):
    ticket = issue("A")
    clock.set(dt.datetime(2026, 11, 18, 0, 30, tzinfo=clock.current.tzinfo))
    services.close_past_days()
    ticket.refresh_from_db()
    with pytest.raises(IllegalTransition, match=r"Không thể đóng cuối ngày số A001.*Đã huỷ"):
        services.transition(ticket=ticket, action="close_day")
