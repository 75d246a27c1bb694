"""Các chỉ số kế hoạch đặt chỉ tiêu: the figures the plans set targets on, beside the service
index (issue 16 part 6), each with its target (`kpi.models.Target`), whether it is met, and its
trend over 12 months.

One `Scope`: the units counted, the unit whose targets apply, the month shown and the cut-off
time. The headline of an additive figure is the year to date (1 January of the month's year to
the end of that month, or to the cut-off): the plans' targets are yearly. The trend is the 12
months ending with that month. Every figure is counted with SQL aggregations grouped by month
(one or two queries per figure), never a loop over dossiers, tickets or ratings.

What is counted (and what each definition reuses):

- `procedures_online_share`: published procedures of the units (or of the province above them)
  offered online (full or partly online) / those with at least one online dossier received in
  the period (the plans: "TTHC đủ điều kiện ... có phát sinh hồ sơ trực tuyến"). The catalog
  keeps no history: every month is divided by today's list.
- `dossiers_online_share`: dossiers received in the period by the units / those filed online.
- `payments_online_transactions`, `payments_online_dossiers`: `payments.figures`' transactions
  (credited in the period, online = national platform and VietQR) and dossiers (received in the
  period, owing money / paid online), their own querysets grouped by month.
- `digitization_components`, `results_signed`, `reuse`: `dossiers.digitization.FIGURES`
  ("thanh-phan", "ket-qua", "tai-su-dung") over its own base (dossiers of the units, received,
  submitted in the period), grouped by month of submission.
- `login_to_submit_minutes`: mean of `OnlineFiling.seconds_to_submit` of online dossiers
  submitted to the units in the period (what `kpi/online_filing.py` shows), in minutes.
- `online_processing_shorter`: how much shorter, in percent, the mean processing time of online
  dossiers is than that of in-person ones (counter and kiosk; postal dossiers are neither), over
  dossiers the units decided whose result was ready (`finished_at`) in the period. Processing
  time = `finished_at - received_at`, **elapsed** time (calendar days and hours, supplement pauses
  included), not working days: working days need the calendar per dossier, which no aggregation
  can do; both channels are measured the same way over the same months.
- `satisfaction`, `satisfaction_demanding`: dossier ratings (`feedback`: what
  `feedback.selectors.dossier_satisfaction` counts: ratings of dossiers made in the period at
  the units; satisfied = "rất hài lòng" + "hài lòng"), all of them and land, construction and
  investment apart (`demanding_field_ids`).
- `queue_wait_minutes`: mean wait from taking a ticket to its first call, tickets of the period
  that were called, cancelled ones left out (what `queueing.selectors.queue_statistics` means by
  wait). No plan sets a number for it: a target appears once an administrator records one.
- `village_queue_app`: residents of working age (18-59) recorded by the community teams as having
  installed or registered on the queue app (`outreach`: `AssistedAction.ADOPTION_KINDS`) /
  the working-age population recorded on the villages (`Village.working_age_population`), at the
  end of each month (cumulative). Villages whose population is not recorded are left out and
  counted apart.
- `village_online_adults`: adults (18+) recorded with a first online dossier or first online
  payment / the adult population recorded on the villages (`Village.adult_population`). Only
  what the teams (or an assisted filing) recorded counts: a citizen who filed alone is not tied
  to a village.
- `online_service_volume`: at province level only: online dossiers of the province's and its
  communes' online procedures received over the last 12 months, per online procedure (the
  province plan: "số lượng hồ sơ trung bình của mỗi dịch vụ công ... ít nhất 1.000 hồ
  sơ/năm/tỉnh"); also how many procedures reached 1,000 on their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.core.calendar import LOCAL_TZ
from motcua.core.models import Unit, Village
from motcua.dossiers import defects, digitization
from motcua.dossiers.models import Channel, Dossier, OnlineFiling
from motcua.feedback import selectors as feedback_selectors
from motcua.feedback.models import Rating
from motcua.outreach.models import AgeGroup, AssistedAction, Resident
from motcua.payments import figures as payment_figures
from motcua.payments.models import ONLINE_METHODS
from motcua.queueing.models import Ticket

from .models import Target, meets

PERCENT, MINUTES, COUNT = "percent", "minutes", "count"
MONTHS = 12
ANNUAL_DOSSIERS = 1000  # the province plan's "1.000 hồ sơ/năm/tỉnh" per online service
IN_PERSON = (Channel.COUNTER, Channel.KIOSK)
ONLINE_USE_KINDS = (
    AssistedAction.Kind.FIRST_ONLINE_DOSSIER,
    AssistedAction.Kind.FIRST_ONLINE_PAYMENT,
)
ADULT_GROUPS = (AgeGroup.WORKING, AgeGroup.SENIOR)


@dataclass(frozen=True)
class FigureDef:
    code: str
    label: Promise
    measure: str  # PERCENT, MINUTES or COUNT
    counted: Promise  # one line: what is counted


FIGURES: dict[str, FigureDef] = {
    f.code: f
    for f in (
        FigureDef(
            "procedures_online_share",
            _("Thủ tục đủ điều kiện trực tuyến có phát sinh hồ sơ trực tuyến"),
            PERCENT,
            _("Thủ tục có hồ sơ trực tuyến được tiếp nhận / thủ tục cung cấp trực tuyến"),
        ),
        FigureDef(
            "dossiers_online_share",
            _("Hồ sơ nộp trực tuyến"),
            PERCENT,
            _("Hồ sơ nộp trực tuyến / hồ sơ tiếp nhận"),
        ),
        FigureDef(
            "payments_online_transactions",
            _("Giao dịch thanh toán trực tuyến"),
            PERCENT,
            _("Giao dịch qua nền tảng thanh toán, VietQR / mọi giao dịch thu phí"),
        ),
        FigureDef(
            "payments_online_dossiers",
            _("Hồ sơ có phí được thanh toán trực tuyến"),
            PERCENT,
            _("Hồ sơ thanh toán trực tuyến / hồ sơ có nghĩa vụ tài chính"),
        ),
        FigureDef(
            "digitization_components",
            _("Hồ sơ được số hóa"),
            PERCENT,
            _("Hồ sơ số hóa đủ thành phần / hồ sơ tiếp nhận"),
        ),
        FigureDef(
            "results_signed",
            _("Kết quả điện tử được ký số"),
            PERCENT,
            _("Kết quả có tệp ký số / hồ sơ đã có kết quả"),
        ),
        FigureDef(
            "reuse",
            _("Hồ sơ tái sử dụng dữ liệu số hóa"),
            PERCENT,
            _("Hồ sơ dùng lại giấy tờ trong kho, dữ liệu sẵn có / hồ sơ tiếp nhận"),
        ),
        FigureDef(
            "login_to_submit_minutes",
            _("Thời gian từ đăng nhập đến nộp thành công"),
            MINUTES,
            _("Trung bình, phút, hồ sơ nộp qua cổng công dân"),
        ),
        FigureDef(
            "online_processing_shorter",
            _("Thời gian giải quyết hồ sơ trực tuyến ngắn hơn trực tiếp"),
            PERCENT,
            _("(TB trực tiếp − TB trực tuyến) / TB trực tiếp; thời gian thực tế từ tiếp nhận"),
        ),
        FigureDef(
            "satisfaction",
            _("Mức độ hài lòng về giải quyết hồ sơ"),
            PERCENT,
            _("Đánh giá hài lòng, rất hài lòng / mọi đánh giá hồ sơ"),
        ),
        FigureDef(
            "satisfaction_demanding",
            _("Hài lòng: đất đai, xây dựng, đầu tư"),
            PERCENT,
            _("Như trên, thủ tục lĩnh vực đất đai, xây dựng, đầu tư"),
        ),
        FigureDef(
            "queue_wait_minutes",
            _("Thời gian chờ tại quầy"),
            MINUTES,
            _("Trung bình, phút, từ lấy số đến khi được gọi"),
        ),
        FigureDef(
            "village_queue_app",
            _("Người trong độ tuổi lao động dùng ứng dụng đặt hẹn, xếp hàng"),
            PERCENT,
            _("Người 18–59 tuổi đã cài đặt, được hướng dẫn / dân số độ tuổi lao động các thôn"),
        ),
        FigureDef(
            "village_online_adults",
            _("Người trưởng thành sử dụng dịch vụ công trực tuyến"),
            PERCENT,
            _("Người từ 18 tuổi đã nộp hoặc thanh toán trực tuyến / dân số trưởng thành"),
        ),
        FigureDef(
            "online_service_volume",
            _("Hồ sơ trung bình mỗi dịch vụ công trực tuyến trong 12 tháng (cấp tỉnh)"),
            COUNT,
            _("Hồ sơ trực tuyến 12 tháng gần nhất / số dịch vụ công trực tuyến của tỉnh"),
        ),
    )
}


# --- the scope and its months ----------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, n: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


@dataclass(frozen=True)
class Scope:
    """Whose figures: the units counted (`unit_ids`), the unit whose targets apply
    (`target_unit`: the chosen commune or province; None: the defaults), the month shown and the
    cut-off time (`now`: nothing after it exists yet)."""

    unit_ids: tuple[int, ...]
    target_unit: Unit | None
    month: dt.date
    now: dt.datetime

    @property
    def months(self) -> list[dt.date]:
        """The 12 first days of the trend's months, oldest first."""
        last = month_start(self.month)
        return [add_months(last, i - MONTHS + 1) for i in range(MONTHS)]

    @property
    def start(self) -> dt.datetime:
        return _moment(self.months[0])

    @property
    def end(self) -> dt.datetime:
        """The end of the shown month, or the cut-off when earlier."""
        return min(_moment(add_months(self.month, 1)), self.now)

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.month.year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        """The last day counted: the targets in force on that day apply."""
        return (self.end - dt.timedelta(microseconds=1)).astimezone(LOCAL_TZ).date()

    @property
    def is_province(self) -> bool:
        return self.target_unit is not None and self.target_unit.kind == Unit.Kind.PROVINCE


