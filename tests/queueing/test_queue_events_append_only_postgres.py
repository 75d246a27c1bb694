"""On PostgreSQL the history of a ticket and of a booking cannot be rewritten: the database
refuses to edit, delete or truncate `TicketEvent` and `BookingEvent` rows (queueing 0004),
while the queue and the booking desk keep appending events."""

import pytest
from django.db import DatabaseError, connection, transaction

from motcua.queueing import booking, services
from motcua.queueing.models import BookingEvent, TicketEvent

from .test_booking_fixtures import confirmed, hold, rule  # noqa: F401

pytestmark = pytest.mark.postgres
TICKET_REFUSAL = "lịch sử số thứ tự chỉ được ghi thêm"
BOOKING_REFUSAL = "lịch sử lịch hẹn chỉ được ghi thêm"


@pytest.fixture
def ticket(open_counters, officer, issue):
    issue("A")
    return services.call_next(counter=open_counters[1], officer=officer)


@pytest.fixture
def appointment(confirmed):  # noqa: F811
    return confirmed(9, 0)


@pytest.mark.parametrize(
    "change",
    [
        lambda t: TicketEvent.objects.filter(ticket=t).update(action="sửa lại"),
        lambda t: TicketEvent.objects.filter(ticket=t, action="call").delete(),
        lambda t: t.events.first().save(),  # a plain ORM save of an existing row is an UPDATE
    ],
    ids=["orm-update", "orm-delete", "orm-save"],
)
def test_orm_cannot_change_or_delete_a_ticket_event(ticket, change):
    count = ticket.events.count()
    with pytest.raises(DatabaseError, match=TICKET_REFUSAL), transaction.atomic():
        change(ticket)
    assert ticket.events.count() == count == 2  # issue, call


@pytest.mark.parametrize(
    "change",
    [
        lambda b: BookingEvent.objects.filter(booking=b).update(note="sửa lại"),
        lambda b: BookingEvent.objects.filter(booking=b, action="confirm").delete(),
    ],
    ids=["orm-update", "orm-delete"],
)
def test_orm_cannot_change_or_delete_a_booking_event(appointment, change):
    with pytest.raises(DatabaseError, match=BOOKING_REFUSAL), transaction.atomic():
        change(appointment)
    assert appointment.events.count() == 2  # hold, confirm


def _raw(sql: str, params=None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        # test sessions may TRUNCATE to flush (tests/conftest.py); a production session may not
        cursor.execute("SET LOCAL motcua.audit_truncate = ''")
        # the test's own inserts leave deferred FK checks pending, which TRUNCATE would refuse
        # for that reason instead of ours: run them now
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE queueing_ticketevent SET to_status = 'done' WHERE ticket_id = %s",
        "DELETE FROM queueing_ticketevent WHERE ticket_id = %s",
        "TRUNCATE queueing_ticketevent",
    ],
    ids=["sql-update", "sql-delete", "sql-truncate"],
)
def test_raw_sql_cannot_change_delete_or_truncate_ticket_events(ticket, sql):
    with pytest.raises(DatabaseError, match=TICKET_REFUSAL):
        _raw(sql, [ticket.pk] if "%s" in sql else None)
    assert ticket.events.count() == 2


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE queueing_bookingevent SET to_status = 'cancelled' WHERE booking_id = %s",
        "DELETE FROM queueing_bookingevent WHERE booking_id = %s",
        "TRUNCATE queueing_bookingevent",
    ],
    ids=["sql-update", "sql-delete", "sql-truncate"],
)
def test_raw_sql_cannot_change_delete_or_truncate_booking_events(appointment, sql):
    with pytest.raises(DatabaseError, match=BOOKING_REFUSAL):
        _raw(sql, [appointment.pk] if "%s" in sql else None)
    assert appointment.events.count() == 2


def test_the_queue_and_the_booking_desk_still_append_under_the_triggers(
    ticket,
    open_counters,
    officer,
    appointment,
    clock,
):
    services.start_service(ticket=ticket, counter=open_counters[1], officer=officer)
    services.finish_service(ticket=ticket, counter=open_counters[1], officer=officer)
    assert list(ticket.events.order_by("id").values_list("action", flat=True)) == [
        "issue",
        "call",
        "start",
        "finish",
    ]
    booking.cancel(booking=appointment, reason="bận việc")
    assert list(appointment.events.order_by("id").values_list("action", flat=True)) == [
        "hold",
        "confirm",
        "cancel",
    ]
