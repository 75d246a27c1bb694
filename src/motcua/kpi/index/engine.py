"""The service index engine (QĐ 766, issue 16): scores, drill-down, what-if and actions for any
units, dimension and period (the public API of /work/index-spec/API.md).

`score()` runs one grouped SQL aggregate per measure (`measures.py`), whatever the number of
units or dossiers, and applies the formula set in force on the period's last day
(`formulas.py`). See docs/decisions/00XX-service-index-engine.md.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from motcua.catalog.models import Field
from motcua.core.calendar import LOCAL_TZ
from motcua.core.models import Department, Unit

from . import formulas as formulas_module
from .formulas import Formulas, q2
from .measures import (
    DIMENSIONS,
    MEASURES,
    Ctx,
    DossierMeasure,
    Item,
    dossier_counts,
    given_province_points,
    parents_of,
)

__all__ = [
    "Action",
    "GroupScore",
    "IndicatorScore",
    "Item",
    "Period",
    "Score",
    "actions",
    "drill_down",
    "month",
    "quarter",
    "score",
    "what_if",
    "year",
]

HUNDRED = Decimal(100)
RATIO_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Period:
    """Vietnam's local dates, both included."""

    date_from: dt.date
    date_to: dt.date

    def __post_init__(self):
        if self.date_to < self.date_from:
            raise ValueError("period ends before it starts")

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.date_from, dt.time.min, tzinfo=LOCAL_TZ)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(
            self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=LOCAL_TZ
        )

    @property
    def label(self) -> str:
        return f"{self.date_from:%d/%m/%Y} - {self.date_to:%d/%m/%Y}"


def month(year_: int, month_: int) -> Period:
    last = pycalendar.monthrange(year_, month_)[1]
    return Period(dt.date(year_, month_, 1), dt.date(year_, month_, last))


def quarter(year_: int, q: int) -> Period:
    first = 3 * (q - 1) + 1
    return Period(month(year_, first).date_from, month(year_, first + 2).date_to)


def year(year_: int) -> Period:
    return Period(dt.date(year_, 1, 1), dt.date(year_, 12, 31))


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    group: str
    name: str
    max_points: Decimal
    numerator: int
    denominator: int
    ratio: Decimal | None  # a fraction 0..1 (4 places); None = no data (zero denominator)
    points: Decimal
    given: bool = False  # a province-only indicator whose points a commune is given

    @property
    def percent(self) -> Decimal | None:
        return None if self.ratio is None else q2(self.ratio * HUNDRED)

    @property
    def missing(self) -> int:
        return max(self.denominator - self.numerator, 0)


@dataclass(frozen=True)
class GroupScore:
    code: str
    name: str
    max_points: Decimal
    points: Decimal
    tile_ratio: Decimal | None  # the dashboard's headline ratio, percent 0..100
    indicators: tuple[IndicatorScore, ...]


@dataclass(frozen=True)
class Score:
    key: int | None
    label: str
    total: Decimal
    groups: tuple[GroupScore, ...]
    cut_off: dt.datetime
    formula_set: str

    def group(self, code: str) -> GroupScore:
        return next(g for g in self.groups if g.code == code)

    def indicator(self, code: str) -> IndicatorScore:
        return next(i for g in self.groups for i in g.indicators if i.code == code)


@dataclass(frozen=True)
class Action:
    indicator: str
    label: str
    items: int
    points_gained: Decimal
    per_item: Decimal
    fixable: bool
    drill_url: str


def _ctx(
    unit_ids: Sequence[int],
    period: Period,
    now: dt.datetime,
    assume: Mapping[str, frozenset[int]] | None = None,
) -> Ctx:
    ids = tuple(sorted({int(u) for u in unit_ids}))
    return Ctx(
        unit_ids=ids,
        date_from=period.date_from,
        date_to=period.date_to,
        start=period.start,
        end=period.end,
        now=now,
        assume=dict(assume or {}),
        parents=parents_of(ids),
    )


def _labels(by: str, keys: list) -> dict:
    ids = [k for k in keys if k is not None]
    if by == "unit":
        found = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif by == "department":
        found = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif by == "field":
        found = dict(Field.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif by == "officer":
        found = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=ids)}
    else:
        found = {}
    none_label = _("Tất cả") if by == "all" else _("Chưa xác định")
    return {k: (found.get(k, str(k)) if k is not None else none_label) for k in keys}


def _ratio(numerator: int, denominator: int) -> Decimal | None:
    if denominator <= 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES)