# --- results ---------------------------------------------------------------------------------


@dataclass
class Point:
    """One month of the trend: the value and, for a ratio, its two counts."""

    month: dt.date
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass
class Result:
    figure: FigureDef
    value: float | None
    numerator: float | None
    denominator: float | None
    period_from: dt.date
    period_to: dt.date
    points: list[Point]
    target: Target | None = None
    met: bool | None = None
    applies: bool = True  # False: not measured at this level (province-only figure)
    cumulative: bool = False  # True: counted since the start, as of `period_to`
    details: list[tuple[Promise | str, str]] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.figure.code


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(100 * numerator / denominator, 2) if denominator else None


def _mean(total: float, count: int, scale: float = 1.0) -> float | None:
    return round(total / count / scale, 2) if count else None


def _restricted(aggregate, condition: Q):
    """`aggregate` (Count, Sum) counting only the rows that also meet `condition`."""
    # the month first: the database tests the cheap range before any subquery of the filter
    both = condition if aggregate.filter is None else condition & aggregate.filter
    return type(aggregate)(
        *aggregate.get_source_expressions()[:1], filter=both, distinct=aggregate.distinct
    )


def _month_range(moment: str, month: dt.date, dates: bool) -> Q:
    after = add_months(month, 1)
    if dates:
        return Q(**{f"{moment}__gte": month, f"{moment}__lt": after})
    return Q(**{f"{moment}__gte": _moment(month), f"{moment}__lt": _moment(after)})


