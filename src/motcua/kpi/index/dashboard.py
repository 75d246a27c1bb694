"""Bảng điều hành chỉ số phục vụ: what the leader's dashboard, the province's and the manager's
tables, the drill-down and the public results page read (issue 16, parts 4 and 5).

Reads only: every figure comes from `motcua.kpi.index.engine` (score, drill_down, actions); this
module decides WHO may see WHICH figures and shapes them for a screen. The views are thin: they
parse the period and call one function here.

Who sees what (enforced here, not in templates; another unit's id is a 404, as everywhere in
the staff area, see `accounts.scoping`):
- a leader or manager (commune or province role): the units their role reaches; a province role
  reaches every commune of the province (the province's table, ranked);
- a one-stop officer or specialist without such a role: only their own figures (score by
  officer, their own drill-down), never another unit, officer or the ranking;
- anybody else: nothing (403 at the view's gate).

`leader_view` is the dashboard's whole computation (the benchmark calls it). Its result is kept
in the cache for `MOTCUA_INDEX_DASHBOARD_CACHE_SECONDS` (default 120 s) in windows aligned on the
clock; the page states the moment the figures were computed (`computed_at`), so what it shows is
never older than the cut-off it states. 0 turns the cache off.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.accounts.models import Role, User
from motcua.accounts.scoping import visible_unit_ids
from motcua.core.calendar import LOCAL_TZ
from motcua.core.models import Unit
from motcua.dossiers import deadlines
from motcua.dossiers.models import Dossier, Extension, Status
from motcua.dossiers.workflow import ACTIVE
from motcua.kpi.index import engine

UNIT_ROLES = (Role.LEADER, Role.MANAGER)  # see a unit's (or a province's) figures
OFFICER_ROLES = (Role.COUNTER_OFFICER, Role.SPECIALIST)  # see their own figures only
VIEWER_ROLES = UNIT_ROLES + OFFICER_ROLES
RANKED_KINDS = (Unit.Kind.COMMUNE, Unit.Kind.WARD, Unit.Kind.SPECIAL_ZONE)
BREAKDOWNS = {  # URL word -> the engine's `by`
    "xa": "unit",
    "phong-ban": "department",
    "linh-vuc": "field",
    "can-bo": "officer",
}
GROUP_ORDER = ("publicity", "progress", "online", "payment", "satisfaction", "digitization")
TREND_MONTHS = 12
WORST_INDICATORS = 5
TOP_ACTIONS = 5
AT_RISK_LIMIT = 8
HUNDRED = Decimal(100)


# --- who sees what -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """What one user may see on the index screens."""

    user_id: int
    units: tuple[Unit, ...]  # units seen as a leader/manager, ranked kinds first, by name
    own_units: tuple[Unit, ...]  # units where the user works as an officer (own figures)

    @property
    def officer_only(self) -> bool:
        return not self.units and bool(self.own_units)

    @property
    def unit_ids(self) -> list[int]:
        return [u.pk for u in self.units]

    @property
    def ranked(self) -> list[Unit]:
        """Communes, wards and special zones among the visible units (what is ranked)."""
        return [u for u in self.units if u.kind in RANKED_KINDS]

    @property
    def is_province(self) -> bool:
        """Sees more than one commune: the province's table is theirs."""
        return len(self.ranked) > 1

    def unit(self, unit_id: int | None) -> Unit:
        """A unit this viewer may see as a leader, else 404 (missing and foreign alike); no id:
        their own commune, or the first of the province's."""
        if not self.units:
            raise Http404
        if unit_id is None:
            return (self.ranked or list(self.units))[0]
        for unit in self.units:
            if unit.pk == unit_id:
                return unit
        raise Http404


def viewer(user: User) -> Viewer:
    unit_ids = visible_unit_ids(user, UNIT_ROLES)
    own_ids = visible_unit_ids(user, OFFICER_ROLES) - unit_ids
    found = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids | own_ids, is_active=True)}

    def order(u: Unit):
        return (u.kind not in RANKED_KINDS, u.name, u.pk)

    return Viewer(
        user_id=user.pk,
        units=tuple(sorted((found[i] for i in unit_ids if i in found), key=order)),
        own_units=tuple(sorted((found[i] for i in own_ids if i in found), key=order)),
    )


# --- periods -----------------------------------------------------------------------------------


