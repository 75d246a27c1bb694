"""The working-day calendar: holidays, the government's swaps, the 15:00 rule, half days."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.core.management import call_command
from django.urls import reverse

from motcua.core import calendar as cal
from motcua.core.models import AuditEvent, CalendarException, Unit

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date


def at(y, m, d, hour=9, minute=0):
    """A reception moment, Vietnamese local time."""
    return dt.datetime(y, m, d, hour, minute, tzinfo=VN)


@pytest.fixture(autouse=True)
def shipped_calendar():
    cal.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    yield
    cal.clear_cache()


@pytest.fixture
def province():
    return Unit.objects.create(code="31", name="Hải Phòng", kind=Unit.Kind.PROVINCE)


@pytest.fixture
def commune(province):
    return Unit.objects.create(code="11311", name="Xã An Hưng", kind="commune", parent=province)


@pytest.fixture
def other_commune(province):
    return Unit.objects.create(code="11312", name="Xã An Lão", kind="commune", parent=province)


# --- days off and make-up days ---


def test_weekdays_count_and_weekends_do_not():
    assert cal.is_working_day(D(2025, 3, 10))  # Monday
    assert cal.is_working_day(D(2025, 3, 14))  # Friday
    assert not cal.is_working_day(D(2025, 3, 15))  # Saturday
    assert not cal.is_working_day(D(2025, 3, 16))  # Sunday


def test_tet_at_ty_2025_closes_the_office_from_25_january_to_2_february():
    closed = [D(2025, 1, 25) + dt.timedelta(days=i) for i in range(9)]
    assert not any(cal.is_working_day(day) for day in closed)
    assert cal.is_working_day(D(2025, 1, 24))
    assert cal.is_working_day(D(2025, 2, 3))
    assert "Tết" in cal.day_off_reason(D(2025, 1, 29))


def test_dossier_received_before_tet_2025_is_due_after_tet():
    # Friday 24/1/2025, 3 working days: 3, 4 and 5 February.
    assert cal.add_working_days(at(2025, 1, 24, 9), 3) == at(2025, 2, 5, 17)


def test_dossier_received_before_tet_2026_is_due_after_tet():
    # Tết Bính Ngọ: off Monday 16 to Friday 20 February 2026 (9 days with the weekends).
    assert not any(cal.is_working_day(D(2026, 2, 14) + dt.timedelta(days=i)) for i in range(9))
    assert cal.add_working_days(at(2026, 2, 13, 10), 2) == at(2026, 2, 24, 17)


def test_hung_kings_day_2025_is_a_day_off():
    assert not cal.is_working_day(D(2025, 4, 7))
    assert cal.add_working_days(D(2025, 4, 4), 1) == D(2025, 4, 8)


def test_hung_kings_day_2026_on_a_sunday_gives_monday_off():
    assert not cal.is_working_day(D(2026, 4, 26))
    assert not cal.is_working_day(D(2026, 4, 27))
    assert cal.add_working_days(at(2026, 4, 24, 9), 1) == at(2026, 4, 28, 17)


def test_swapped_saturday_26_april_2025_is_a_working_day_that_counts():
    assert cal.is_working_day(D(2025, 4, 26))
    assert not cal.is_working_day(D(2025, 5, 2))
    assert not cal.is_working_day(D(2025, 4, 30))
    assert not cal.is_working_day(D(2025, 5, 1))
    # Received Friday 25/4: day 1 is the make-up Saturday, day 2 Monday 28/4, day 3 Tuesday
    # 29/4, then 30/4 to 4/5 are off, so day 4 is Monday 5 May.
    assert cal.add_working_days(at(2025, 4, 25, 9), 1) == at(2025, 4, 26, 17)
    assert cal.add_working_days(at(2025, 4, 25, 9), 4) == at(2025, 5, 5, 17)
    # A dossier received on the make-up Saturday itself counts from that day.
    assert cal.day_zero(at(2025, 4, 26, 9)) == D(2025, 4, 26)


def test_national_day_2025_gives_1_and_2_september_off():
    assert not cal.is_working_day(D(2025, 9, 1))
    assert not cal.is_working_day(D(2025, 9, 2))
    assert cal.add_working_days(at(2025, 8, 29, 9), 1) == at(2025, 9, 3, 17)


def test_national_day_2026_swaps_monday_31_august_for_saturday_22_august():
    assert cal.is_working_day(D(2026, 8, 22))
    assert [cal.is_working_day(D(2026, 8, 31)), cal.is_working_day(D(2026, 9, 1))] == [
        False,
        False,
    ]
    assert not cal.is_working_day(D(2026, 9, 2))
    assert cal.add_working_days(at(2026, 8, 28, 9), 1) == at(2026, 9, 3, 17)


def test_new_year_2026_swap_needs_the_shipped_table():
    assert not cal.is_working_day(D(2026, 1, 2))
    assert cal.is_working_day(D(2026, 1, 10))  # Saturday, make-up day
    # The holidays package alone does not know this swap: the table is what makes it right.
    CalendarException.objects.filter(date__in=[D(2026, 1, 2), D(2026, 1, 10)]).delete()
    assert cal.is_working_day(D(2026, 1, 2))
    assert not cal.is_working_day(D(2026, 1, 10))


def test_vietnamese_culture_day_24_november_2026_is_a_day_off():
    assert not cal.is_working_day(D(2026, 11, 24))
    assert cal.add_working_days(at(2026, 11, 23, 9), 1) == at(2026, 11, 25, 17)
    assert cal.is_working_day(D(2025, 11, 24))  # not a holiday before 2026


def test_shipped_table_agrees_with_the_holidays_package_where_it_says_so():
    rows = json.loads(cal_data_file().read_text(encoding="utf-8"))["exceptions"]
    package = holidays.country_holidays("VN", years=[2025, 2026])
    workdays = package.weekend_workdays
    for row in rows:
        day = D.fromisoformat(row["date"])
        known = day in package if row["kind"] == "day_off" else day in workdays
        assert known == row["in_holidays_package"], row


def cal_data_file():
    from motcua.core.management.commands.load_calendar import DEFAULT_FILE

    return DEFAULT_FILE


# --- reception time, cut-off, Saturday, half days ---


def test_received_before_15h_counts_that_day_as_day_zero():
    assert cal.add_working_days(at(2025, 3, 10, 14, 59), 1) == at(2025, 3, 11, 17)


def test_received_at_or_after_15h_counts_from_the_next_working_day():
    assert cal.add_working_days(at(2025, 3, 10, 15, 0), 1) == at(2025, 3, 12, 17)
    # Friday afternoon: day 0 is Monday.
    assert cal.add_working_days(at(2025, 3, 14, 16, 30), 1) == at(2025, 3, 18, 17)


def test_cutoff_is_configurable(settings):
    settings.MOTCUA_RECEPTION_CUTOFF = "17:00"
    assert cal.add_working_days(at(2025, 3, 10, 16, 30), 1) == at(2025, 3, 11, 17)


def test_saturday_morning_reception_counts_from_monday(commune):
    commune.opens_saturday_morning = True
    commune.save()
    saturday = cal.add_working_days(at(2025, 3, 15, 9), 1, unit=commune)
    monday = cal.add_working_days(at(2025, 3, 17, 8), 1, unit=commune)
    assert saturday == monday == at(2025, 3, 18, 17)


def test_reception_on_a_holiday_counts_from_the_next_working_day():
    assert cal.day_zero(at(2026, 2, 18, 9)) == D(2026, 2, 23)


def test_half_day_ends_at_the_close_of_the_morning():
    monday = at(2025, 3, 10, 9)
    assert cal.add_working_days(monday, Decimal("0.5")) == at(2025, 3, 11, 11, 30)
    assert cal.add_working_days(monday, Decimal("2.5")) == at(2025, 3, 13, 11, 30)
    assert cal.add_working_days(monday, "1.5") == at(2025, 3, 12, 11, 30)
    assert cal.add_working_days(monday, 1.5) == at(2025, 3, 12, 11, 30)
    assert cal.add_working_days(D(2025, 3, 10), Decimal("2.5")) == D(2025, 3, 13)


def test_same_day_procedure_is_due_at_the_close_of_day_zero():
    assert cal.add_working_days(at(2025, 3, 10, 10), 0) == at(2025, 3, 10, 17)
    assert cal.add_working_days(at(2025, 3, 10, 16), 0) == at(2025, 3, 11, 17)
    assert cal.add_working_days(at(2025, 3, 15, 9), 0) == at(2025, 3, 17, 17)
    assert cal.add_working_days(D(2025, 3, 10), 0) == D(2025, 3, 10)


def test_utc_input_is_read_in_vietnamese_time():
    # 08:30 UTC is 15:30 in Hà Nội: after the cut-off.
    received = dt.datetime(2025, 3, 10, 8, 30, tzinfo=dt.UTC)
    due = cal.add_working_days(received, 1)
    assert due == at(2025, 3, 12, 17)
    assert due.utcoffset() == dt.timedelta(hours=7)


@pytest.mark.parametrize("bad", [Decimal("0.3"), -1, "abc", 1.25])
def test_impossible_durations_are_refused_with_a_clear_message(bad):
    with pytest.raises(ValueError, match="ngày làm việc"):
        cal.add_working_days(D(2025, 3, 10), bad)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        cal.add_working_days(dt.datetime(2025, 3, 10, 9), 1)


def test_calendar_day_procedures_move_off_a_day_off():
    # 15 calendar days from Tuesday 20/1/2025 is Wednesday 4/2 (after Tết): unchanged.
    assert cal.add_calendar_days(D(2025, 1, 20), 15) == D(2025, 2, 4)
    # 10 calendar days from 20/1/2025 is 30/1, inside Tết: moved to Monday 3/2.
    assert cal.add_calendar_days(D(2025, 1, 20), 10) == D(2025, 2, 3)


# --- counting between dates ---


def test_working_days_between_counts_days_after_a_up_to_b():
    assert cal.working_days_between(D(2025, 3, 10), D(2025, 3, 10)) == 0
    assert cal.working_days_between(D(2025, 3, 10), D(2025, 3, 11)) == 1
    assert cal.working_days_between(D(2025, 3, 14), D(2025, 3, 17)) == 1  # Fri -> Mon
    assert cal.working_days_between(D(2025, 3, 15), D(2025, 3, 16)) == 0  # Sat -> Sun
    assert cal.working_days_between(D(2025, 1, 24), D(2025, 2, 3)) == 1  # across Tết
    assert cal.working_days_between(D(2025, 12, 31), D(2026, 1, 5)) == 1  # 1/1, 2/1 off


def test_working_days_between_is_antisymmetric():
    pairs = [(D(2025, 3, 10), D(2025, 3, 20)), (D(2025, 12, 20), D(2026, 2, 25))]
    for a, b in pairs:
        assert cal.working_days_between(b, a) == -cal.working_days_between(a, b)
    assert cal.working_days_between(at(2025, 3, 11, 9), at(2025, 3, 10, 9)) == -1


def test_working_days_in_a_month_and_neighbours():
    assert cal.working_days_in_month(2026, 2) == 15  # 20 weekdays minus 5 days of Tết
    assert cal.working_days_in_month(2025, 3) == 21
    assert cal.next_working_day(D(2025, 1, 24)) == D(2025, 2, 3)
    assert cal.previous_working_day(D(2025, 2, 3)) == D(2025, 1, 24)
    assert cal.previous_working_day(D(2026, 1, 5)) == D(2025, 12, 31)


# --- unit-specific exceptions ---


def test_a_commune_day_off_applies_to_that_commune_only(commune, other_commune):
    CalendarException.objects.create(
        date=D(2025, 3, 12), kind="day_off", name="Lễ hội truyền thống xã", unit=commune
    )
    assert not cal.is_working_day(D(2025, 3, 12), unit=commune)
    assert cal.is_working_day(D(2025, 3, 12), unit=other_commune)
    assert cal.is_working_day(D(2025, 3, 12))
    assert cal.add_working_days(D(2025, 3, 11), 1, unit=commune) == D(2025, 3, 13)
    assert cal.add_working_days(D(2025, 3, 11), 1, unit=other_commune.pk) == D(2025, 3, 12)


def test_a_province_day_off_applies_to_its_communes(province, commune):
    elsewhere = Unit.objects.create(code="01", name="Hà Nội", kind=Unit.Kind.PROVINCE)
    far_commune = Unit.objects.create(
        code="00001", name="Phường Ba Đình", kind="ward", parent=elsewhere
    )
    CalendarException.objects.create(
        date=D(2025, 3, 12), kind="day_off", name="Ngày nghỉ của tỉnh", unit=province
    )
    assert not cal.is_working_day(D(2025, 3, 12), unit=province)
    assert not cal.is_working_day(D(2025, 3, 12), unit=commune)
    assert cal.is_working_day(D(2025, 3, 12), unit=far_commune)


def test_a_commune_row_overrides_its_province_row(province, commune):
    CalendarException.objects.create(
        date=D(2025, 3, 15), kind="working_day", name="Tỉnh làm bù thứ Bảy", unit=province
    )
    CalendarException.objects.create(
        date=D(2025, 3, 15), kind="day_off", name="Xã có lễ hội", unit=commune
    )
    assert cal.is_working_day(D(2025, 3, 15), unit=province)
    assert not cal.is_working_day(D(2025, 3, 15), unit=commune)


# --- cache ---


def test_adding_or_removing_an_exception_takes_effect_at_once(commune):
    assert cal.is_working_day(D(2025, 3, 12), unit=commune)  # now cached
    row = CalendarException.objects.create(
        date=D(2025, 3, 12), kind="day_off", name="Bão số 3", unit=commune
    )
    assert not cal.is_working_day(D(2025, 3, 12), unit=commune)
    row.delete()
    assert cal.is_working_day(D(2025, 3, 12), unit=commune)


def test_admin_adding_a_day_off_changes_the_next_deadline(admin_client):
    before = cal.add_working_days(D(2025, 3, 11), 1)
    response = admin_client.post(
        reverse("admin:core_calendarexception_add"),
        {"date": "2025-03-12", "kind": "day_off", "name": "Nghỉ đột xuất", "legal_basis": ""},
    )
    assert response.status_code == 302, "the admin form did not save the row"
    assert CalendarException.objects.filter(date=D(2025, 3, 12), unit=None).exists()
    assert before == D(2025, 3, 12)
    assert cal.add_working_days(D(2025, 3, 11), 1) == D(2025, 3, 13)


def test_another_process_sees_the_change_through_the_shared_version(settings):
    """A worker whose own cache is warm drops it when the shared version moves."""
    settings.MOTCUA_CALENDAR_RECHECK_SECONDS = 0
    assert cal.is_working_day(D(2025, 3, 12))
    # Simulate a change made in another process: the row appears without this process's
    # signal, then the other process bumps the shared version.
    CalendarException.objects.bulk_create(
        [CalendarException(date=D(2025, 3, 12), kind="day_off", name="Nghỉ đột xuất")]
    )
    assert cal.is_working_day(D(2025, 3, 12))  # still the cached answer
    cal._bump_shared_version()
    assert not cal.is_working_day(D(2025, 3, 12))


def test_deadlines_need_no_query_once_the_year_is_cached(django_assert_num_queries, commune):
    cal.add_working_days(at(2025, 3, 10), 10, unit=commune)
    with django_assert_num_queries(0):
        for day in range(1, 28):
            cal.add_working_days(at(2025, 2, day, 10), 30, unit=commune)
            cal.working_days_between(D(2025, 2, day), D(2025, 5, day), unit=commune)


# --- loading the shipped table ---


def test_load_calendar_is_idempotent_and_reports_counts():
    events = AuditEvent.objects.count()
    out = StringIO()
    call_command("load_calendar", stdout=out)
    assert "0 ngày tạo mới, 0 cập nhật" in out.getvalue()
    assert AuditEvent.objects.count() == events
    assert CalendarException.objects.filter(unit=None).count() == 29


def test_load_calendar_restores_an_edited_row_and_audits_it():
    CalendarException.objects.filter(date=D(2026, 1, 2)).update(name="sửa tay")
    out = StringIO()
    call_command("load_calendar", stdout=out)
    assert "1 cập nhật" in out.getvalue()
    assert CalendarException.objects.get(date=D(2026, 1, 2)).name.startswith("Nghỉ hoán đổi")
    assert AuditEvent.objects.filter(action="calendar.load").exists()


def test_load_calendar_rejects_a_bad_file(tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.json"
    bad.write_text('{"exceptions": [{"date": "2026-01-02", "kind": "nghỉ", "name": "x"}]}')
    with pytest.raises(CommandError, match="Loại ngày không hợp lệ"):
        call_command("load_calendar", file=bad, stdout=StringIO())