def _by_month(
    qs: QuerySet, moment: str, months: list[dt.date], *, dates: bool = False, **aggregates
) -> dict[dt.date, dict]:
    """`aggregates` of `qs` per local month of the `moment` column, in one query: one filtered
    aggregate per month (ranges on the column itself, so an index serves them and no database
    function runs per row)."""
    columns = {}
    for i, month in enumerate(months):
        condition = _month_range(moment, month, dates)
        for key, aggregate in aggregates.items():
            columns[f"{key}__{i}"] = _restricted(aggregate, condition)
    row = qs.aggregate(**columns)
    return {
        month: {key: row[f"{key}__{i}"] or 0 for key in aggregates}
        for i, month in enumerate(months)
    }


def _seconds(value) -> float:
    """A summed duration as seconds (timedelta on PostgreSQL and SQLite through Django)."""
    if value is None:
        return 0.0
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000  # microseconds


def _ratio_result(
    figure: str, scope: Scope, monthly: dict[dt.date, dict], num: str = "n", den: str = "d"
) -> Result:
    """A ratio summed over months: the trend month by month, the headline over the year."""
    points = []
    for month in scope.months:
        row = monthly.get(month, {})
        n, d = row.get(num, 0), row.get(den, 0)
        points.append(Point(month, _ratio(n, d), n, d))
    ytd = [p for p in points if p.month >= scope.year_start]
    n = sum(p.numerator or 0 for p in ytd)
    d = sum(p.denominator or 0 for p in ytd)
    return Result(FIGURES[figure], _ratio(n, d), n, d, scope.year_start, scope.last_day, points)


