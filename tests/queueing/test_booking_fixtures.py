"""Shared fixtures of the booking tests (imported by the test_booking_* modules; no tests here).

The commune, its services and the queue clock come from conftest.py: the clock stands at
Tuesday 17/11/2026 09:00 and `booking` reads it through `services.now()`.
"""

import datetime as dt

import pytest

from motcua.queueing import booking
from motcua.queueing.models import BookingRule

from .conftest import HCM

WEDNESDAY = dt.date(2026, 11, 18)


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=HCM)


def by_owner(b) -> booking.Proof:
    """The proof the browser that booked `b` shows: its owner token."""
    return booking.Proof(device_tokens=(booking.owner_token(b),))


@pytest.fixture
def rule(svc):
    """Hộ tịch (A): 30-minute slots, two citizens each."""
    return BookingRule.objects.create(service=svc["A"], slot_minutes=30, capacity=2)


@pytest.fixture
def hold(svc, rule, clock):
    """hold(hh, mm, phone=...) -> a held booking of service A on Wednesday 18/11."""
    seq = {"n": 0}

    def make(hh=9, mm=0, day=WEDNESDAY, **extra):
        seq["n"] += 1
        extra.setdefault("phone", f"09123450{seq['n']:02d}")
        extra.setdefault("citizen_name", "Nguyễn Thị Hoa")
        return booking.hold_slot(service=svc["A"], slot_start=at(day, hh, mm), **extra)

    return make


@pytest.fixture
def confirmed(hold):
    def make(hh=9, mm=0, **extra):
        held = hold(hh, mm, **extra)
        return booking.confirm(booking=held, proof=by_owner(held))

    return make