def months_back(period: engine.Period, n: int = TREND_MONTHS) -> list[engine.Period]:
    """The n calendar months ending with the month of the period's last day, oldest first."""
    year, month = period.date_to.year, period.date_to.month
    result = []
    for _i in range(n):
        result.append(engine.month(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result[::-1]


def local_today(now: dt.datetime) -> dt.date:
    return now.astimezone(LOCAL_TZ).date()


# --- shaping the engine's figures --------------------------------------------------------------


def percent(ratio: Decimal | None) -> Decimal | None:
    """The engine's ratio (0..1) as a percentage with 2 decimals; None stays None."""
    if ratio is None:
        return None
    return (Decimal(ratio) * HUNDRED).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class GroupLine:
    code: str
    name: str
    points: Decimal
    max_points: Decimal
    tile: Decimal | None  # the tile's headline ratio, percent (None: no data)
    share_of_max: Decimal  # points / max, percent: beside the tile, the two can differ

    @property
    def bar(self) -> int:
        return int(self.share_of_max)


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    group: str
    group_name: str
    name: str
    points: Decimal
    max_points: Decimal
    lost: Decimal
    ratio: Decimal | None  # percent
    numerator: int
    denominator: int


def group_lines(score: engine.Score) -> list[GroupLine]:
    lines = []
    for g in score.groups:
        share = (g.points / g.max_points * HUNDRED) if g.max_points else Decimal(0)
        lines.append(
            GroupLine(
                code=g.code,
                name=str(g.name),
                points=g.points,
                max_points=g.max_points,
                tile=None
                if g.tile_ratio is None
                else Decimal(g.tile_ratio).quantize(Decimal("0.01")),
                share_of_max=share.quantize(Decimal("0.01")),
            )
        )
    return lines


def indicator_lines(score: engine.Score) -> list[IndicatorLine]:
    return [
        IndicatorLine(
            code=i.code,
            group=g.code,
            group_name=str(g.name),
            name=str(i.name),
            points=i.points,
            max_points=i.max_points,
            lost=i.max_points - i.points,
            ratio=percent(i.ratio),
            numerator=i.numerator,
            denominator=i.denominator,
        )
        for g in score.groups
        for i in g.indicators
    ]


def worst_indicators(score: engine.Score, n: int = WORST_INDICATORS) -> list[IndicatorLine]:
    """The indicators that lose most points (a tie: the larger maximum first)."""
    lines = [line for line in indicator_lines(score) if line.lost > 0]
    lines.sort(key=lambda line: (-line.lost, -line.max_points, line.code))
    return lines[:n]


def _rank(scores: Sequence[engine.Score], key: int) -> int | None:
    """1 + the number of units with a strictly higher total (ties share a rank)."""
    mine = next((s for s in scores if s.key == key), None)
    if mine is None:
        return None
    return 1 + sum(1 for s in scores if s.total > mine.total)


@dataclass(frozen=True)
class TrendPoint:
    period: engine.Period
    total: Decimal

    @property
    def label(self) -> str:
        return f"{self.period.date_from.month:02d}/{self.period.date_from.year % 100:02d}"


@dataclass(frozen=True)
class AtRisk:
    pk: int
    code: str
    procedure: str
    due_at: dt.datetime
    status: str


def at_risk_today(unit_ids: Sequence[int], now: dt.datetime, *, officer_id: int | None = None):
    """Open dossiers of the units due within one working day with no apology letter for that
    deadline (an extension made from it), paused ones (awaiting a supplement) left out: the
    ones a leader must act on today. `officer_id`: only those whose open step is theirs."""
    extended = Extension.objects.filter(
        dossier=OuterRef("pk"), old_due_at=OuterRef("due_at_current")
    )
    qs = (
        Dossier.objects.filter(status__in=ACTIVE, competent_unit_id__in=list(unit_ids))
        .exclude(status=Status.AWAITING_SUPPLEMENT)
        .exclude(Exists(extended))
    )
    qs = deadlines.due_within(qs, 1, now=now)
    if officer_id is not None:
        qs = qs.filter(steps__assignee_id=officer_id, steps__finished_at__isnull=True).distinct()
    rows = list(
        qs.order_by("due_at_current", "id").values_list(
            "pk", "code", "procedure_name", "due_at_current", "status"
        )[: AT_RISK_LIMIT + 1]
    )
    labels = dict(Status.choices)
    found = [
        AtRisk(pk=pk, code=code, procedure=name, due_at=due, status=str(labels.get(st, st)))
        for pk, code, name, due, st in rows[:AT_RISK_LIMIT]
        if due is not None  # due_within filtered on it; said for mypy
    ]
    return AtRiskList(items=found, more=len(rows) > AT_RISK_LIMIT)


@dataclass(frozen=True)
class AtRiskList:
    items: list[AtRisk]
    more: bool  # more than AT_RISK_LIMIT: the worklist's "due soon" tab has them all

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class ActionLine:
    indicator: str
    label: str
    items: int
    points_gained: Decimal
    per_item: Decimal
    fixable: bool


@dataclass
class LeaderView:
    """Everything the leader's dashboard shows, for one unit (or one officer) and period."""

    unit: Unit
    period: engine.Period
    score: engine.Score
    groups: list[GroupLine]
    rank: int | None
    ranked_among: int
    trend: list[TrendPoint]
    worst: list[IndicatorLine]
    at_risk: AtRiskList
    actions: list[ActionLine]
    computed_at: dt.datetime
    officer: bool = False  # an officer's own figures (no rank, no other units)
    actions_deferred: bool = False  # computed apart (leader_actions), loaded by the page
    indicators: list[IndicatorLine] = field(default_factory=list)


def _cache_key(*parts) -> str:
    raw = ":".join(str(p) for p in parts)
    return "motcua:index:dash:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def _cached(key_parts: tuple, now: dt.datetime, build):
    """`build()` from the cache when computed in the same aligned window of
    MOTCUA_INDEX_DASHBOARD_CACHE_SECONDS (0: always built)."""
    ttl = settings.MOTCUA_INDEX_DASHBOARD_CACHE_SECONDS
    if ttl <= 0:
        return build()
    window = int(now.timestamp()) // ttl
    key = _cache_key(get_language(), window, *key_parts)
    found = cache.get(key)
    if found is not None:
        return found
    value = build()
    cache.set(key, value, ttl)
    return value


def leader_view(
    *,
    user: User,
    unit_id: int | None,
    period: engine.Period,
    now: dt.datetime,
    with_actions: bool = True,
) -> LeaderView:
    """The leader's dashboard for `unit_id` (None: the viewer's own commune) over `period`.

    Rank: among the communes the viewer may see for that period (a commune leader: 1 of 1).
    An officer without a leader's or manager's role gets their own figures (by officer).
    `with_actions=False`: without `engine.actions` (the page loads them after its first answer,
    `leader_actions`). Raises Http404 for a unit the user may not see."""
    who = viewer(user)
    if who.officer_only:
        if unit_id is not None and unit_id not in {u.pk for u in who.own_units}:
            raise Http404
        return _cached(
            ("officer", user.pk, period.date_from, period.date_to, with_actions),
            now,
            lambda: _officer_view(who, period, now, with_actions),
        )
    unit = who.unit(unit_id)
    ranked_ids = sorted(u.pk for u in who.ranked)
    return _cached(
        (
            "unit",
            unit.pk,
            ",".join(map(str, ranked_ids)),
            period.date_from,
            period.date_to,
            with_actions,
        ),
        now,
        lambda: _unit_view(unit, ranked_ids, period, now, with_actions),
    )


@dataclass
class Actions:
    unit: Unit
    actions: list[ActionLine]
    officer: bool
    computed_at: dt.datetime


def leader_actions(
    *, user: User, unit_id: int | None, period: engine.Period, now: dt.datetime
) -> Actions:
    """The dashboard's "what to do" list alone (`engine.actions`, the costliest part), with the
    same scoping as `leader_view`: a unit the user may see, or an officer's own."""
    who = viewer(user)
    if who.officer_only:
        if unit_id is not None and unit_id not in {u.pk for u in who.own_units}:
            raise Http404
        ids = [u.pk for u in who.own_units]
        found = _cached(
            ("actions-officer", user.pk, period.date_from, period.date_to),
            now,
            lambda: _actions(ids, period, now, key=who.user_id, by="officer"),
        )
        return Actions(unit=who.own_units[0], actions=found, officer=True, computed_at=now)
    unit = who.unit(unit_id)
    found = _cached(
        ("actions", unit.pk, period.date_from, period.date_to),
        now,
        lambda: _actions([unit.pk], period, now),
    )
    return Actions(unit=unit, actions=found, officer=False, computed_at=now)


def _month_total(unit_ids: list[int], month, now, *, by: str, key: int | None) -> Decimal:
    if by == "officer":
        found = engine.score(unit_ids=unit_ids, period=month, now=now, by=by)
        mine = next((s for s in found if s.key == key), None)
        return mine.total if mine else Decimal(0)
    return engine.score(unit_ids=unit_ids, period=month, now=now, by=by)[0].total


def _trend(
    unit_ids: list[int], period, now, *, by: str, key: int | None, current: engine.Score
) -> list[TrendPoint]:
    """The total of each of the 12 months ending with the period's. A month that ended before
    today is computed once a day (facts judged at the month's end do not move with `now`; cached
    until midnight with the page's statement "earlier months: figures up to 00:00 today"); the
    period itself, when it is a month, is the score already on the page; a month still running
    is computed now."""
    today = local_today(now)
    midnight = dt.datetime.combine(today, dt.time(0), tzinfo=LOCAL_TZ)
    months = [m for m in months_back(period) if m.date_from <= today]
    ids = ",".join(map(str, unit_ids))
    keys = {m: _cache_key("trend", by, key, ids, m.date_from, today) for m in months}
    past = [m for m in months if m != period and m.date_to < today]
    stored = cache.get_many([keys[m] for m in past])  # one round trip for the past months
    fresh: dict[str, Decimal] = {}
    points = []
    for month in months:
        total: Decimal
        if month == period:
            total = current.total
        elif month in past:
            found = stored.get(keys[month])
            if found is None:
                found = _month_total(unit_ids, month, midnight, by=by, key=key)
                fresh[keys[month]] = found
            total = found
        else:
            total = _month_total(unit_ids, month, now, by=by, key=key)
        points.append(TrendPoint(month, total))
    if fresh:
        cache.set_many(fresh, _seconds_to_midnight(now))
    return points


def _seconds_to_midnight(now: dt.datetime) -> int:
    local = now.astimezone(LOCAL_TZ)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), LOCAL_TZ)
    return max(60, int((midnight - local).total_seconds()))