def _mean_result(
    figure: str, scope: Scope, monthly: dict[dt.date, dict], scale: float = 60.0
) -> Result:
    """A mean (`total` over `count` per month, in seconds) shown in minutes."""
    points = []
    for month in scope.months:
        row = monthly.get(month, {})
        total, count = _seconds_or_number(row.get("total")), row.get("count", 0)
        points.append(Point(month, _mean(total, count, scale), total / scale, count))
    ytd = [p for p in points if p.month >= scope.year_start]
    total = sum(p.numerator or 0 for p in ytd)
    count = int(sum(p.denominator or 0 for p in ytd))
    value = round(total / count, 2) if count else None
    return Result(FIGURES[figure], value, total, count, scope.year_start, scope.last_day, points)


def _seconds_or_number(value) -> float:
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value or 0)


# --- the figures -----------------------------------------------------------------------------


def _reach(unit_ids) -> set[int]:
    """The units whose published procedures the units carry out: their own and their parents'."""
    parents = Unit.objects.filter(pk__in=unit_ids).exclude(parent_id=None)
    return set(unit_ids) | set(parents.values_list("parent_id", flat=True))


def online_procedures(unit_ids) -> QuerySet[Procedure]:
    """Published procedures of the units (or the province above) offered fully or partly
    online: the denominator of the procedures share and the online services of the province."""
    return Procedure.objects.filter(
        unit_id__in=_reach(unit_ids),
        is_published=True,
        online_mode__in=(Procedure.OnlineMode.FULL, Procedure.OnlineMode.PARTIAL),
    )


def _received(scope: Scope, start: dt.datetime | None = None) -> QuerySet[Dossier]:
    return Dossier.objects.filter(
        receiving_unit_id__in=scope.unit_ids,
        received_at__gte=start or scope.start,
        received_at__lt=scope.end,
    )


def procedures_online_share(scope: Scope) -> Result:
    eligible = online_procedures(scope.unit_ids)
    denominator = eligible.count()
    online = _received(scope).filter(channel=Channel.ONLINE, procedure_id__in=eligible.values("pk"))
    monthly = _by_month(online, "received_at", scope.months, n=Count("procedure_id", distinct=True))
    points = []
    for month in scope.months:
        n = monthly.get(month, {}).get("n", 0)
        points.append(Point(month, _ratio(n, denominator), n, denominator))
    n = online.filter(received_at__gte=_moment(scope.year_start)).aggregate(
        n=Count("procedure_id", distinct=True)
    )["n"]
    return Result(
        FIGURES["procedures_online_share"],
        _ratio(n, denominator),
        n,
        denominator,
        scope.year_start,
        scope.last_day,
        points,
    )


def dossiers_online_share(scope: Scope) -> Result:
    monthly = _by_month(
        _received(scope),
        "received_at",
        scope.months,
        d=Count("id"),
        n=Count("id", filter=Q(channel=Channel.ONLINE)),
    )
    return _ratio_result("dossiers_online_share", scope, monthly)


def _payment_scope(scope: Scope) -> payment_figures.Scope:
    return payment_figures.Scope(
        unit_ids=scope.unit_ids,
        date_from=scope.months[0],
        date_to=scope.last_day,
    )


def payments_online_transactions(scope: Scope) -> Result:
    attempts = payment_figures.credited_attempts(_payment_scope(scope))
    monthly = _by_month(
        attempts,
        "paid_at",
        scope.months,
        d=Count("id"),
        n=Count("id", filter=Q(method__in=ONLINE_METHODS)),
    )
    return _ratio_result("payments_online_transactions", scope, monthly)


def payments_online_dossiers(scope: Scope) -> Result:
    pay_scope = _payment_scope(scope)
    paid = payment_figures.dossiers_paid_online(pay_scope).values("pk")
    monthly = _by_month(
        payment_figures.obligation_dossiers(pay_scope),
        "received_at",
        scope.months,
        d=Count("id"),
        n=Count("id", filter=Q(pk__in=paid)),
    )
    return _ratio_result("payments_online_dossiers", scope, monthly)


