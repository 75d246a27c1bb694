"""`load_demo` gives the demo commune a working queue with weeks of served tickets behind it.

The queue's clock (`queueing.services.now`) is pinned to a Tuesday morning inside office hours,
so the history always covers the same 20 working days and a ticket can be issued "today".
"""

import datetime as dt
import io
import time
from collections import Counter as Tally
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from motcua.core import calendar
from motcua.core.models import AuditEvent, Counter, Unit
from motcua.demo import queue
from motcua.demo.management.commands import load_demo as load_demo_command
from motcua.feedback.models import Rating
from motcua.queueing import services as queue_services
from motcua.queueing.models import (
    CounterAssignment,
    QueuePolicy,
    Service,
    Ticket,
    TicketEvent,
    TicketSequence,
)
from motcua.queueing.selectors import queue_statistics

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.date(2026, 11, 17)  # a plain Tuesday
TUESDAY_9AM = dt.datetime(2026, 11, 17, 9, 0, tzinfo=HCM)
DEMO_COMMUNE = "11824"  # Xã Vĩnh Bảo
SECOND_COMMUNE = "11836"  # Xã Vĩnh Thịnh
SERVICE_MINUTES = {"A": (6, 12), "B": (3, 6), "C": (12, 25), "D": (8, 15)}


@pytest.fixture(autouse=True)
def queue_clock(monkeypatch):
    monkeypatch.setattr(queue_services, "now", lambda: TUESDAY_9AM)
    return TUESDAY_9AM


def load_demo() -> str:
    out = io.StringIO()
    call_command(load_demo_command.Command(), stdout=out)
    return out.getvalue()


def history(unit_code: str = DEMO_COMMUNE):
    return Ticket.objects.filter(unit__code=unit_code, day__lt=TODAY)


def queue_counts() -> dict[str, int]:
    return {
        "services": Service.objects.count(),
        "service_procedures": Service.procedures.through.objects.count(),
        "assignments": CounterAssignment.objects.count(),
        "assigned_services": CounterAssignment.services.through.objects.count(),
        "policies": QueuePolicy.objects.count(),
        "tickets": Ticket.objects.count(),
        "events": TicketEvent.objects.count(),
        "sequences": TicketSequence.objects.count(),
    }


def snapshot(unit_code: str) -> list[tuple]:
    return list(
        history(unit_code)
        .order_by("day", "issued_service__code", "number")
        .values_list(
            "day", "code", "issued_at", "called_at", "finished_at", "status", "counter__number"
        )
    )


def test_demo_commune_has_services_a_to_e_and_every_counter_knows_what_it_serves():
    output = load_demo()

    commune = Unit.objects.get(code=DEMO_COMMUNE)
    services = {s.code: s for s in Service.objects.filter(unit=commune)}
    assert {code: s.name for code, s in services.items()} == {
        "A": "Hộ tịch",
        "B": "Chứng thực",
        "C": "Đất đai - Xây dựng",
        "D": "Lao động - Thương binh và Xã hội / Bảo trợ xã hội",
        "E": "Khác",
    }
    served = {
        c.number: set(c.queue_setup.services.values_list("code", flat=True))
        for c in Counter.objects.filter(unit=commune).select_related("queue_setup")
    }
    # counter 3 is "Bảo trợ xã hội - Người có công", counter 4 "Đất đai - Xây dựng"
    assert served == {
        1: {"A", "B"},
        2: {"A", "B"},
        3: {"D"},
        4: {"C"},
        5: {"A", "B", "E"},
        6: {"A", "B", "C", "D", "E"},
    }
    assert services["A"].procedures.filter(code="1.001193").exists()  # khai sinh
    assert services["B"].procedures.filter(field__name="Chứng thực").count() == (
        services["B"].procedures.count()
    )
    assert services["C"].procedures.filter(field__name="Đất đai").exists()
    assert services["D"].procedures.filter(field__name="Người có công").exists()
    assert services["E"].procedures.filter(field__name="Đăng ký hộ kinh doanh").exists()
    every_procedure = commune.procedures.count()
    assert sum(s.procedures.count() for s in services.values()) == every_procedure
    assert QueuePolicy.objects.get(unit=commune).calls_before_no_show == 3
    assert "Hàng đợi Xã Vĩnh Bảo: 5 nhóm dịch vụ, 6 quầy" in output

    second = Unit.objects.get(code=SECOND_COMMUNE)
    assert Service.objects.filter(unit=second).count() == 5
    assert CounterAssignment.objects.filter(counter__unit=second).count() == 2
    assert history(SECOND_COMMUNE).exists()


