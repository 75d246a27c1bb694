# ruff: noqa: F811  (fixtures imported from test_booking_fixtures are used as arguments)
"""Arriving with a booking, no-shows and reminders: what the citizen and the queue notice."""

import pytest
from django.core.exceptions import ValidationError

from motcua.core.statemachine import IllegalTransition
from motcua.queueing import booking, services
from motcua.queueing.models import Booking, BookingEvent, Ticket

from .test_booking_fixtures import WEDNESDAY, at, confirmed, hold, rule  # noqa: F401

pytestmark = pytest.mark.django_db


def test_arriving_on_time_gives_a_priority_appointment_ticket(confirmed, clock):
    b = confirmed(9, 0)
    clock.set(at(WEDNESDAY, 8, 40))
    ticket = booking.check_in(booking=b)
    b.refresh_from_db()
    assert (ticket.code, ticket.source, ticket.priority_reason) == (
        "A001",
        "appointment",
        "appointment",
    )
    assert b.status == "checked_in" and b.ticket == ticket
    assert (ticket.phone, ticket.service_id) == (b.phone, b.service_id)


def test_checking_in_twice_returns_the_same_ticket(confirmed, clock):
    b = confirmed(9, 0)
    clock.set(at(WEDNESDAY, 9, 5))
    first = booking.check_in(booking=b)
    second = booking.check_in(booking=b)
    assert first.pk == second.pk
    assert Ticket.objects.count() == 1


def test_arriving_late_gives_an_ordinary_ticket(confirmed, clock):
    b = confirmed(9, 0)
    clock.set(at(WEDNESDAY, 9, 16))
    ticket = booking.check_in(booking=b)
    assert (ticket.source, ticket.priority_reason) == ("appointment", "none")
    assert BookingEvent.objects.filter(booking=b, action="check_in").get().note == "late"


def test_an_on_time_appointment_is_called_before_earlier_walk_ins(
    confirmed, clock, open_counters, officer, commune, svc
):
    b = confirmed(9, 0)
    clock.set(at(WEDNESDAY, 8, 50))
    walk_in = services.issue_ticket(unit=commune, service=svc["A"], source="kiosk")
    clock.advance(minutes=5)
    ticket = booking.check_in(booking=b)
    called = services.call_next(counter=open_counters[1], officer=officer)
    assert called.pk == ticket.pk != walk_in.pk


def test_arriving_too_early_or_on_another_day_is_explained(confirmed, clock):
    b = confirmed(14, 0)
    clock.set(at(WEDNESDAY, 13, 0))
    with pytest.raises(ValidationError, match=r"Bạn đến sớm\. Xin quay lại lấy số từ 13:30"):
        booking.check_in(booking=b)
    clock.set(at(WEDNESDAY.replace(day=19), 14, 0))
    with pytest.raises(ValidationError, match="là ngày 18/11/2026, không phải hôm nay"):
        booking.check_in(booking=b)
    assert not Ticket.objects.exists()


def test_a_cancelled_or_unconfirmed_booking_cannot_check_in(hold, confirmed, clock):
    held = hold(9, 0)
    cancelled = confirmed(9, 30)
    booking.cancel(booking=cancelled)
    clock.set(at(WEDNESDAY, 9, 0))
    with pytest.raises(IllegalTransition, match="chưa được xác nhận"):
        booking.check_in(booking=held)
    with pytest.raises(IllegalTransition, match="đã bị huỷ"):
        booking.check_in(booking=cancelled)


def test_no_show_is_recorded_an_hour_after_the_slot(confirmed, clock):
    missed = confirmed(9, 0)
    came = confirmed(9, 30)
    clock.set(at(WEDNESDAY, 9, 30))
    booking.check_in(booking=came)
    clock.set(at(WEDNESDAY, 9, 59))
    assert booking.mark_no_shows() == 0
    clock.set(at(WEDNESDAY, 10, 0))
    assert booking.mark_no_shows() == 1
    assert booking.mark_no_shows() == 0
    missed.refresh_from_db()
    came.refresh_from_db()
    assert (missed.status, came.status) == ("no_show", "checked_in")
    assert missed.no_show_at == at(WEDNESDAY, 10, 0)


def test_a_no_show_who_still_comes_that_day_gets_an_ordinary_ticket(confirmed, clock):
    b = confirmed(9, 0)
    clock.set(at(WEDNESDAY, 10, 30))
    booking.mark_no_shows()
    ticket = booking.check_in(booking=b)
    assert ticket.priority_reason == "none"


def test_reminders_go_out_once_the_day_before_and_thirty_minutes_before(confirmed, hold, clock):
    from motcua.integrations.models import Notification

    morning = confirmed(9, 0, phone="0912345678")
    hold(10, 0)  # never confirmed: no reminder
    clock.set(at(WEDNESDAY.replace(day=17), 15, 59))
    assert booking.send_reminders() == {"day_before": 0, "30min": 0}
    clock.set(at(WEDNESDAY.replace(day=17), 16, 0))
    assert booking.send_reminders() == {"day_before": 1, "30min": 0}
    assert booking.send_reminders() == {"day_before": 0, "30min": 0}
    clock.set(at(WEDNESDAY, 8, 30))
    assert booking.send_reminders() == {"day_before": 0, "30min": 1}
    assert booking.send_reminders() == {"day_before": 0, "30min": 0}
    sms = list(Notification.objects.order_by("id"))
    assert [(n.channel, n.purpose, n.to_address) for n in sms] == [
        ("sms", "booking_reminder", "+84912345678"),
        ("sms", "booking_reminder", "+84912345678"),
    ]
    assert sms[0].body.startswith("Nhắc lịch hẹn ngày mai: 09:00 ngày 18/11/2026")
    assert sms[1].body.startswith("Sắp đến giờ hẹn: 09:00 ngày 18/11/2026")
    assert morning.code in sms[1].body
    morning.refresh_from_db()
    assert morning.reminder_day_before_sent_at and morning.reminder_30min_sent_at


def test_a_browser_that_subscribed_with_the_booking_code_gets_a_push_too(confirmed, clock):
    from motcua.integrations.models import Notification, PushSubscription

    b = confirmed(9, 0)
    PushSubscription.objects.create(
        endpoint="https://push.example/abc", p256dh="k" * 87, auth="a" * 22, booking_ref=b.code
    )
    clock.set(at(WEDNESDAY, 8, 45))
    booking.send_reminders()
    assert sorted(Notification.objects.values_list("channel", flat=True)) == ["push", "sms"]


def test_booking_ids_are_unique_codes_without_confusable_letters(hold):
    codes = {hold(9, 0).code, hold(9, 30).code}
    assert len(codes) == 2
    for code in codes:
        assert len(code) == 8 and not set(code) & set("01OIL")
    assert Booking.objects.count() == 2