DIGITIZATION = {
    "digitization_components": "thanh-phan",
    "results_signed": "ket-qua",
    "reuse": "tai-su-dung",
}


def digitization_figures(scope: Scope) -> list[Result]:
    """The three digitization figures in one query, by `dossiers.digitization`'s own rules."""
    base = defects.in_units(scope.unit_ids).filter(
        received_at__isnull=False, submitted_at__gte=scope.start, submitted_at__lt=scope.end
    )
    aggregates: dict[str, Any] = {}
    for code, key in DIGITIZATION.items():
        _label, den, num = digitization.FIGURES[key]
        aggregates[f"{code}_d"] = Count("id", filter=den())
        aggregates[f"{code}_n"] = Count("id", filter=den() & num())
    monthly = _by_month(base, "submitted_at", scope.months, **aggregates)
    return [
        _ratio_result(code, scope, monthly, num=f"{code}_n", den=f"{code}_d")
        for code in DIGITIZATION
    ]


def login_to_submit(scope: Scope) -> Result:
    filings = OnlineFiling.objects.filter(
        dossier__receiving_unit_id__in=scope.unit_ids,
        dossier__submitted_at__gte=scope.start,
        dossier__submitted_at__lt=scope.end,
        seconds_to_submit__isnull=False,
    )
    monthly = _by_month(
        filings,
        "dossier__submitted_at",
        scope.months,
        total=Sum("seconds_to_submit"),
        count=Count("pk"),
    )
    return _mean_result("login_to_submit_minutes", scope, monthly)


DAY = 86400.0


def online_processing_shorter(scope: Scope) -> Result:
    """One query: per month, the summed processing time and the count of each channel."""
    duration = ExpressionWrapper(F("finished_at") - F("received_at"), output_field=DurationField())
    decided = Dossier.objects.filter(
        competent_unit_id__in=scope.unit_ids,
        received_at__isnull=False,
        finished_at__gte=scope.start,
        finished_at__lt=scope.end,
    ).annotate(took=duration)
    online, in_person = Q(channel=Channel.ONLINE), Q(channel__in=IN_PERSON)
    monthly = _by_month(
        decided,
        "finished_at",
        scope.months,
        on_total=Sum("took", filter=online),
        on_count=Count("id", filter=online),
        in_total=Sum("took", filter=in_person),
        in_count=Count("id", filter=in_person),
    )

    def shorter(on_s: float, on_n: int, in_s: float, in_n: int) -> tuple[float | None, ...]:
        mean_online = on_s / on_n if on_n else None
        mean_in_person = in_s / in_n if in_n else None
        if mean_online is None or not mean_in_person:
            return None, mean_online, mean_in_person
        return (
            round(100 * (mean_in_person - mean_online) / mean_in_person, 2),
            mean_online,
            mean_in_person,
        )

    points = []
    sums = [0.0, 0, 0.0, 0]
    for month in scope.months:
        row = monthly.get(month, {})
        parts = (
            _seconds(row.get("on_total")),
            row.get("on_count", 0),
            _seconds(row.get("in_total")),
            row.get("in_count", 0),
        )
        value, mean_online, mean_in_person = shorter(*parts)
        points.append(
            Point(
                month,
                value,
                None if mean_online is None else round(mean_online / DAY, 2),
                None if mean_in_person is None else round(mean_in_person / DAY, 2),
            )
        )
        if month >= scope.year_start:
            sums = [a + b for a, b in zip(sums, parts, strict=True)]
    value, mean_online, mean_in_person = shorter(sums[0], int(sums[1]), sums[2], int(sums[3]))
    result = Result(
        FIGURES["online_processing_shorter"],
        value,
        None if mean_online is None else round(mean_online / DAY, 2),
        None if mean_in_person is None else round(mean_in_person / DAY, 2),
        scope.year_start,
        scope.last_day,
        points,
    )
    result.details = [
        (_("Hồ sơ trực tuyến đã có kết quả"), str(int(sums[1]))),
        (_("Hồ sơ trực tiếp đã có kết quả"), str(int(sums[3]))),
    ]
    return result