def _actions(unit_ids, period, now, key=None, by: str = "unit") -> list[ActionLine]:
    return [
        ActionLine(
            indicator=a.indicator,
            label=str(a.label),
            items=a.items,
            points_gained=a.points_gained,
            per_item=a.per_item,
            fixable=a.fixable,
        )
        for a in engine.actions(
            unit_ids=unit_ids, period=period, now=now, key=key, by=by, limit=TOP_ACTIONS
        )
    ]


def _unit_view(unit: Unit, ranked_ids: list[int], period, now, with_actions=True) -> LeaderView:
    ids = sorted(set(ranked_ids) | {unit.pk})
    scores = engine.score(unit_ids=ids, period=period, now=now, by="unit")
    mine = next(s for s in scores if s.key == unit.pk)
    ranked = [s for s in scores if s.key in set(ranked_ids)]
    return LeaderView(
        unit=unit,
        period=period,
        score=mine,
        groups=group_lines(mine),
        rank=_rank(ranked, unit.pk) if unit.pk in ranked_ids else None,
        ranked_among=len(ranked),
        trend=_trend([unit.pk], period, now, by="unit", key=unit.pk, current=mine),
        worst=worst_indicators(mine),
        at_risk=at_risk_today([unit.pk], now),
        actions=_actions([unit.pk], period, now) if with_actions else [],
        actions_deferred=not with_actions,
        computed_at=now,
        indicators=indicator_lines(mine),
    )


