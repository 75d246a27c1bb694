"""The one place that turns working days into dossier due dates and back.

Everything goes through `motcua.core.calendar` (holidays, swap days, the 15:00 cut-off), with
the competent unit's calendar. Three due dates are stored on a dossier:

- `due_at`: the appointment written on the receipt; never changes after reception;
- `due_at_legal`: `due_at` moved by supplement pauses only; timeliness is judged against it,
  so an apology/extension never turns a late dossier into an on-time one (RULES §3);
- `due_at_current`: what the citizen is told now (pauses and extensions).

Timeliness compares local *dates* (report 06b): finished before the due date -> early, on the
due date -> on time, after -> late.
"""

import datetime as dt
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.core import calendar
from motcua.core.calendar import LOCAL_TZ
from motcua.core.models import Unit

from .models import Timeliness

HALF = Decimal("0.5")
AT_RISK_WORKING_DAYS = 2


def _local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(LOCAL_TZ).date()


def statutory_due(
    received_at: dt.datetime, days: Decimal, time_unit: str, unit: Unit | int | None
) -> dt.datetime:
    """The appointment for a dossier received at `received_at` with `days` of processing time."""
    if time_unit == "calendar_day":
        whole = int(Decimal(days).to_integral_value(rounding=ROUND_CEILING))
        return calendar.add_calendar_days(received_at, whole, unit)
    return calendar.add_working_days(received_at, round_half_up(days), unit)


def round_half_up(days: Decimal) -> Decimal:
    """Step templates may say 0.25 days; the calendar counts in half days, so round up."""
    return (Decimal(days) / HALF).to_integral_value(rounding=ROUND_CEILING) * HALF


def step_due_dates(
    received_at: dt.datetime, step_days: list[Decimal], unit: Unit | int | None
) -> list[dt.datetime]:
    """Internal deadline of each step: the cumulative step times counted from reception."""
    result, total = [], Decimal(0)
    for days in step_days:
        total += Decimal(days)
        result.append(calendar.add_working_days(received_at, round_half_up(total), unit))
    return result


def classify(finished_at: dt.datetime, due_at: dt.datetime) -> str:
    """Early / on time / late by local date (a result at 16:00 on the due day is on time)."""
    finished, due = _local_date(finished_at), _local_date(due_at)
    if finished < due:
        return Timeliness.EARLY
    if finished == due:
        return Timeliness.ON_TIME
    return Timeliness.LATE


def remaining_working_days(
    now: dt.datetime, due_at: dt.datetime, unit: Unit | int | None
) -> Decimal:
    """Whole working days left between now and the due date (0 when due today or overdue)."""
    return Decimal(max(0, calendar.working_days_between(now, due_at, unit)))


def resumed_due(now: dt.datetime, remaining: Decimal, unit: Unit | int | None) -> dt.datetime:
    """The due date after a pause: the remaining working days counted again from now."""
    return calendar.add_working_days(now, remaining, unit)


def shift_open_steps(dossier, paused_at: dt.datetime, resumed_at: dt.datetime, unit) -> int:
    """Move the internal deadlines of unfinished steps by the working days the dossier was paused.

    Same due time of day, `n` working days later; returns n.
    """
    shift = max(0, calendar.working_days_between(paused_at, resumed_at, unit))
    if not shift:
        return 0
    for step in dossier.steps.filter(finished_at__isnull=True, due_at__isnull=False):
        local = step.due_at.astimezone(LOCAL_TZ)
        day = calendar.add_working_days(local.date(), shift, unit)
        step.due_at = dt.datetime.combine(day, local.timetz())
        step.save(update_fields=["due_at"])
    return shift


def apology_is_timely(sent_at: dt.datetime, due_at: dt.datetime, unit: Unit | int | None) -> bool:
    """Sent no later than the working day before the due day (RULES §3, DOMAIN §2).

    Due Monday: Friday (even 16:00) is timely; Saturday, Sunday or Monday itself is too late.
    """
    latest = calendar.previous_working_day(_local_date(due_at), unit)
    return _local_date(sent_at) <= latest


def end_of_working_days_from(
    now: dt.datetime, n: int, unit: Unit | int | None = None
) -> dt.datetime:
    """The first instant after the n-th working day from today (n=0: end of today)."""
    last = calendar.add_working_days(_local_date(now), n, unit)
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ)


def due_within(qs: QuerySet, n: int, *, now: dt.datetime | None = None) -> QuerySet:
    """Open dossiers not yet overdue whose current due date falls within n working days."""
    now = now or timezone.now()
    return qs.filter(due_at_current__gte=now, due_at_current__lt=end_of_working_days_from(now, n))


def overdue(qs: QuerySet, *, now: dt.datetime | None = None) -> QuerySet:
    return qs.filter(due_at_current__lt=now or timezone.now())


def is_overdue(dossier, now: dt.datetime | None = None) -> bool:
    from .workflow import ACTIVE

    return (
        dossier.status in ACTIVE
        and dossier.due_at_current is not None
        and dossier.due_at_current < (now or timezone.now())
    )


def at_risk(qs: QuerySet, *, now: dt.datetime | None = None, idle_hours: int | None = None):
    """Due within 2 working days (not yet overdue) and no progress for `idle_hours` hours."""
    now = now or timezone.now()
    idle_hours = idle_hours or getattr(settings, "MOTCUA_AT_RISK_IDLE_HOURS", 24)
    quiet_since = now - dt.timedelta(hours=idle_hours)
    return due_within(qs, AT_RISK_WORKING_DAYS, now=now).filter(
        Q(last_activity_at__lt=quiet_since) | Q(last_activity_at=None)
    )