def satisfaction_figures(scope: Scope) -> list[Result]:
    """All dossier ratings and land/construction/investment apart, in one GROUP BY."""
    ratings = Rating.objects.filter(
        unit_id__in=scope.unit_ids,
        dossier__isnull=False,
        created_at__gte=scope.start,
        created_at__lt=scope.end,
    )
    counts = {
        f"n__{i}": Count("id", filter=_month_range("created_at", month, False))
        for i, month in enumerate(scope.months)
    }
    rows = ratings.values("level", "procedure__field_id").order_by().annotate(**counts)
    demanding = feedback_selectors.demanding_field_ids()
    all_of: dict[dt.date, feedback_selectors.Tally] = {}
    hard: dict[dt.date, feedback_selectors.Tally] = {}
    for values in rows:  # one row per level and field
        row: dict[str, Any] = dict(values)
        for i, month in enumerate(scope.months):
            n = row[f"n__{i}"]
            all_of.setdefault(month, feedback_selectors.Tally()).add(row["level"], n)
            if row["procedure__field_id"] in demanding:
                hard.setdefault(month, feedback_selectors.Tally()).add(row["level"], n)

    def monthly(tallies) -> dict[dt.date, dict]:
        return {m: {"n": t.very_satisfied + t.satisfied, "d": t.total} for m, t in tallies.items()}

    return [
        _ratio_result("satisfaction", scope, monthly(all_of)),
        _ratio_result("satisfaction_demanding", scope, monthly(hard)),
    ]


def queue_wait(scope: Scope) -> Result:
    tickets = (
        Ticket.objects.filter(
            unit_id__in=scope.unit_ids,
            day__gte=scope.months[0],
            day__lte=scope.last_day,
            called_at__isnull=False,
        )
        .exclude(status=Ticket.Status.CANCELLED)
        .annotate(
            waited=ExpressionWrapper(F("called_at") - F("issued_at"), output_field=DurationField())
        )
    )
    sums = _by_month(
        tickets, "day", scope.months, dates=True, total=Sum("waited"), count=Count("id")
    )
    monthly = {m: {"total": _seconds(v["total"]), "count": v["count"]} for m, v in sums.items()}
    return _mean_result("queue_wait_minutes", scope, monthly)