def _officer_score(who: Viewer, period, now) -> engine.Score:
    ids = [u.pk for u in who.own_units]
    found = engine.score(unit_ids=ids, period=period, now=now, by="officer")
    mine = next((s for s in found if s.key == who.user_id), None)
    if mine is None:  # nothing of theirs in the period: the engine's zero score for them
        empty = engine.score(unit_ids=[], period=period, now=now, by="all")
        mine = empty[0] if empty else None
    if mine is None:
        raise Http404
    return mine


def _officer_view(who: Viewer, period, now, with_actions=True) -> LeaderView:
    ids = [u.pk for u in who.own_units]
    mine = _officer_score(who, period, now)
    return LeaderView(
        unit=who.own_units[0],
        period=period,
        score=mine,
        groups=group_lines(mine),
        rank=None,
        ranked_among=0,
        trend=_trend(ids, period, now, by="officer", key=who.user_id, current=mine),
        worst=worst_indicators(mine),
        at_risk=at_risk_today(ids, now, officer_id=who.user_id),
        actions=_actions(ids, period, now, key=who.user_id, by="officer") if with_actions else [],
        actions_deferred=not with_actions,
        computed_at=now,
        officer=True,
        indicators=indicator_lines(mine),
    )


# --- the province's and the manager's tables ---------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    key: int | None
    label: str
    total: Decimal
    groups: dict[str, GroupLine]
    rank: int


