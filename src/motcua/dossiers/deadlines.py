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
import functools
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from motcua.core import calendar
from motcua.core.calendar import LOCAL_TZ
from motcua.core.models import Unit

from .models import Timeliness

HALF = Decimal("0.5")


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
    now = now or current_time()
    return qs.filter(due_at_current__gte=now, due_at_current__lt=end_of_working_days_from(now, n))


def overdue(qs: QuerySet, *, now: dt.datetime | None = None) -> QuerySet:
    return qs.filter(due_at_current__lt=now or current_time())


def is_overdue(dossier, now: dt.datetime | None = None) -> bool:
    from .workflow import ACTIVE

    return (
        dossier.status in ACTIVE
        and dossier.due_at_current is not None
        and dossier.due_at_current < (now or current_time())
    )


# --- warnings: "due soon" and "at risk" (docs/decisions/0017-worklist-warnings-and-search.md) --


def current_time() -> dt.datetime:
    """The clock the deadline warnings read (dossier tests pin it with the `clock` fixture)."""
    return timezone.now()


def working_time_between(
    start: dt.datetime, end: dt.datetime, unit: Unit | int | None = None
) -> Decimal:
    """Office time between two instants in working days (one day = a day's office hours,
    `MOTCUA_OFFICE_HOURS`: 07:30-11:30 and 13:30-17:00 = 7.5 h); 0 when end <= start.

    Friday 16:00 -> Monday 11:30 is 1 h + 4 h = 5 h = 0.67 working day: the weekend and the
    lunch break do not count; holidays and make-up Saturdays as `core.calendar` says.
    """
    if end <= start:
        return Decimal(0)
    periods, day_seconds = _office_periods(calendar.office_hours())
    a, b = start.astimezone(LOCAL_TZ), end.astimezone(LOCAL_TZ)

    def office_seconds(day: dt.date, lo: dt.time | None, hi: dt.time | None) -> int:
        if not calendar.is_working_day(day, unit):
            return 0
        low = _seconds(lo) if lo else 0
        high = _seconds(hi) if hi else 86_400
        return sum(max(0, min(close, high) - max(open_, low)) for open_, close in periods)

    if a.date() == b.date():
        seconds = office_seconds(a.date(), a.timetz(), b.timetz())
    else:
        between = calendar.working_days_between(a.date(), b.date(), unit)
        if calendar.is_working_day(b.date(), unit):
            between -= 1  # working days strictly between the two dates
        seconds = (
            office_seconds(a.date(), a.timetz(), None)
            + between * day_seconds
            + office_seconds(b.date(), None, b.timetz())
        )
    return Decimal(seconds) / Decimal(day_seconds)