def _score_for(
    key,
    label: str,
    formulas: Formulas,
    counts: Mapping[str, Mapping],
    given: Mapping[str, bool],
    now: dt.datetime,
) -> Score:
    groups = []
    for group in formulas.groups:
        inds = []
        for ind in group.indicators:
            if given.get(ind.code):
                inds.append(
                    IndicatorScore(
                        ind.code,
                        ind.group,
                        _(ind.name),
                        ind.max_points,
                        0,
                        0,
                        None,
                        ind.max_points,
                        given=True,
                    )
                )
                continue
            num, den = counts[ind.code].get(key, (0, 0))
            inds.append(
                IndicatorScore(
                    code=ind.code,
                    group=ind.group,
                    name=_(ind.name),
                    max_points=ind.max_points,
                    numerator=num,
                    denominator=den,
                    ratio=_ratio(num, den),
                    points=ind.points(num, den),
                )
            )
        points = group.points([i.points for i in inds])
        tile: Decimal | None
        if group.tile.get("kind") == "indicator":
            shown = next((i for i in inds if i.code == group.tile.get("indicator")), None)
            tile = shown.percent if shown is not None else None
        else:
            tile = q2(points / group.max_points * HUNDRED) if group.max_points else None
        groups.append(
            GroupScore(group.code, _(group.name), group.max_points, points, tile, tuple(inds))
        )
    total = q2(sum((g.points for g in groups), Decimal(0)))
    return Score(
        key=key,
        label=label,
        total=total,
        groups=tuple(groups),
        cut_off=now.astimezone(dt.UTC),
        formula_set=formulas.label,
    )


class _Inherited(dict):
    """The figures of the whole scope, for a measure that cannot be split by the dimension."""

    def __init__(self, whole: tuple[int, int]):
        super().__init__()
        self.whole = whole

    def get(self, key, default=None):
        return self.whole


def _compute(
    ctx: Ctx, by: str, formulas: Formulas, only_key=None, keyed: bool = False
) -> list[Score]:
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    kinds = dict(Unit.objects.filter(pk__in=ctx.unit_ids).values_list("pk", "kind"))
    counts: dict[str, Mapping] = {}
    measured = []
    for ind in formulas.indicators.values():
        if (
            ind.province_only
            and by == "unit"
            and all(given_province_points(kinds, u, by) for u in ctx.unit_ids)
        ):
            counts[ind.code] = {}
            continue
        if ind.province_only and by != "unit" and given_province_points(kinds, None, by):
            counts[ind.code] = {}
            continue
        measure = MEASURES[ind.measure]
        if measure.applies(by) and isinstance(measure, DossierMeasure) and measure.batch:
            measured.append(ind)  # counted below, one query per kind of dossiers
        elif measure.applies(by):
            counts[ind.code] = measure.counts(ctx, ind.counts, by)
        else:
            whole = measure.counts(ctx, ind.counts, "all").get(None, (0, 0))
            counts[ind.code] = _Inherited(whole)
    for counting in sorted({ind.counts for ind in measured}):
        inds = [ind for ind in measured if ind.counts == counting]
        batch = [cast(DossierMeasure, MEASURES[ind.measure]) for ind in inds]
        found_counts = dossier_counts(ctx, counting, by, batch)
        for ind in inds:
            counts[ind.code] = found_counts[ind.measure]
    if by == "unit":
        keys: list = list(ctx.unit_ids)
    elif by == "all":
        keys = [None]
    else:
        found = set()
        for per_key in counts.values():
            if not isinstance(per_key, _Inherited):
                found |= set(per_key)
        keys = sorted(found, key=lambda k: (k is None, k or 0))
    if keyed:
        keys = [only_key]
    labels = _labels(by, keys)
    scores = []
    for key in keys:
        given = {
            ind.code: ind.province_only and given_province_points(kinds, key, by)
            for ind in formulas.indicators.values()
        }
        scores.append(_score_for(key, labels[key], formulas, counts, given, ctx.now))
    return scores


def score(
    *,
    unit_ids: Sequence[int],
    period: Period,
    now: dt.datetime,
    by: str = "unit",
    formula_set=None,
) -> list[Score]:
    """The index of every key of `by` (every unit of `unit_ids` for "unit"; the departments,
    fields or officers that have data; one Score with key None for "all")."""
    formulas = formulas_module.resolve(formula_set, period.date_to)
    return _compute(_ctx(unit_ids, period, now), by, formulas)


def _keyed(unit_ids: Sequence[int], by: str, key) -> tuple[str, int | None]:
    """One key of `by`: a single unit needs no key; several units without one mean them all."""
    if by == "unit" and key is None:
        if len(set(unit_ids)) == 1:
            return by, next(iter(unit_ids))
        return "all", None
    if by == "all":
        return by, None
    return by, key


def _keyed_ctx(unit_ids, period, now, by, key, assume=None) -> Ctx:
    if by == "unit" and key is not None:
        return _ctx([key], period, now, assume)
    return _ctx(unit_ids, period, now, assume)


