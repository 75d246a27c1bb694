"""The formula set as data (QĐ 766, issue 16): parse a `kpi.FormulaSet` row's definition into
typed groups and indicators, check it, pick the version in force on a day, and the one scoring
rule every indicator follows.

An indicator scores `min(max, max x ratio / full_at)`, ratio = numerator / denominator; a zero
denominator scores 0 or the maximum as its `zero` rule says ("zero" | "full"); a group sums its
indicators, capped where the set says; the total sums the groups. Points are Decimals rounded
half up to 2 places, as the dashboard shows them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils.translation import gettext_noop

from motcua.kpi.models import FormulaSet

DATA = Path(__file__).parent / "data"
CENT = Decimal("0.01")
ZERO = Decimal(0)
GROUPS = ("publicity", "progress", "online", "payment", "satisfaction", "digitization")
ZERO_RULES = ("zero", "full")
COUNTS = ("handled", "received", "catalog")

# The Vietnamese names of the shipped set, for the translation catalogue (the set's JSON holds
# them; gettext translates them when shown).
_NAMES = (
    gettext_noop("Công khai, minh bạch"),
    gettext_noop("Tiến độ giải quyết"),
    gettext_noop("Dịch vụ công trực tuyến"),
    gettext_noop("Thanh toán trực tuyến"),
    gettext_noop("Mức độ hài lòng"),
    gettext_noop("Số hóa hồ sơ, kết quả"),
    gettext_noop("Thủ tục được công bố đúng hạn"),
    gettext_noop("Thủ tục được cập nhật, công khai đúng hạn"),
    gettext_noop("Thủ tục công khai đầy đủ nội dung"),
    gettext_noop("Hồ sơ đồng bộ trạng thái đúng hạn"),
    gettext_noop("Hồ sơ giải quyết trước hạn, đúng hạn và đang giải quyết trong hạn"),
    gettext_noop("Thủ tục cung cấp dịch vụ công trực tuyến"),
    gettext_noop("Dịch vụ công trực tuyến có phát sinh hồ sơ"),
    gettext_noop("Hồ sơ nộp trực tuyến"),
    gettext_noop("Hồ sơ thanh toán trực tuyến"),
    gettext_noop("Thủ tục có phí, lệ phí phát sinh thanh toán trực tuyến"),
    gettext_noop("Thủ tục có phí, lệ phí được công khai để thanh toán trực tuyến"),
    gettext_noop("Phản ánh, kiến nghị xử lý đúng hạn hoặc còn trong hạn"),
    gettext_noop(
        "Phản ánh, kiến nghị được trả lời không bị đánh giá không hài lòng, lặp lại hay quá hạn"
    ),
    gettext_noop("Hồ sơ không bị đánh giá không hài lòng, không quá hạn"),
    gettext_noop("Hồ sơ có kết quả điện tử có giá trị pháp lý"),
    gettext_noop("Hồ sơ số hóa thành phần và đưa vào kho dữ liệu của công dân"),
    gettext_noop("Bản sao chứng thực điện tử"),
    gettext_noop("Hồ sơ thay thế thành phần bằng dữ liệu tái sử dụng"),
    gettext_noop("Hồ sơ số hóa được chia sẻ để tái sử dụng"),
    gettext_noop("Hồ sơ xác thực danh tính qua Cơ sở dữ liệu quốc gia về dân cư"),
    gettext_noop("Hồ sơ khai thác dữ liệu dân cư thay cho giấy tờ"),
)


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    name: str
    max_points: Decimal
    full_at: Decimal
    measure: str
    zero: str  # "zero" | "full": what a zero denominator scores
    counts: str  # "handled" | "received" | "catalog": which rows the measure counts
    province_only: bool = False

    def points(self, numerator: int, denominator: int) -> Decimal:
        """min(max, max x ratio / full_at), 2 decimals; the zero rule when nothing is counted."""
        if denominator <= 0:
            return self.max_points if self.zero == "full" else ZERO
        ratio = Decimal(numerator) / Decimal(denominator)
        return q2(min(self.max_points, self.max_points * ratio / self.full_at))


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    max_points: Decimal
    cap: Decimal | None
    tile: dict
    indicators: tuple[Indicator, ...]

    def points(self, indicator_points: list[Decimal]) -> Decimal:
        total = sum(indicator_points, ZERO)
        return q2(min(total, self.cap) if self.cap is not None else total)


@dataclass(frozen=True)
class Formulas:
    """One version of the formula set, parsed."""

    pk: int | None
    code: str
    version: int
    effective_from: dt.date
    effective_to: dt.date | None
    groups: tuple[Group, ...]

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def indicators(self) -> dict[str, Indicator]:
        return {i.code: i for g in self.groups for i in g.indicators}


def parse(row: FormulaSet) -> Formulas:
    """The row's definition as typed groups and indicators (ImproperlyConfigured if broken)."""
    definition = row.definition or {}
    indicators: dict[str, list[Indicator]] = {}
    for raw in definition.get("indicators", []):
        ind = Indicator(
            code=raw["code"],
            group=raw["group"],
            name=raw["name"],
            max_points=Decimal(str(raw["max"])),
            full_at=Decimal(str(raw.get("full_at", "1"))),
            measure=raw["measure"],
            zero=raw.get("zero", "zero"),
            counts=raw.get("counts", "received"),
            province_only=bool(raw.get("province_only", False)),
        )
        if ind.zero not in ZERO_RULES or ind.counts not in COUNTS or ind.full_at <= 0:
            raise ImproperlyConfigured(f"{row}: indicator {ind.code} is not well formed")
        indicators.setdefault(ind.group, []).append(ind)
    groups = []
    for raw in definition.get("groups", []):
        cap = raw.get("cap")
        groups.append(
            Group(
                code=raw["code"],
                name=raw["name"],
                max_points=Decimal(str(raw["max"])),
                cap=Decimal(str(cap)) if cap is not None else None,
                tile=raw.get("tile") or {"kind": "points"},
                indicators=tuple(indicators.pop(raw["code"], [])),
            )
        )
    if indicators:
        raise ImproperlyConfigured(f"{row}: indicators of unknown groups {sorted(indicators)}")
    return Formulas(
        pk=row.pk,
        code=row.code,
        version=row.version,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        groups=tuple(groups),
    )


def shipped_definition(name: str = "dashboard-2025-v1") -> dict:
    """A definition shipped with the code (the data migration loads it into a row)."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def in_force(day: dt.date, code: str = "dashboard-2025") -> Formulas:
    """The version of `code` in force on `day` (the newest version when several overlap)."""
    row = (
        FormulaSet.objects.filter(code=code, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-version")
        .first()
    )
    if row is None:
        row = FormulaSet.objects.filter(code=code).order_by("effective_from", "version").first()
    if row is None:
        raise ImproperlyConfigured(f"no formula set {code!r}: run the migrations")
    return parse(row)


def resolve(formula_set, day: dt.date) -> Formulas:
    """`formula_set` as given (a Formulas, a FormulaSet row, a code) or the default in force."""
    if isinstance(formula_set, Formulas):
        return formula_set
    if isinstance(formula_set, FormulaSet):
        return parse(formula_set)
    return in_force(day, formula_set or "dashboard-2025")
