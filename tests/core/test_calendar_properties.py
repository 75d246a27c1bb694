"""Properties of deadline arithmetic over random receptions in 2024-2027."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core import calendar as cal

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PROPERTY = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31))


@pytest.fixture(autouse=True)
def shipped_calendar():
    cal.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    yield
    cal.clear_cache()


@PROPERTY
@given(start=days, n=st.integers(min_value=0, max_value=60))
def test_due_date_is_a_working_day_n_working_days_after_day_zero(start, n):
    due = cal.add_working_days(start, n)
    assert cal.is_working_day(due)
    assert cal.working_days_between(cal.day_zero(start), due) == n
    if cal.is_working_day(start):
        assert cal.working_days_between(start, due) == n


@PROPERTY
@given(
    start=days,
    minutes=st.integers(min_value=0, max_value=24 * 60 - 1),
    halves=st.integers(min_value=0, max_value=40),
)
def test_datetime_deadlines_close_at_1130_or_1700_of_a_working_day(start, minutes, halves):
    received = dt.datetime.combine(start, dt.time(minutes // 60, minutes % 60), tzinfo=VN)
    n = Decimal(halves) / 2
    due = cal.add_working_days(received, n)
    assert due > received
    assert cal.is_working_day(due.date())
    assert due.time() == (dt.time(11, 30) if halves % 2 else dt.time(17, 0))
    whole = (halves + 1) // 2
    assert cal.working_days_between(cal.day_zero(received), due) == whole
    assert due.date() == cal.add_working_days(cal.day_zero(received), n)


@PROPERTY
@given(a=days, b=days)
def test_working_days_between_is_antisymmetric_and_additive(a, b):
    assert cal.working_days_between(a, b) == -cal.working_days_between(b, a)
    middle = min(a, b) + (max(a, b) - min(a, b)) / 2
    assert cal.working_days_between(a, b) == cal.working_days_between(
        a, middle
    ) + cal.working_days_between(middle, b)