def _seconds(value: dt.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


@functools.lru_cache(maxsize=16)
def _office_periods(hours: calendar.OfficeHours) -> tuple[tuple[tuple[int, int], ...], int]:
    """The office periods in seconds after midnight, and their total: one working day."""
    periods = tuple((_seconds(open_), _seconds(close)) for open_, close in hours)
    return periods, sum(close - open_ for open_, close in periods)


SOON_WITHIN_DAYS = Decimal(1)


@dataclass(frozen=True)
class DeadlineWarning:
    """How a dossier stands against its deadlines now; one rule for lists, badges and job.

    `overdue`: its current due date has passed. Otherwise:
    `at_risk`: projected to miss it: the open step is past its own due date, or the working
      time left is less than the catalogue time of the steps still to come after it;
    `due_soon`: the dossier's or the open step's due date is at most one working day away
      AND less than half of the time it was given is left (a dossier received a minute ago is
      never "due soon", even a one-day procedure);
    `about`: "dossier" or "step", which deadline made it due soon / at risk; "reception" for
      an online dossier awaiting reception (status 1), whose own clock is the reception time
      limit (`MOTCUA_ONLINE_RECEPTION_HOURS` working hours from submission, decisions/0029):
      `overdue` past it, `due_soon` by the same "one working day and less than half left".
    `waited_days`: for "reception", the working time the dossier has waited so far.
    """

    overdue: bool = False
    at_risk: bool = False
    due_soon: bool = False
    about: str = ""
    left_days: Decimal | None = None
    waited_days: Decimal | None = None

    @property
    def waited_hours(self) -> Decimal | None:
        """`waited_days` in office hours (one decimal), what the counter's worklist shows."""
        if self.waited_days is None:
            return None
        return (self.waited_days * office_day_hours()).quantize(Decimal("0.1"))


CALM = DeadlineWarning()


def assess(
    *,
    now: dt.datetime,
    status: int,
    due_at: dt.datetime | None,
    received_at: dt.datetime | None,
    unit: Unit | int | None,
    step_due_at: dt.datetime | None = None,
    step_started_at: dt.datetime | None = None,
    later_steps_days: Decimal | None = None,
    submitted_at: dt.datetime | None = None,
) -> DeadlineWarning:
    """The warning for one open dossier (see `DeadlineWarning`); none when paused or closed.

    An online dossier awaiting reception (status 1) is judged against its reception time
    limit from `submitted_at` instead (`about="reception"`)."""
    from .models import Status
    from .workflow import ACTIVE

    if status == Status.SUBMITTED:
        return _reception_warning(now, submitted_at, unit)
    if status not in ACTIVE or status == Status.AWAITING_SUPPLEMENT or due_at is None:
        return CALM
    if due_at < now:
        return DeadlineWarning(overdue=True, about="dossier", left_days=Decimal(0))
    left = working_time_between(now, due_at, unit)
    step_late = step_due_at is not None and step_due_at < now
    steps_do_not_fit = left < Decimal(later_steps_days or 0)
    soon_about = ""
    if _soon(now, left, received_at, due_at, unit):
        soon_about = "dossier"
    elif (
        step_due_at is not None
        and not step_late
        and _soon(
            now,
            working_time_between(now, step_due_at, unit),
            step_started_at or received_at,
            step_due_at,
            unit,
        )
    ):
        soon_about = "step"
    if step_late or steps_do_not_fit:
        return DeadlineWarning(
            at_risk=True,
            due_soon=bool(soon_about),
            about="step" if step_late else "dossier",
            left_days=left,
        )
    return DeadlineWarning(due_soon=bool(soon_about), about=soon_about, left_days=left)


def _soon(
    now: dt.datetime,
    left: Decimal,
    start: dt.datetime | None,
    due: dt.datetime,
    unit: Unit | int | None,
) -> bool:
    if start is None:
        return left <= SOON_WITHIN_DAYS
    return _soon_by(left, working_time_between(start, due, unit))


def _soon_by(left: Decimal, allowed: Decimal) -> bool:
    """The "due soon" rule itself: at most one working day left, and less than half of the
    time that was given (working days)."""
    return left <= SOON_WITHIN_DAYS and left * 2 < allowed


def office_day_hours() -> Decimal:
    """Hours in one working day by `MOTCUA_OFFICE_HOURS` (7.5 by default)."""
    seconds = sum(_seconds(close) - _seconds(open_) for open_, close in calendar.office_hours())
    return Decimal(seconds) / Decimal(3600)


def reception_limit_days() -> Decimal:
    """The online reception time limit (`MOTCUA_ONLINE_RECEPTION_HOURS` working hours) in
    working days of `office_day_hours()`."""
    return Decimal(str(settings.MOTCUA_ONLINE_RECEPTION_HOURS)) / office_day_hours()


def _reception_warning(
    now: dt.datetime, submitted_at: dt.datetime | None, unit: Unit | int | None
) -> DeadlineWarning:
    """Status 1: how long the online dossier has waited for an officer, against the limit."""
    if submitted_at is None:
        return CALM
    allowed = reception_limit_days()
    waited = working_time_between(submitted_at, now, unit)
    left = max(Decimal(0), allowed - waited)
    if waited >= allowed:
        return DeadlineWarning(
            overdue=True, about="reception", left_days=Decimal(0), waited_days=waited
        )
    soon = _soon_by(left, allowed)
    return DeadlineWarning(due_soon=soon, about="reception", left_days=left, waited_days=waited)


def assess_row(row, now: dt.datetime) -> DeadlineWarning:
    """`assess` for a dossier annotated by `selectors.with_deadline_facts`."""
    open_days = getattr(row, "open_steps_days", None)
    step_days = getattr(row, "step_days", None)
    later = (Decimal(open_days) - Decimal(step_days or 0)) if open_days is not None else None
    return assess(
        now=now,
        status=row.status,
        due_at=row.due_at_current,
        received_at=row.competent_received_at or row.received_at,
        unit=row.competent_unit_id,
        step_due_at=getattr(row, "step_due_at", None),
        step_started_at=getattr(row, "step_started_at", None),
        later_steps_days=later,
        submitted_at=getattr(row, "submitted_at", None),
    )