@dataclass
class Breakdown:
    by: str  # the URL word (xa, phong-ban, linh-vuc, can-bo)
    unit: Unit | None  # the unit broken down (None: the province's communes)
    period: engine.Period
    rows: list[TableRow]
    groups: list[tuple[str, str]]  # (code, name) in the official order
    sort: str
    computed_at: dt.datetime


def breakdown(
    *,
    user: User,
    by: str,
    unit_id: int | None,
    period: engine.Period,
    now: dt.datetime,
    sort: str = "total",
) -> Breakdown:
    """The table of the province's communes (by="xa": every commune the viewer may see), or of
    one unit by department, field or officer (the manager's view). `sort`: "total" or a group
    code, highest first. Officers-only viewers have no table (404)."""
    if by not in BREAKDOWNS:
        raise Http404
    who = viewer(user)
    if who.officer_only or not who.units:
        raise Http404
    if by == "xa":
        unit = None
        ids = [u.pk for u in who.ranked] or who.unit_ids
    else:
        unit = who.unit(unit_id)
        ids = [unit.pk]
    scores = _cached(
        ("table", by, ",".join(map(str, ids)), period.date_from, period.date_to),
        now,
        lambda: engine.score(unit_ids=ids, period=period, now=now, by=BREAKDOWNS[by]),
    )
    group_names: dict[str, str] = {}
    for s in scores:
        for g in s.groups:
            group_names.setdefault(g.code, str(g.name))
    if sort != "total" and sort not in group_names:
        sort = "total"

    def value(s: engine.Score) -> Decimal:
        if sort == "total":
            return s.total
        return next(g.points for g in s.groups if g.code == sort)

    ordered = sorted(scores, key=lambda s: (-value(s), str(s.label)))
    rows = []
    for s in ordered:
        rank = 1 + sum(1 for other in scores if value(other) > value(s))
        rows.append(
            TableRow(
                key=s.key,
                label=str(s.label),
                total=s.total,
                groups={g.code: g for g in group_lines(s)},
                rank=rank,
            )
        )
    codes = sorted(group_names, key=lambda c: GROUP_ORDER.index(c) if c in GROUP_ORDER else 99)
    return Breakdown(
        by=by,
        unit=unit,
        period=period,
        rows=rows,
        groups=[(c, group_names[c]) for c in codes],
        sort=sort,
        computed_at=now,
    )


# --- drill-down --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrillRow:
    indicator: str
    indicator_name: str
    kind: str
    pk: int
    label: str
    reason: str
    fix_url: str
    fixable: bool


@dataclass
class Drill:
    unit: Unit
    period: engine.Period
    title: str  # the group's or indicator's name
    code: str  # the group or indicator code asked for
    rows: list[DrillRow]
    by: str
    key: int | None
    officer: bool


def drill(
    *,
    user: User,
    code: str,
    unit_id: int | None,
    period: engine.Period,
    now: dt.datetime,
    by: str = "unit",
    key: int | None = None,
) -> Drill:
    """The items that cost points in a group or an indicator (`code`), for a unit or one of
    its departments, fields or officers (`by`, `key`). An officer-only viewer drills into their
    own figures, whatever `by`/`key` the URL says. Unknown codes and foreign units: 404."""
    who = viewer(user)
    if who.officer_only:
        if unit_id is not None and unit_id not in {u.pk for u in who.own_units}:
            raise Http404
        unit, ids, by, key = who.own_units[0], [u.pk for u in who.own_units], "officer", user.pk
        score = _officer_score(who, period, now)
    else:
        unit = who.unit(unit_id)
        ids = [unit.pk]
        if by not in ("unit", "department", "field", "officer"):
            raise Http404
        if by == "unit":
            key = unit.pk
        found = engine.score(unit_ids=ids, period=period, now=now, by=by)
        keyed = next((s for s in found if s.key == key), None)
        if keyed is None:
            raise Http404
        score = keyed
    indicators = indicator_lines(score)
    wanted = [i for i in indicators if i.code == code or i.group == code]
    if not wanted:
        raise Http404
    title = wanted[0].name if wanted[0].code == code else wanted[0].group_name
    rows = [
        DrillRow(
            indicator=ind.code,
            indicator_name=ind.name,
            kind=item.kind,
            pk=item.pk,
            label=str(item.label),
            reason=str(item.reason),
            fix_url=item.fix_url,
            fixable=item.fixable,
        )
        for ind in wanted
        for item in engine.drill_down(
            indicator=ind.code, unit_ids=ids, period=period, now=now, by=by, key=key
        )
    ]
    return Drill(
        unit=unit,
        period=period,
        title=title,
        code=code,
        rows=rows,
        by=by,
        key=key,
        officer=who.officer_only,
    )


