"""Recall, no-show, start, finish, transfer, dossier link: allowed moves only, each recorded."""

import pytest
from django.core.exceptions import ValidationError

from motcua.core.audit import verify_chain
from motcua.core.models import AuditEvent
from motcua.core.statemachine import IllegalTransition
from motcua.queueing import services
from motcua.queueing.models import Ticket, TicketEvent


@pytest.fixture
def called(open_counters, officer, issue):
    issue("A")
    return services.call_next(counter=open_counters[1], officer=officer)


def test_finishing_a_ticket_nobody_has_started_is_refused_in_vietnamese(
    called, open_counters, officer
):
    with pytest.raises(IllegalTransition) as err:
        services.finish_service(ticket=called, counter=open_counters[1], officer=officer)
    assert err.value.reason == "Không thể kết thúc số A001: số đang ở trạng thái “Đã gọi”."


def test_a_finished_ticket_stays_finished(called, open_counters, officer):
    c1 = open_counters[1]
    services.start_service(ticket=called, counter=c1, officer=officer)
    done = services.finish_service(ticket=called, counter=c1, officer=officer)
    assert done.status == "done"
    for move in (services.recall, services.start_service, services.skip):
        with pytest.raises(IllegalTransition, match="Đã xong"):
            move(ticket=called, counter=c1, officer=officer)
    with pytest.raises(IllegalTransition, match="Không thể huỷ số A001"):
        services.cancel_ticket(ticket=called)


def test_another_counter_cannot_act_on_my_citizen(called, open_counters, officer):
    with pytest.raises(ValidationError, match="không do quầy này gọi"):
        services.start_service(ticket=called, counter=open_counters[2], officer=officer)


def test_recall_counts_the_calls_and_absence_needs_three(called, open_counters, officer):
    c1 = open_counters[1]
    with pytest.raises(ValidationError, match="Cần gọi đủ 3 lần"):
        services.skip(ticket=called, counter=c1, officer=officer)
    services.recall(ticket=called, counter=c1, officer=officer)
    ticket = services.recall(ticket=called, counter=c1, officer=officer)
    assert ticket.call_count == 3
    gone = services.skip(ticket=called, counter=c1, officer=officer)
    assert gone.status == "no_show"
    assert services.call_next(counter=c1, officer=officer) is None


def test_transfer_to_another_counter_keeps_the_place_by_issue_time(
    open_counters, officer, issue, clock
):
    c1, c2 = open_counters[1], open_counters[2]
    first = issue("A")
    issue("A")
    issue("C")
    services.call_next(counter=c1, officer=officer)
    services.start_service(ticket=first, counter=c1, officer=officer)
    moved = services.transfer(
        ticket=first, counter=c1, officer=officer, to_service=None, to_counter=c2
    )
    assert (moved.status, moved.counter_id, moved.target_counter_id) == ("transferred", None, c2.pk)
    # counter 1 may no longer call it; counter 2 calls it first: it was issued first
    nxt = services.call_next(counter=c1, officer=officer)
    assert nxt.code == "A002"
    at_two = services.call_next(counter=c2, officer=officer)
    assert at_two.pk == first.pk and at_two.issued_at == first.issued_at


def test_transfer_to_another_service_joins_that_queue(open_counters, officer, issue):
    c1, c2 = open_counters[1], open_counters[2]
    ticket = issue("A")
    services.call_next(counter=c1, officer=officer)
    services.transfer(
        ticket=ticket,
        counter=c1,
        officer=officer,
        to_service=ticket.unit.queue_services.get(code="C"),
    )
    moved = Ticket.objects.get(pk=ticket.pk)
    assert (moved.service.code, moved.code) == ("C", "A001")
    assert services.call_next(counter=c2, officer=officer).pk == ticket.pk


def test_transfer_to_a_counter_that_does_not_serve_the_service_is_refused(
    open_counters, officer, issue
):
    c1, c2 = open_counters[1], open_counters[2]
    ticket = issue("B")  # counter 2 serves A and C, not B
    services.call_next(counter=c1, officer=officer)
    with pytest.raises(ValidationError, match="Quầy 2 không phục vụ"):
        services.transfer(ticket=ticket, counter=c1, officer=officer, to_counter=c2)
    assert Ticket.objects.get(pk=ticket.pk).status == "called"


def test_link_the_dossier_received_from_the_citizen(called, open_counters, officer):
    c1 = open_counters[1]
    with pytest.raises(IllegalTransition, match="Không thể gắn hồ sơ"):
        services.link_dossier(
            ticket=called, dossier_code="000.00.12.H23-261117-0001", actor=officer
        )
    services.start_service(ticket=called, counter=c1, officer=officer)
    with pytest.raises(ValidationError, match="Mã hồ sơ không hợp lệ"):
        services.link_dossier(ticket=called, dossier_code="mã có dấu", actor=officer)
    linked = services.link_dossier(
        ticket=called, dossier_code=" 000.00.12.H23-261117-0001 ", actor=officer
    )
    assert (linked.status, linked.dossier_code) == ("serving", "000.00.12.H23-261117-0001")


def test_every_move_is_in_the_ticket_history_and_the_audit_chain(called, open_counters, officer):
    c1 = open_counters[1]
    services.recall(ticket=called, counter=c1, officer=officer)
    services.start_service(ticket=called, counter=c1, officer=officer)
    services.finish_service(ticket=called, counter=c1, officer=officer)
    history = list(
        TicketEvent.objects.filter(ticket=called).values_list("action", "from_status", "to_status")
    )
    assert history == [
        ("issue", "", "waiting"),
        ("call", "waiting", "called"),
        ("recall", "called", "called"),
        ("start", "called", "serving"),
        ("finish", "serving", "done"),
    ]
    assert TicketEvent.objects.filter(ticket=called, action="call").get().counter_id == c1.pk
    actions = list(
        AuditEvent.objects.filter(
            object_id=str(called.pk), object_type="queueing.ticket"
        ).values_list("action", "actor_id")
    )
    assert actions == [
        ("queue.ticket_issued", None),
        ("queue.ticket_call", officer.pk),
        ("queue.ticket_recall", officer.pk),
        ("queue.ticket_start", officer.pk),
        ("queue.ticket_finish", officer.pk),
    ]
    assert verify_chain().ok


def test_a_failed_move_leaves_no_trace(called, open_counters, officer):
    before = (TicketEvent.objects.count(), AuditEvent.objects.count())
    with pytest.raises(IllegalTransition):
        services.finish_service(ticket=called, counter=open_counters[1], officer=officer)
    assert (TicketEvent.objects.count(), AuditEvent.objects.count()) == before