def test_history_covers_the_last_twenty_working_days_with_25_to_60_tickets_a_day():
    load_demo()

    per_day = Tally(history().values_list("day", flat=True))
    assert len(per_day) == 20
    assert all(calendar.is_working_day(day) for day in per_day)
    assert max(per_day) == calendar.previous_working_day(TODAY)
    assert all(25 <= n <= 60 for n in per_day.values()), per_day
    assert not Ticket.objects.filter(day__gte=TODAY).exists()

    commune = Unit.objects.get(code=DEMO_COMMUNE)
    tickets = list(history().select_related("village"))
    assert all(queue_services.is_open_for_tickets(commune, t.issued_at) for t in tickets)
    assert all(t.village is not None and t.village.unit_id == commune.pk for t in tickets)
    assert not any(t.dossier_code for t in tickets)
    assert {t.status for t in tickets} == {Ticket.Status.DONE, Ticket.Status.NO_SHOW}
    # the biggest villages bring the most people
    by_village = Tally(t.village.name for t in tickets)
    assert by_village["Tổ dân phố 1"] > by_village["Thôn 6"]
    priority = sum(t.is_priority for t in tickets) / len(tickets)
    assert 0.08 <= priority <= 0.17
    assert all(
        t.age_group == Ticket.AgeGroup.SENIOR
        for t in tickets
        if t.priority_reason == Ticket.Priority.ELDERLY
    )


def test_every_history_ticket_has_its_events_and_each_day_its_sequence():
    load_demo()

    ticket = history().filter(status=Ticket.Status.DONE).first()
    assert list(ticket.events.values_list("action", flat=True)) == [
        "issue",
        "call",
        "start",
        "finish",
    ]
    absent = history().filter(status=Ticket.Status.NO_SHOW).first()
    assert list(absent.events.values_list("action", flat=True)) == [
        "issue",
        "call",
        "recall",
        "recall",
        "skip",
    ]
    assert absent.call_count == 3
    assert TicketEvent.objects.filter(ticket__unit__code=DEMO_COMMUNE).count() == sum(
        5 if status == Ticket.Status.NO_SHOW else 4
        for status in history().values_list("status", flat=True)
    )
    last_numbers = Tally()
    for service_id, day, number in history().values_list("issued_service", "day", "number"):
        last_numbers[(service_id, day)] = max(last_numbers[(service_id, day)], number)
    sequences = {
        (s.service_id, s.day): s.last_value
        for s in TicketSequence.objects.filter(service__unit__code=DEMO_COMMUNE)
    }
    assert sequences == dict(last_numbers)
    # numbers are 1..n without gaps in each service and day
    assert sum(last_numbers.values()) == history().count()


def test_queue_statistics_over_the_history_show_realistic_waits_service_times_and_no_shows():
    load_demo()
    commune = Unit.objects.get(code=DEMO_COMMUNE)

    stats = queue_statistics(
        unit_ids=[commune.pk], date_from=TODAY - dt.timedelta(days=60), date_to=TODAY
    )

    assert stats.total.issued == history().count()
    for code, figures in stats.by_service.items():
        assert 5 * 60 <= figures.mean_wait_seconds <= 40 * 60, code
    for code, (low, high) in SERVICE_MINUTES.items():
        mean = stats.by_service[code].mean_service_seconds / 60
        assert low <= mean <= high, (code, mean)
    assert 0.03 <= stats.total.no_show_rate <= 0.10
    morning_peak = stats.by_hour[8].issued + stats.by_hour[9].issued
    afternoon_peak = stats.by_hour[14].issued + stats.by_hour[15].issued
    assert morning_peak > afternoon_peak > stats.by_hour[16].issued + stats.by_hour[13].issued
    assert stats.by_hour[9].mean_wait_seconds > stats.by_hour[16].mean_wait_seconds
    assert set(stats.by_counter) == set(
        Counter.objects.filter(unit=commune).values_list("pk", flat=True)
    )


