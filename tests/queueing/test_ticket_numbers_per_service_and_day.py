"""Numbers per service and day (A001, B001...), reset the next day; refusals in plain Vietnamese."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from motcua.core.models import AuditEvent, CalendarException
from motcua.queueing import services
from motcua.queueing.models import Ticket, TicketEvent, TicketSequence

from .conftest import HCM


def test_each_service_counts_its_own_numbers_from_001(issue):
    codes = [issue("A").code, issue("A").code, issue("B").code, issue("A").code]
    assert codes == ["A001", "A002", "B001", "A003"]


def test_numbers_start_again_at_001_the_next_day(issue, clock):
    assert issue("A").code == "A001"
    assert issue("A").code == "A002"
    clock.set(dt.datetime(2026, 11, 18, 7, 35, tzinfo=HCM))
    ticket = issue("A")
    assert (ticket.code, ticket.day) == ("A001", dt.date(2026, 11, 18))


def test_the_thousandth_ticket_of_a_day_gets_four_digits(issue, svc):
    first = issue("A")
    TicketSequence.objects.filter(service=svc["A"], day=first.day).update(last_value=998)
    assert issue("A").code == "A999"
    assert issue("A").code == "A1000"


def test_double_tap_with_the_same_key_gives_one_ticket(issue):
    first = issue("A", idempotency_key="kiosk-tap-0001")
    again = issue("A", idempotency_key="kiosk-tap-0001")
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1
    assert issue("A").code == "A002"  # the repeated tap did not use up a number


def test_a_malformed_key_is_refused(issue):
    with pytest.raises(ValidationError, match="Phiên lấy số không hợp lệ"):
        issue("A", idempotency_key="x")


def test_a_service_that_does_not_take_numbers_is_refused(issue, svc):
    svc["B"].is_active = False
    svc["B"].save()
    with pytest.raises(ValidationError, match="“Chứng thực” hiện không nhận số"):
        issue("B")
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(2026, 11, 17, 6, 45, tzinfo=HCM),  # before opening
        dt.datetime(2026, 11, 17, 12, 0, tzinfo=HCM),  # lunch break
        dt.datetime(2026, 11, 17, 17, 5, tzinfo=HCM),  # after closing
        dt.datetime(2026, 11, 22, 9, 0, tzinfo=HCM),  # Sunday
        dt.datetime(2026, 11, 24, 9, 0, tzinfo=HCM),  # Ngày Văn hoá Việt Nam (holiday from 2026)
    ],
)
def test_no_ticket_outside_opening_hours(commune, svc, clock, when):
    clock.set(when)
    with pytest.raises(ValidationError, match="Ngoài giờ tiếp nhận"):
        services.issue_ticket(unit=commune, service=svc["A"], source="kiosk")
    assert not Ticket.objects.exists()


def test_an_announced_day_off_closes_the_kiosk(issue, clock, commune):
    CalendarException.objects.create(
        date=dt.date(2026, 11, 18), kind=CalendarException.Kind.DAY_OFF, name="Nghỉ bù"
    )
    clock.set(dt.datetime(2026, 11, 18, 9, 0, tzinfo=HCM))
    with pytest.raises(ValidationError, match="Ngoài giờ tiếp nhận"):
        issue("A")


def test_saturday_morning_reception_takes_tickets_only_where_the_unit_opens(issue, clock, commune):
    clock.set(dt.datetime(2026, 11, 21, 8, 0, tzinfo=HCM))
    with pytest.raises(ValidationError):
        issue("A")
    commune.opens_saturday_morning = True
    commune.save()
    assert issue("A").code == "A001"


def test_another_units_service_is_refused(commune, other_commune, clock):
    foreign = services.Service.objects.create(unit=other_commune, code="A", name="Hộ tịch")
    with pytest.raises(ValidationError, match="không thuộc đơn vị"):
        services.issue_ticket(unit=commune, service=foreign, source="kiosk")


def test_a_wrong_phone_number_is_refused(issue):
    with pytest.raises(ValidationError, match="Số điện thoại không hợp lệ"):
        issue("A", phone="12345")
    assert issue("A", phone="0912345678").phone == "0912345678"


def test_issuing_writes_the_ticket_history_and_the_audit_log(issue):
    ticket = issue("A", priority="elderly")
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.from_status, event.to_status, event.action) == ("", "waiting", "issue")
    audit = AuditEvent.objects.get(action="queue.ticket_issued")
    assert audit.object_id == str(ticket.pk)
    assert audit.changes["code"] == "A001"
    assert audit.changes["priority_reason"] == "elderly"
