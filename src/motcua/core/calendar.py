"""The working-day calendar: the one place that knows which days count for a deadline.

A day is a working day (ngày làm việc) when it is Monday-Friday, is not a public holiday of the
`holidays` package (Labour Code 2019 art. 112, its substitute days and the swaps it knows),
and is not a `CalendarException` day off; a `CalendarException` working day (a swapped
Saturday, "làm bù") makes a weekend day count. Exceptions without a unit apply nationally; a
unit's exceptions apply to it and, for a province, to every commune under it. The more local
row wins: national, then province, then commune.

Deadlines (docs/decisions/0002-working-day-calendar.md):

- A dossier received on a working day before the reception cut-off (15:00, setting
  `MOTCUA_RECEPTION_CUTOFF`) has that day as *day 0*; received at/after the cut-off or on a
  day that is not a working day (Saturday-morning reception, a holiday), it is treated as
  received at the opening of the next working day, which becomes day 0.
- Day 0 is not counted. `n` working days end at the close of office hours (17:00) of the
  n-th working day after day 0; a half day ends at the close of the morning (11:30) of the
  next working day: 2.5 days -> 11:30 of the 3rd working day after day 0.
- n = 0 means "the same working day": the close of day 0.

Per-(year, unit) results are cached in this process. Saving or deleting a `CalendarException`
clears this process's cache at once and bumps a version in Django's cache that other
processes check every `MOTCUA_CALENDAR_RECHECK_SECONDS` (30 s); entries also expire after
`MOTCUA_CALENDAR_MAX_AGE_SECONDS` (600 s) as a backstop.
"""

from __future__ import annotations

import bisect
import calendar as _stdlib_calendar
import datetime as dt
import functools
import logging
import threading
import time
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .models import CalendarException, Unit

logger = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Office hours (settings.MOTCUA_OFFICE_HOURS) and the reception cut-off
# (settings.MOTCUA_RECEPTION_CUTOFF) are declared, with their legal basis, in motcua.settings.
HALF = Decimal("0.5")
MAKE_UP_DAY = "Ngày làm bù"
_FIRST_YEAR, _LAST_YEAR = 1995, 2200  # python-holidays observes VN substitutes from 1995

_VERSION_KEY = "motcua:calendar:version"
_lock = threading.Lock()


def _parse_time(value: str | dt.time) -> dt.time:
    if isinstance(value, dt.time):
        return value
    hours, minutes = str(value).split(":")
    return dt.time(int(hours), int(minutes))


OfficeHours = tuple[tuple[dt.time, dt.time], tuple[dt.time, dt.time]]


def office_hours() -> OfficeHours:
    """(morning, afternoon) opening and closing times, local time."""
    (am_open, am_close), (pm_open, pm_close) = settings.MOTCUA_OFFICE_HOURS
    return _office_hours(am_open, am_close, pm_open, pm_close)


@functools.lru_cache(maxsize=16)
def _office_hours(am_open, am_close, pm_open, pm_close) -> OfficeHours:
    # Parsed once per value: a worklist page asks a few hundred times (deadline warnings);
    # keyed by the setting's value, so a changed setting (tests override it) is parsed anew.
    return (
        (_parse_time(am_open), _parse_time(am_close)),
        (_parse_time(pm_open), _parse_time(pm_close)),
    )


def reception_cutoff() -> dt.time:
    return _parse_time(settings.MOTCUA_RECEPTION_CUTOFF)


# --- the cache ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Year:
    """One year's deviations from Mon-Fri for one scope, and its working days in order."""

    off: dict[dt.date, str]  # weekday -> why it is not worked
    worked: dict[dt.date, str]  # weekend day -> why it is worked
    ordinals: tuple[int, ...]  # every working day of the year, as date.toordinal(), sorted


class _Cache:
    def __init__(self) -> None:
        self.years: dict[tuple[int, tuple[int, ...]], _Year] = {}
        self.chains: dict[int, tuple[int, ...]] = {}
        self.units_with_rows: frozenset[int] | None = None
        self.version: object = None
        self.checked_at = 0.0
        self.filled_at = time.monotonic()
        self.generation = 0  # bumped by clear(): a year built before a clear is not kept

    def clear(self) -> None:
        self.years.clear()
        self.chains.clear()
        self.units_with_rows = None
        self.filled_at = time.monotonic()
        self.generation += 1


_cache = _Cache()
_package_years: dict[int, holidays.HolidayBase] = {}


