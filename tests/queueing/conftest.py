"""A commune with three queue services and two counters, a clock inside office hours, staff."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.core.models import Counter, Unit
from motcua.queueing import services
from motcua.queueing.models import CounterAssignment, Service
from tests.clock import Clock

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
# Tuesday 17/11/2026, a plain working day; 09:00 in the commune.
TUESDAY_9AM = dt.datetime(2026, 11, 17, 9, 0, tzinfo=HCM)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def clock(monkeypatch):
    c = Clock(TUESDAY_9AM)
    monkeypatch.setattr(services, "now", c)
    return c


@pytest.fixture
def commune(db):
    province = Unit.objects.create(code="42", name="Tỉnh Hà Tĩnh", kind=Unit.Kind.PROVINCE)
    return Unit.objects.create(
        code="18073", name="Xã Thạch Hà", kind=Unit.Kind.COMMUNE, parent=province
    )


@pytest.fixture
def other_commune(commune):
    return Unit.objects.create(
        code="18074", name="Xã Cẩm Xuyên", kind=Unit.Kind.COMMUNE, parent=commune.parent
    )


@pytest.fixture
def svc(commune):
    """A: hộ tịch, B: chứng thực, C: đất đai."""
    return {
        "A": Service.objects.create(unit=commune, code="A", name="Hộ tịch", order=1),
        "B": Service.objects.create(unit=commune, code="B", name="Chứng thực", order=2),
        "C": Service.objects.create(unit=commune, code="C", name="Đất đai, xây dựng", order=3),
    }


@pytest.fixture
def counters(commune, svc):
    one = Counter.objects.create(unit=commune, number=1, name="Hộ tịch - Chứng thực")
    two = Counter.objects.create(unit=commune, number=2, name="Đất đai")
    CounterAssignment.objects.create(counter=one).services.set([svc["A"], svc["B"]])
    CounterAssignment.objects.create(counter=two).services.set([svc["A"], svc["C"]])
    return {1: one, 2: two}


@pytest.fixture
def make_officer(db):
    seq = {"n": 0}

    def make(unit, role=Role.COUNTER_OFFICER, **extra):
        seq["n"] += 1
        user = User.objects.create_user(
            username=f"quay{seq['n']}",
            password="Mot-cua-2025!an-toan",
            full_name=f"Cán bộ {seq['n']}",
        )
        StaffAssignment.objects.create(user=user, unit=unit, role=role)
        return user

    return make


@pytest.fixture
def officer(commune, make_officer):
    return make_officer(commune)


@pytest.fixture
def open_counters(counters, officer, clock):
    for counter in counters.values():
        services.open_counter(counter=counter, officer=officer)
    return counters


@pytest.fixture
def issue(commune, svc, clock):
    """issue("A", "elderly") -> a ticket, one minute after the previous one."""

    def make(code="A", priority="none", **extra):
        clock.advance(minutes=1)
        return services.issue_ticket(
            unit=commune,
            service=svc[code],
            source=extra.pop("source", "kiosk"),
            priority_reason=priority,
            **extra,
        )

    return make