def _village_share(
    scope: Scope, figure: str, population: str, kinds, groups, target: Target | None
) -> Result:
    """Residents of the scope's villages in `groups` with a first action of `kinds` by the end
    of each month (cumulative) / the population recorded in `population` on those villages."""
    villages = Village.objects.filter(unit_id__in=scope.unit_ids)
    counted = villages.filter(**{f"{population}__gt": 0})
    totals = villages.aggregate(
        n=Count("id"),
        counted=Count("id", filter=Q(**{f"{population}__gt": 0})),
        people=Sum(population),
    )
    denominator = totals["people"] or 0
    first = (
        AssistedAction.objects.filter(resident=OuterRef("pk"), kind__in=kinds)
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    residents = Resident.objects.filter(
        village_id__in=counted.values("pk"), age_group__in=groups
    ).annotate(first=Subquery(first))
    reached = residents.filter(first__isnull=False, first__lt=scope.end)
    new_by_month = _by_month(reached, "first", scope.months, n=Count("id"))
    before = reached.filter(first__lt=scope.start).count()
    points, running = [], before
    for month in scope.months:
        running += new_by_month.get(month, {}).get("n", 0)
        points.append(Point(month, _ratio(running, denominator), running, denominator))
    numerator = running
    result = Result(
        FIGURES[figure],
        _ratio(numerator, denominator),
        numerator,
        denominator,
        scope.last_day,
        scope.last_day,
        points,
        cumulative=True,
    )
    per_village = dict(
        reached.values("village_id")
        .order_by()
        .annotate(n=Count("id"))
        .values_list("village_id", "n")
    )
    reaching = 0
    if target is not None:
        for village_id, people in counted.values_list("pk", population):
            share = 100 * per_village.get(village_id, 0) / people
            reaching += bool(meets(share, target.comparison, target.value))
    result.details = [
        (_("Thôn có số dân được ghi nhận"), f"{totals['counted']}/{totals['n']}"),
    ]
    if target is not None and totals["counted"]:
        result.details.append((_("Thôn đạt chỉ tiêu"), f"{reaching}/{totals['counted']}"))
    return result


def online_service_volume(scope: Scope) -> Result:
    """Province level: online dossiers over the 12 months ending each month, per online
    procedure of the province and its communes."""
    figure = FIGURES["online_service_volume"]
    if not scope.is_province:
        return Result(figure, None, None, None, scope.months[0], scope.last_day, [], applies=False)
    assert scope.target_unit is not None
    province = scope.target_unit.pk
    units = set(
        Unit.objects.filter(Q(pk=province) | Q(parent_id=province)).values_list("pk", flat=True)
    )
    services = Procedure.objects.filter(
        unit_id__in=units,
        is_published=True,
        online_mode__in=(Procedure.OnlineMode.FULL, Procedure.OnlineMode.PARTIAL),
    )
    denominator = services.count()
    first = add_months(scope.months[0], -(MONTHS - 1))
    online = Dossier.objects.filter(
        receiving_unit_id__in=units,
        channel=Channel.ONLINE,
        procedure_id__in=services.values("pk"),
        received_at__gte=_moment(first),
        received_at__lt=scope.end,
    )
    history = [add_months(first, i) for i in range(2 * MONTHS - 1)]
    monthly = _by_month(online, "received_at", history, n=Count("id"))
    points = []
    for month in scope.months:
        window = [add_months(month, -i) for i in range(MONTHS)]
        total = sum(monthly.get(m, {}).get("n", 0) for m in window)
        points.append(
            Point(month, round(total / denominator, 2) if denominator else None, total, denominator)
        )
    last = points[-1]
    result = Result(
        figure,
        last.value,
        last.numerator,
        denominator,
        scope.months[0],
        scope.last_day,
        points,
    )
    reaching = (
        online.filter(received_at__gte=scope.start)
        .values("procedure_id")
        .order_by()
        .annotate(n=Count("id"))
        .filter(n__gte=ANNUAL_DOSSIERS)
        .count()
    )
    result.details = [
        (_("Dịch vụ đạt 1.000 hồ sơ/12 tháng"), f"{reaching}/{denominator}"),
    ]
    return result


# --- targets and the whole screen ------------------------------------------------------------


def _chain(unit: Unit | None) -> list[int]:
    """The unit and its ancestors, nearest first."""
    ids: list[int] = []
    while unit is not None and len(ids) < 4:
        ids.append(unit.pk)
        unit = unit.parent
    return ids


def targets_in_force(unit: Unit | None, day: dt.date) -> dict[str, Target]:
    """The target of each figure code in force on `day` for `unit`: the unit's own row, else its
    province's, else the default (no unit); the latest start wins within one level."""
    chain = _chain(unit)
    rank = {unit_id: i for i, unit_id in enumerate(chain)}
    rows = (
        Target.objects.filter(period_start__lte=day)
        .filter(Q(period_end__isnull=True) | Q(period_end__gte=day))
        .filter(Q(unit_id__in=chain) | Q(unit__isnull=True))
    )

    def key(row: Target) -> tuple[int, int]:
        level = rank.get(row.unit_id, len(chain)) if row.unit_id else len(chain)
        return level, -row.period_start.toordinal()

    best: dict[str, Target] = {}
    for row in rows:  # a handful of rows: one per code and level
        if row.code not in best or key(row) < key(best[row.code]):
            best[row.code] = row
    return best


def figures(scope: Scope) -> list[Result]:
    """Every figure of the screen, in the order of `FIGURES`, each judged against its target."""
    targets = targets_in_force(scope.target_unit, scope.last_day)
    results = [
        procedures_online_share(scope),
        dossiers_online_share(scope),
        payments_online_transactions(scope),
        payments_online_dossiers(scope),
        *digitization_figures(scope),
        login_to_submit(scope),
        online_processing_shorter(scope),
        *satisfaction_figures(scope),
        queue_wait(scope),
        _village_share(
            scope,
            "village_queue_app",
            "working_age_population",
            AssistedAction.ADOPTION_KINDS,
            (AgeGroup.WORKING,),
            targets.get("village_queue_app"),
        ),
        _village_share(
            scope,
            "village_online_adults",
            "adult_population",
            ONLINE_USE_KINDS,
            ADULT_GROUPS,
            targets.get("village_online_adults"),
        ),
        online_service_volume(scope),
    ]
    for result in results:
        result.target = targets.get(result.code)
        if result.target is not None and result.applies:
            result.met = meets(result.value, result.target.comparison, result.target.value)
    return results


def judged(value: float | None, target: Target | None) -> bool | None:
    """Whether one value (a month of the trend) meets `target`."""
    if target is None:
        return None
    return meets(value, target.comparison, Decimal(target.value))