def drill_down(
    *,
    indicator: str,
    unit_ids: Sequence[int],
    period: Period,
    now: dt.datetime,
    by: str = "unit",
    key: int | None = None,
    formula_set=None,
) -> list[Item]:
    """The rows of `indicator`'s denominator not in its numerator for one key, the ones that
    can still be fixed first. A province-only indicator a commune is given has none."""
    formulas = formulas_module.resolve(formula_set, period.date_to)
    ind = formulas.indicators[indicator]
    by, key = _keyed(unit_ids, by, key)
    ctx = _keyed_ctx(unit_ids, period, now, by, key)
    if ind.province_only:
        kinds = dict(Unit.objects.filter(pk__in=ctx.unit_ids).values_list("pk", "kind"))
        if given_province_points(kinds, key, by):
            return []
    measure = MEASURES[ind.measure]
    if measure.applies(by):
        items = measure.missing(ctx, ind.counts, by, key)
    else:
        items = measure.missing(ctx, ind.counts, "all", None)
    return sorted(items, key=lambda i: not i.fixable)


def what_if(
    *,
    indicator: str,
    fixed: int,
    unit_ids: Sequence[int],
    period: Period,
    now: dt.datetime,
    by: str = "unit",
    key: int | None = None,
    formula_set=None,
) -> Score:
    """The score of `key` as if the first `fixed` drill-down items of `indicator` had been
    fixed (on time, paid online, synced, ...): the same SQL with those rows assumed to hold
    the fact, so it equals the score recomputed after really fixing them."""
    formulas = formulas_module.resolve(formula_set, period.date_to)
    by, key = _keyed(unit_ids, by, key)
    items = drill_down(
        indicator=indicator,
        unit_ids=unit_ids,
        period=period,
        now=now,
        by=by,
        key=key,
        formula_set=formulas,
    )
    measure = MEASURES[formulas.indicators[indicator].measure]
    chosen = frozenset(i.pk for i in items[: max(fixed, 0)])
    assume = {fact: chosen for fact in measure.facts[:1]}
    ctx = _keyed_ctx(unit_ids, period, now, by, key, assume)
    return _compute(ctx, by, formulas, only_key=key, keyed=True)[0]


def _drill_url(indicator: str, key) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("service_index:drill_down", kwargs={"indicator": indicator})
    except NoReverseMatch:
        return ""
    return f"{url}?key={key}" if key is not None else url


def actions(
    *,
    unit_ids: Sequence[int],
    period: Period,
    now: dt.datetime,
    key: int | None = None,
    limit: int = 10,
    by: str = "unit",
    formula_set=None,
) -> list[Action]:
    """Concrete actions ranked by points gained per item fixed: for every indicator that lost
    points, what can still be fixed before the period closes (fixable) and what is lost.

    The gain is the indicator's own (its group's cap applied); a fix that also lifts another
    indicator (on time lifts dossier satisfaction too) gains at least this much."""
    formulas = formulas_module.resolve(formula_set, period.date_to)
    by, key = _keyed(unit_ids, by, key)
    ctx = _keyed_ctx(unit_ids, period, now, by, key)
    current = _compute(ctx, by, formulas, only_key=key, keyed=True)[0]
    found: list[Action] = []
    for group_def, group in zip(formulas.groups, current.groups, strict=True):
        for ind_def, ind in zip(group_def.indicators, group.indicators, strict=True):
            if ind.given or ind.missing == 0 or ind.points >= ind.max_points:
                continue
            items = drill_down(
                indicator=ind.code,
                unit_ids=ctx.unit_ids,
                period=period,
                now=now,
                by=by,
                key=key,
                formula_set=formulas,
            )
            fixable = sum(1 for i in items if i.fixable)
            lost = len(items) - fixable
            for count, can_fix, done in ((fixable, True, 0), (lost, False, fixable)):
                if count == 0:
                    continue
                gained = _gain(group_def, group, ind_def, ind, done, count)
                if gained <= 0:
                    continue
                measure = MEASURES[ind_def.measure]
                found.append(
                    Action(
                        indicator=ind.code,
                        label=measure.fix_label.format(n=count),
                        items=count,
                        points_gained=gained,
                        per_item=(gained / count).quantize(RATIO_PLACES),
                        fixable=can_fix,
                        drill_url=_drill_url(ind.code, key),
                    )
                )
    found.sort(key=lambda a: (not a.fixable, -a.per_item, -a.points_gained, a.indicator))
    return found[:limit]


def _gain(group_def, group: GroupScore, ind_def, ind: IndicatorScore, done: int, count: int):
    """Points the total gains when `count` more rows of `ind` (after `done` others) are fixed."""
    before = ind_def.points(ind.numerator + done, ind.denominator)
    after = ind_def.points(ind.numerator + done + count, ind.denominator)
    others = [i.points for i in group.indicators if i.code != ind.code]
    return group_def.points([*others, after]) - group_def.points([*others, before])