# --- the public results page -------------------------------------------------------------------


@dataclass(frozen=True)
class PublicResults:
    """What citizens see: figures of a unit, no name of anybody, no dossier."""

    unit_code: str
    unit_name: str
    period: engine.Period
    total: Decimal
    groups: list[GroupLine]
    on_time: Decimal | None  # percent
    online: Decimal | None
    satisfaction: Decimal | None
    cut_off: dt.datetime  # 00:00 of the day, local


def public_period(cut_off_day: dt.date) -> engine.Period:
    """The month of the day before the cut-off, up to that day (the 1st shows last month)."""
    last = cut_off_day - dt.timedelta(days=1)
    return engine.Period(last.replace(day=1), last)


def _tile(score: engine.Score, group: str) -> Decimal | None:
    g = next((g for g in score.groups if g.code == group), None)
    if g is None or g.tile_ratio is None:
        return None
    return Decimal(g.tile_ratio).quantize(Decimal("0.01"))


def public_results(*, unit: Unit, now: dt.datetime) -> PublicResults:
    """Figures up to 00:00 today (local), the month so far; computed once a day per unit and
    language (the cache lasts until the next midnight)."""
    today = local_today(now)
    cut_off = dt.datetime.combine(today, dt.time(0), tzinfo=LOCAL_TZ)
    key = f"motcua:index:public:{unit.pk}:{today.isoformat()}:{get_language()}"
    found = cache.get(key)
    if found is not None:
        return found
    period = public_period(today)
    score = engine.score(unit_ids=[unit.pk], period=period, now=cut_off, by="unit")
    mine = next((s for s in score if s.key == unit.pk), None) or score[0]
    sat = next((g for g in mine.groups if g.code == "satisfaction"), None)
    dossier_sat = None
    if sat is not None:
        dossier_ind = [i for i in sat.indicators if "dossier" in i.code]
        if dossier_ind:
            dossier_sat = percent(dossier_ind[0].ratio)
    result = PublicResults(
        unit_code=unit.code,
        unit_name=unit.name,
        period=period,
        total=mine.total,
        groups=group_lines(mine),
        on_time=_tile(mine, "progress"),
        online=_tile(mine, "online"),
        satisfaction=dossier_sat if dossier_sat is not None else _tile(mine, "satisfaction"),
        cut_off=cut_off,
    )
    next_midnight = cut_off + dt.timedelta(days=1)
    cache.set(key, result, max(60, int((next_midnight - now).total_seconds())))
    return result


def public_unit(code: str) -> Unit:
    """An active commune, ward, special zone or province by its code; else 404."""
    unit = Unit.objects.filter(code=code, is_active=True).exclude(kind=Unit.Kind.DISTRICT).first()
    if unit is None:
        raise Http404
    return unit


def drill_link(*, code: str, unit_id: int, query: str, by: str = "unit", key=None) -> str:
    """The drill-down screen's address for a group or indicator, keeping the period."""
    if by != "unit" and key is None:
        return ""  # "not assigned" rows (no department, field or officer): nothing to open
    url = reverse("service_index:drill") + f"?chi_so={code}&don_vi={unit_id}"
    if by != "unit":
        url += f"&theo={by}&khoa={key}"
    return url + (f"&{query}" if query else "")


def month_name(period: engine.Period) -> str:
    return _("Tháng %(m)s/%(y)s") % {"m": period.date_from.month, "y": period.date_from.year}


def days_in(period: engine.Period) -> int:
    return (period.date_to - period.date_from).days + 1


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, pycalendar.monthrange(year, month)[1])
