# ruff: noqa: F811  (fixtures imported from test_booking_fixtures are used as arguments)
"""Booking rules: slots from the calendar, capacity, 10-minute holds, limits, cancel, reschedule."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from motcua.core.audit import verify_chain
from motcua.core.statemachine import IllegalTransition
from motcua.queueing import booking
from motcua.queueing.models import Booking, BookingEvent

from .test_booking_fixtures import WEDNESDAY, at, by_owner, confirmed, hold, rule  # noqa: F401

pytestmark = pytest.mark.django_db


def starts(slots):
    return [f"{s.start:%H:%M}" for s in slots]


def test_slots_are_cut_from_office_hours_of_a_working_day(svc, rule, clock):
    slots = booking.available_slots(svc["A"], WEDNESDAY)
    assert starts(slots)[:3] == ["07:30", "08:00", "08:30"]
    assert "11:00" in starts(slots) and "11:30" not in starts(slots)  # lunch break
    assert starts(slots)[8:] == ["13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30"]
    assert {s.remaining for s in slots} == {2}


def test_todays_slots_that_have_started_are_not_offered(svc, rule, clock):
    today = booking.available_slots(svc["A"], dt.date(2026, 11, 17))
    assert starts(today)[0] == "09:30"  # it is 09:00 now


def test_no_slots_on_national_day_nor_on_sunday(svc, rule, clock):
    clock.set(at(dt.date(2026, 8, 28), 9))  # Friday before the 2/9 holiday
    assert booking.available_slots(svc["A"], dt.date(2026, 9, 2)) == []  # Quốc khánh
    assert booking.available_slots(svc["A"], dt.date(2026, 9, 6)) == []  # Sunday
    assert booking.available_slots(svc["A"], dt.date(2026, 9, 5)) == []  # Saturday, closed
    assert booking.available_slots(svc["A"], dt.date(2026, 9, 4))  # Friday after: open


def test_saturday_morning_only_where_the_commune_receives_then(commune, svc, rule, clock):
    commune.opens_saturday_morning = True
    commune.save()
    svc["A"].refresh_from_db()
    saturday = booking.available_slots(svc["A"], dt.date(2026, 11, 21))
    assert starts(saturday)[0] == "07:30" and starts(saturday)[-1] == "11:00"
    assert dt.date(2026, 11, 22) not in booking.bookable_days(svc["A"])  # Sunday


def test_a_service_without_a_booking_rule_takes_no_bookings(svc, rule, clock):
    assert booking.available_slots(svc["B"], WEDNESDAY) == []
    with pytest.raises(ValidationError, match="không nhận đặt hẹn"):
        booking.hold_slot(
            service=svc["B"], slot_start=at(WEDNESDAY, 9), citizen_name="An", phone="0912345678"
        )


def test_a_full_slot_disappears_and_a_third_citizen_gets_a_clear_message(svc, hold):
    hold(9, 0)
    hold(9, 0)
    assert "09:00" not in starts(booking.available_slots(svc["A"], WEDNESDAY))
    with pytest.raises(ValidationError, match="Khung giờ 09:00 ngày 18/11/2026 vừa hết chỗ"):
        hold(9, 0)
    assert Booking.objects.count() == 2


def test_a_hold_expires_after_ten_minutes_and_frees_the_seat(svc, hold, clock):
    first = hold(9, 0)
    hold(9, 0)
    clock.advance(minutes=9, seconds=59)
    assert "09:00" not in starts(booking.available_slots(svc["A"], WEDNESDAY))
    clock.advance(seconds=1)
    slot = next(s for s in booking.available_slots(svc["A"], WEDNESDAY) if s.start.hour == 9)
    assert (slot.start.minute, slot.remaining) == (0, 2)
    late = hold(9, 0)  # someone else takes the freed seat
    with pytest.raises(IllegalTransition, match="hết thời gian giữ chỗ 10 phút"):
        booking.confirm(booking=first, proof=by_owner(first))
    first.refresh_from_db()
    assert first.status == "expired"
    assert booking.confirm(booking=late, proof=by_owner(late)).status == "confirmed"


def test_the_expiry_job_records_old_holds_once(hold, clock):
    hold(9, 0)
    hold(10, 0)
    clock.advance(minutes=11)
    assert booking.expire_holds() == 2
    assert booking.expire_holds() == 0
    assert set(Booking.objects.values_list("status", flat=True)) == {"expired"}
    assert BookingEvent.objects.filter(action="expire").count() == 2


def test_a_double_tap_holds_one_seat(svc, hold):
    first = hold(9, 0, idempotency_key="tap-tap-key-001")
    again = hold(9, 0, idempotency_key="tap-tap-key-001")
    assert first.pk == again.pk
    assert Booking.objects.count() == 1
    one = booking.confirm(booking=first, proof=by_owner(first))
    assert one.pk == booking.confirm(booking=again, proof=by_owner(again)).pk


def test_confirming_twice_is_harmless(hold):
    held = hold(9, 0)
    one = booking.confirm(booking=held, proof=by_owner(held))
    two = booking.confirm(booking=held, proof=by_owner(held))
    assert one.status == two.status == "confirmed"
    assert BookingEvent.objects.filter(action="confirm").count() == 1


def test_one_phone_holds_at_most_two_active_bookings(hold):
    hold(9, 0, phone="0912345678")
    second = hold(10, 0, phone="0912 345 678")  # spaces are tolerated
    with pytest.raises(ValidationError, match="đã có 2 lịch hẹn"):
        hold(11, 0, phone="+84912345678")
    booking.cancel(booking=second)
    assert hold(11, 0, phone="0912345678").status == "held"


def test_one_citizen_id_holds_at_most_two_active_bookings(hold):
    hold(9, 0, citizen_id="042090001234")
    hold(10, 0, citizen_id="042090001234")
    with pytest.raises(ValidationError, match="Số định danh này đã có 2 lịch hẹn"):
        hold(11, 0, citizen_id="042090001234")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "0212345678", "Số điện thoại không hợp lệ: cần số di động"),
        ("phone", "09123", "Số điện thoại không hợp lệ: cần số di động"),
        ("citizen_id", "04209000123", "gồm đúng 12 chữ số"),
        ("citizen_name", "   ", "Xin nhập họ và tên"),
    ],
)
def test_bad_personal_data_gets_a_clear_message(hold, field, value, message):
    with pytest.raises(ValidationError, match=message):
        hold(9, 0, **{field: value})
    assert not Booking.objects.exists()


def test_a_time_that_is_not_a_slot_is_refused(hold):
    with pytest.raises(ValidationError, match="Không có khung giờ này"):
        hold(12, 0)  # lunch
    with pytest.raises(ValidationError, match="Không có khung giờ này"):
        hold(9, 10)  # not on the 30-minute grid


def test_a_village_of_another_commune_is_refused(hold, other_commune):
    from motcua.core.models import Village

    elsewhere = Village.objects.create(unit=other_commune, name="Thôn Đông")
    with pytest.raises(ValidationError, match="không thuộc đơn vị"):
        hold(9, 0, village=elsewhere)


def test_only_the_phone_owner_finds_the_booking_to_change_it(commune, confirmed):
    mine = confirmed(9, 0, phone="0912345678")
    assert booking.find_for_owner(commune, mine.code.lower(), "5678") == mine
    assert booking.find_for_owner(commune, mine.code, "1234") is None
    assert booking.find_for_owner(commune, mine.code, "") is None


def test_cancelling_gives_the_seat_back(svc, confirmed):
    first = confirmed(9, 0)
    confirmed(9, 0)
    booking.cancel(booking=first, reason="bận việc")
    slot = next(s for s in booking.available_slots(svc["A"], WEDNESDAY) if s.start.hour == 9)
    assert slot.remaining == 1
    with pytest.raises(IllegalTransition, match="đã bị huỷ"):
        booking.cancel(booking=first)


def test_rescheduling_moves_the_seat_in_one_step(svc, confirmed):
    old = confirmed(9, 0)
    new = booking.reschedule(booking=old, slot_start=at(WEDNESDAY, 14, 0))
    old.refresh_from_db()
    assert (old.status, new.status) == ("cancelled", "confirmed")
    assert new.rescheduled_from == old and new.code != old.code
    assert f"{booking._local(new.slot_start):%H:%M}" == "14:00"
    remaining = {
        f"{s.start:%H:%M}": s.remaining for s in booking.available_slots(svc["A"], WEDNESDAY)
    }
    assert (remaining["09:00"], remaining["14:00"]) == (2, 1)


def test_rescheduling_to_a_full_slot_changes_nothing(confirmed):
    old = confirmed(9, 0)
    confirmed(14, 0)
    confirmed(14, 0)
    with pytest.raises(ValidationError, match="vừa hết chỗ"):
        booking.reschedule(booking=old, slot_start=at(WEDNESDAY, 14, 0))
    old.refresh_from_db()
    assert old.status == "confirmed"
    assert Booking.objects.filter(status="confirmed").count() == 3


def test_rescheduling_does_not_count_against_the_phone_limit(confirmed):
    first = confirmed(9, 0, phone="0912345678")
    confirmed(10, 0, phone="0912345678")
    moved = booking.reschedule(booking=first, slot_start=at(WEDNESDAY, 15, 0))
    assert moved.phone == "0912345678"


def test_every_change_is_in_the_audit_log(confirmed):
    b = confirmed(9, 0)
    booking.cancel(booking=b)
    from motcua.core.models import AuditEvent

    actions = list(AuditEvent.objects.filter(object_id=str(b.pk)).values_list("action", flat=True))
    assert actions == ["queue.booking_held", "queue.booking_confirmed", "queue.booking_cancelled"]
    assert verify_chain().ok