def test_loading_the_demo_again_changes_no_counts_and_keeps_todays_tickets():
    load_demo()
    commune = Unit.objects.get(code=DEMO_COMMUNE)
    service_a = Service.objects.get(unit=commune, code="A")
    today_ticket = queue_services.issue_ticket(unit=commune, service=service_a, source="kiosk")
    before = queue_counts()

    output = load_demo()

    assert queue_counts() == before
    assert "lịch sử đã có, giữ nguyên" in output
    today_ticket.refresh_from_db()
    assert today_ticket.status == Ticket.Status.WAITING and today_ticket.code == "A001"
    assert TicketSequence.objects.get(service=service_a, day=TODAY).last_value == 1


def test_the_first_ticket_issued_today_after_the_demo_is_number_001():
    load_demo()
    commune = Unit.objects.get(code=DEMO_COMMUNE)
    services = {s.code: s for s in Service.objects.filter(unit=commune)}

    first = queue_services.issue_ticket(unit=commune, service=services["A"], source="kiosk")
    second = queue_services.issue_ticket(unit=commune, service=services["A"], source="remote")
    land = queue_services.issue_ticket(unit=commune, service=services["C"], source="kiosk")

    assert [first.code, second.code, land.code] == ["A001", "A002", "C001"]
    assert first.day == TODAY


def _wipe_ticket_events() -> None:
    """Ticket events are append-only on PostgreSQL (queueing 0004): only TRUNCATE, which the
    test session may run (tests/conftest.py), empties them there."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # the demo's inserts leave deferred FK checks pending, which TRUNCATE refuses
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE queueing_ticketevent")
    else:
        TicketEvent.objects.all().delete()


def test_history_is_the_same_on_every_load_of_the_same_day_and_fast():
    load_demo()
    first = snapshot(DEMO_COMMUNE)
    Rating.objects.all().delete()  # the demo's ratings protect their tickets
    _wipe_ticket_events()
    Ticket.objects.all().delete()
    TicketSequence.objects.all().delete()

    started = time.monotonic()
    results = queue.load_queue(spec=queue.read_spec())
    elapsed = time.monotonic() - started

    assert snapshot(DEMO_COMMUNE) == first
    assert [r.history_days for r in results] == [20, 10]
    assert elapsed < 5, f"queue demo took {elapsed:.1f} s"


def test_audit_log_still_verifies_and_holds_no_event_per_history_ticket():
    load_demo()

    out = io.StringIO()
    call_command("audit_verify", stdout=out)  # raises CommandError if the chain is broken

    assert not AuditEvent.objects.filter(action__startswith="queue.ticket").exists()
    loaded = AuditEvent.objects.filter(action="demo.queue_loaded")
    assert loaded.count() == 2
    assert loaded.get(unit__code=DEMO_COMMUNE).changes["history_days"] == 20
    load_demo()
    assert AuditEvent.objects.filter(action="demo.queue_loaded").count() == 2


def test_a_commune_missing_from_the_units_is_skipped_without_error():
    spec = queue.read_spec()
    spec["communes"] = [{**spec["communes"][0], "unit": "99999"}]

    assert queue.load_queue(spec=spec) == []
    assert not Service.objects.exists()


@override_settings(SECURE=True)
def test_no_invented_history_is_written_on_a_secure_install():
    output = load_demo()

    assert "không tạo lịch sử mẫu khi DJANGO_SECURE=1" in output
    assert Service.objects.filter(unit__code=DEMO_COMMUNE).count() == 5
    assert not Ticket.objects.exists()
    assert not TicketSequence.objects.exists()


def test_every_demo_service_takes_appointments():
    from motcua.queueing.models import BookingRule, Service

    call_command("load_demo", stdout=io.StringIO())
    services = Service.objects.filter(unit__code="11824")
    assert services.count() == 5
    assert BookingRule.objects.filter(service__in=services, is_active=True).count() == 5