def _shared_version() -> object:
    try:
        return cache.get(_VERSION_KEY)
    except Exception:  # a missing cache table must not stop deadline arithmetic
        logger.debug("calendar version not readable from the cache", exc_info=True)
        return None


def _bump_shared_version() -> None:
    try:
        cache.set(_VERSION_KEY, time.time_ns(), timeout=None)
    except Exception:
        logger.warning("calendar version not written to the cache", exc_info=True)


def clear_cache() -> None:
    """Forget every cached year in this process (tests, or after a bulk update)."""
    with _lock:
        _cache.clear()
        _cache.checked_at = 0.0


def _fresh() -> _Cache:
    """The process cache, emptied first if another process changed the calendar."""
    now = time.monotonic()
    if now - _cache.checked_at >= settings.MOTCUA_CALENDAR_RECHECK_SECONDS:
        version = _shared_version()
        with _lock:
            too_old = now - _cache.filled_at >= settings.MOTCUA_CALENDAR_MAX_AGE_SECONDS
            if version != _cache.version or too_old:
                _cache.clear()
                _cache.version = version
            _cache.checked_at = now
    return _cache


@receiver(post_save, sender=CalendarException, dispatch_uid="motcua.calendar.saved")
@receiver(post_delete, sender=CalendarException, dispatch_uid="motcua.calendar.deleted")
def _exception_changed(**kwargs) -> None:
    """An admin added, edited or removed an exception: no deadline may use the old calendar."""
    clear_cache()

    def after_commit() -> None:
        _bump_shared_version()
        clear_cache()

    transaction.on_commit(after_commit)


@receiver(post_save, sender=Unit, dispatch_uid="motcua.calendar.unit_saved")
@receiver(post_delete, sender=Unit, dispatch_uid="motcua.calendar.unit_deleted")
def _unit_changed(**kwargs) -> None:
    """A unit may have moved under another province: forget the unit chains of this process."""
    with _lock:
        _cache.chains.clear()


def _unit_id(unit: Unit | int | None) -> int | None:
    if unit is None:
        return None
    return unit if isinstance(unit, int) else unit.pk


def _chain(unit_id: int, store: _Cache) -> tuple[int, ...]:
    """The unit and its ancestors, nearest last: (province, commune)."""
    chain = store.chains.get(unit_id)
    if chain is None:
        ids: list[int] = []
        current: int | None = unit_id
        while current is not None and current not in ids and len(ids) < 6:
            ids.append(current)
            current = Unit.objects.filter(pk=current).values_list("parent_id", flat=True).first()
        chain = tuple(reversed(ids))
        store.chains[unit_id] = chain
    return chain


def _scope(unit: Unit | int | None, store: _Cache) -> tuple[int, ...]:
    """The units on the chain that have exceptions: communes without any share the national year."""
    unit_id = _unit_id(unit)
    if unit_id is None:
        return ()
    if store.units_with_rows is None:
        store.units_with_rows = frozenset(
            CalendarException.objects.exclude(unit=None)
            .values_list("unit_id", flat=True)
            .distinct()
        )
    if not store.units_with_rows:
        return ()
    return tuple(u for u in _chain(unit_id, store) if u in store.units_with_rows)


def _package_holidays(year: int) -> holidays.HolidayBase:
    found = _package_years.get(year)
    if found is None:
        found = holidays.country_holidays("VN", years=year, language="vi")
        _package_years[year] = found
    return found


def _build_year(year: int, scope: tuple[int, ...]) -> _Year:
    package = _package_holidays(year)
    off: dict[dt.date, str] = {
        day: name for day, name in package.items() if day.year == year and day.weekday() < 5
    }
    worked: dict[dt.date, str] = {}
    for day in getattr(package, "weekend_workdays", ()):
        if day.year == year:
            worked[day] = MAKE_UP_DAY
    rows = CalendarException.objects.filter(date__year=year).filter(
        Q(unit__isnull=True) | Q(unit_id__in=scope)
    )
    order = {None: 0, **{unit_id: i + 1 for i, unit_id in enumerate(scope)}}
    for row in sorted(rows, key=lambda r: (order.get(r.unit_id, 0), r.date)):
        off.pop(row.date, None)
        worked.pop(row.date, None)
        if row.kind == CalendarException.Kind.WORKING_DAY:
            if row.date.weekday() >= 5:
                worked[row.date] = row.name
        elif row.date.weekday() < 5:
            off[row.date] = row.name
        # A day off on a weekend adds nothing; the pops above already cancelled a make-up day.
    first = dt.date(year, 1, 1).toordinal()
    last = dt.date(year, 12, 31).toordinal()
    ordinals = tuple(
        o
        for o in range(first, last + 1)
        if (day := dt.date.fromordinal(o)) in worked or (day.weekday() < 5 and day not in off)
    )
    return _Year(off=off, worked=worked, ordinals=ordinals)


