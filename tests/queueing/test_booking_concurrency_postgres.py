# ruff: noqa: F811  (fixtures imported from test_booking_fixtures are used as arguments)
"""Under real concurrency on PostgreSQL: the last seats of a slot go to exactly that many people."""

import pytest
from django.core.exceptions import ValidationError

from motcua.core.audit import verify_chain
from motcua.queueing import booking
from motcua.queueing.models import Booking

from .test_booking_concurrency_helpers import run_together
from .test_booking_fixtures import WEDNESDAY, at, confirmed, hold, rule  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_people_racing_for_the_last_three_seats_get_exactly_three(svc, rule, hold, clock):
    rule.capacity = 5
    rule.save()
    hold(9, 0)
    hold(9, 0)

    def job(i):
        try:
            return booking.hold_slot(
                service=svc["A"],
                slot_start=at(WEDNESDAY, 9, 0),
                citizen_name=f"Người thứ {i}",
                phone=f"09800000{i:02d}",
            ).pk
        except ValidationError as exc:
            assert exc.code == "slot_full"
            return None

    results = run_together(20, job)
    assert len([r for r in results if r is not None]) == 3
    assert Booking.objects.filter(slot_start=at(WEDNESDAY, 9, 0)).count() == 5
    assert booking.available_slots(svc["A"], WEDNESDAY)[0].start.hour == 7
    assert all(s.start != at(WEDNESDAY, 9, 0) for s in booking.available_slots(svc["A"], WEDNESDAY))
    assert verify_chain().ok


def test_a_double_tap_racing_itself_holds_one_seat(svc, rule, clock):
    def job(_i):
        return booking.hold_slot(
            service=svc["A"],
            slot_start=at(WEDNESDAY, 9, 0),
            citizen_name="Lê Thị Mai",
            phone="0977000111",
            idempotency_key="same-screen-key-1",
        ).pk

    assert len(set(run_together(6, job))) == 1
    assert Booking.objects.count() == 1