def _year(year: int, unit: Unit | int | None) -> _Year:
    store = _fresh()
    generation = store.generation
    scope = _scope(unit, store)
    key = (year, scope)
    found = store.years.get(key)
    if found is None:
        found = _build_year(year, scope)
        with _lock:
            if store.generation == generation:
                store.years[key] = found
    return found


# --- days ------------------------------------------------------------------------------------


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return _local(value).date()
    return value


def _local(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware datetime (timezone.now())")
    return value.astimezone(LOCAL_TZ)


def is_working_day(day: dt.date | dt.datetime, unit: Unit | int | None = None) -> bool:
    """Whether `day` counts for a deadline of `unit` (national calendar when unit is None)."""
    day = _as_date(day)
    year = _year(day.year, unit)
    if day.weekday() >= 5:
        return day in year.worked
    return day not in year.off


def day_off_reason(day: dt.date | dt.datetime, unit: Unit | int | None = None) -> str | None:
    """Why `day` is not worked (holiday or announced day off), "" for a plain weekend, or None."""
    day = _as_date(day)
    year = _year(day.year, unit)
    if day.weekday() >= 5:
        return None if day in year.worked else ""
    return year.off.get(day)


def next_working_day(day: dt.date | dt.datetime, unit: Unit | int | None = None) -> dt.date:
    """The first working day strictly after `day`."""
    return _nth_after(_as_date(day), 1, unit)


def previous_working_day(day: dt.date | dt.datetime, unit: Unit | int | None = None) -> dt.date:
    """The last working day strictly before `day` (e.g. the latest day to send an apology)."""
    target = _as_date(day).toordinal()
    year_number = _as_date(day).year
    while year_number >= _FIRST_YEAR:
        ordinals = _year(year_number, unit).ordinals
        index = bisect.bisect_left(ordinals, target) - 1
        if index >= 0:
            return dt.date.fromordinal(ordinals[index])
        year_number -= 1
    raise ValueError(f"no working day before {day}")


def _nth_after(day: dt.date, n: int, unit: Unit | int | None) -> dt.date:
    """The n-th working day after `day` (n >= 1), crossing years as needed."""
    target = day.toordinal()
    year_number = day.year
    remaining = n
    while year_number <= _LAST_YEAR:
        ordinals = _year(year_number, unit).ordinals
        start = bisect.bisect_right(ordinals, target)
        available = len(ordinals) - start
        if remaining <= available:
            return dt.date.fromordinal(ordinals[start + remaining - 1])
        remaining -= available
        year_number += 1
        target = dt.date(year_number, 1, 1).toordinal() - 1
    raise ValueError(f"deadline beyond {_LAST_YEAR}")


def _count_upto(day: dt.date, unit: Unit | int | None, since_year: int) -> int:
    """Working days from 1 January of `since_year` up to and including `day`."""
    total = 0
    for year_number in range(since_year, day.year):
        total += len(_year(year_number, unit).ordinals)
    ordinals = _year(day.year, unit).ordinals
    return total + bisect.bisect_right(ordinals, day.toordinal())


def working_days_between(
    a: dt.date | dt.datetime, b: dt.date | dt.datetime, unit: Unit | int | None = None
) -> int:
    """Working days after `a` up to and including `b`: 0 on the same day, negative if b < a.

    Monday -> Tuesday is 1; Friday -> next Monday is 1; a due date to a finish date gives how
    late (positive) or early (negative) a dossier was, in working days.
    """
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -working_days_between(b, a, unit)
    since = a.year
    return _count_upto(b, unit, since) - _count_upto(a, unit, since)


def working_days_in_month(year: int, month: int, unit: Unit | int | None = None) -> int:
    """How many working days a month has (for reports and targets per working day)."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, _stdlib_calendar.monthrange(year, month)[1])
    return working_days_between(first, last, unit) + (1 if is_working_day(first, unit) else 0)


# --- deadlines --------------------------------------------------------------------------------


def _as_half_days(n: int | float | Decimal | str) -> int:
    """`n` working days as a count of half days; refuses negatives and other fractions."""
    try:
        value = Decimal(str(n))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(_("Số ngày làm việc không hợp lệ: %(n)s.") % {"n": n}) from exc
    halves = value / HALF
    if value < 0 or halves != halves.to_integral_value():
        raise ValueError(
            _("Số ngày làm việc phải không âm và là bội số của 0,5 (nhận được: %(n)s).") % {"n": n}
        )
    return int(halves)


def day_zero(received: dt.date | dt.datetime, unit: Unit | int | None = None) -> dt.date:
    """The working day a reception counts from (day 0, itself not counted).

    A datetime at/after the cut-off, or any reception on a day that is not worked, moves to the
    next working day; a plain date is read as received during office hours.
    """
    if isinstance(received, dt.datetime):
        local = _local(received)
        day = local.date()
        if is_working_day(day, unit) and local.time() < reception_cutoff():
            return day
        return next_working_day(day, unit)
    if is_working_day(received, unit):
        return received
    return next_working_day(received, unit)


def add_working_days(
    start: dt.date | dt.datetime,
    n: int | float | Decimal | str,
    unit: Unit | int | None = None,
) -> dt.date | dt.datetime:
    """The due date of something received at `start` and allowed `n` working days.

    `start` a date -> a date; `start` an aware datetime -> an aware local datetime at 17:00
    (whole days, n = 0 included) or 11:30 (x.5 days) of the due day. See the module docstring
    for day 0 and the 15:00 cut-off.
    """
    halves = _as_half_days(n)
    zero = day_zero(start, unit)
    whole_days = int((Decimal(halves) * HALF).to_integral_value(rounding=ROUND_CEILING))
    due_day = _nth_after(zero, whole_days, unit) if whole_days else zero
    if not isinstance(start, dt.datetime):
        return due_day
    (_am_open, am_close), (_pm_open, pm_close) = office_hours()
    closing = am_close if halves % 2 else pm_close
    return dt.datetime.combine(due_day, closing, tzinfo=LOCAL_TZ)


def add_calendar_days(
    start: dt.date | dt.datetime, n: int, unit: Unit | int | None = None
) -> dt.date | dt.datetime:
    """For procedures counted in calendar days ("ngày"): n days later, moved to a working day.

    A due date that falls on a day off moves to the next working day (as provincial systems
    do); a datetime gets 17:00 of that day.
    """
    if n < 0:
        raise ValueError(_("Số ngày không được âm."))
    zero = day_zero(start, unit)
    due_day = zero + dt.timedelta(days=n)
    if not is_working_day(due_day, unit):
        due_day = next_working_day(due_day, unit)
    if not isinstance(start, dt.datetime):
        return due_day
    return dt.datetime.combine(due_day, office_hours()[1][1], tzinfo=LOCAL_TZ)


# --- the shipped table -------------------------------------------------------------------------


def load_exceptions(*, rows: list[dict], actor=None) -> dict[str, int]:
    """Create or update national exceptions from the shipped table (idempotent, audited).

    Rows are matched by date with no unit; a row whose kind, name and basis are unchanged is
    left alone, so a second run changes nothing and writes no audit event.
    """
    from . import audit

    kinds = {k.value for k in CalendarException.Kind}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    changes: dict[str, list] = {}
    with transaction.atomic():
        for row in rows:
            day = dt.date.fromisoformat(row["date"])
            if row["kind"] not in kinds:
                raise ValueError(_("Loại ngày không hợp lệ: %(kind)s.") % {"kind": row["kind"]})
            wanted = {
                "kind": row["kind"],
                "name": row["name"][:200],
                "legal_basis": row.get("legal_basis", "")[:300],
            }
            existing = CalendarException.objects.filter(date=day, unit=None).first()
            if existing is None:
                CalendarException.objects.create(date=day, unit=None, **wanted)
                counts["created"] += 1
                changes[day.isoformat()] = [None, wanted["kind"]]
            elif any(getattr(existing, k) != v for k, v in wanted.items()):
                before = {k: getattr(existing, k) for k in wanted}
                for key, value in wanted.items():
                    setattr(existing, key, value)
                existing.save(update_fields=list(wanted))
                counts["updated"] += 1
                changes[day.isoformat()] = [before["kind"], wanted["kind"]]
            else:
                counts["unchanged"] += 1
        if counts["created"] or counts["updated"]:
            audit.record(
                action="calendar.load",
                object_type="core.calendarexception",
                changes=changes,
                actor=actor,
            )
    return counts
