"""The period picker of the index screens: a month, a quarter, a year or a range of dates.

Query words (kept from screen to screen so "back" returns to the same period):
`ky=thang&thang=2026-11`, `ky=quy&quy=4&nam=2026`, `ky=nam&nam=2026`,
`ky=khoang&tu_ngay=2026-11-01&den_ngay=2026-11-20`. Nothing (or nonsense): the current month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from motcua.kpi.index import engine

KINDS = ("thang", "quy", "nam", "khoang")
MAX_RANGE_DAYS = 366
FIRST_YEAR = 2000


@dataclass(frozen=True)
class Picked:
    kind: str
    period: engine.Period
    query: str  # the period's query words, for links that keep it
    label: str
    error: str = ""

    @property
    def month_value(self) -> str:
        return f"{self.period.date_to:%Y-%m}"

    @property
    def quarter(self) -> int:
        return (self.period.date_to.month - 1) // 3 + 1

    @property
    def year(self) -> int:
        return self.period.date_to.year


def _int(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if low <= number <= high else None


def _date(value: str | None) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if day.year >= FIRST_YEAR else None


def _current_month(today: dt.date, error: str = "") -> Picked:
    p = engine.month(today.year, today.month)
    return Picked(
        "thang",
        p,
        urlencode({"ky": "thang", "thang": f"{today:%Y-%m}"}),
        _("Tháng %(m)s/%(y)s") % {"m": today.month, "y": today.year},
        error,
    )


def pick(params, today: dt.date) -> Picked:
    """The period the query asks for; an impossible one falls back to this month, with a
    message to show (never a 500)."""
    kind = params.get("ky") or "thang"
    wrong = _("Kỳ báo cáo không hợp lệ, đang hiển thị tháng này.")
    max_year = today.year + 1
    if kind == "thang":
        raw = params.get("thang") or f"{today:%Y-%m}"
        year, _sep, month = raw.partition("-")
        y, m = _int(year, FIRST_YEAR, max_year), _int(month, 1, 12)
        if y is None or m is None:
            return _current_month(today, wrong)
        return Picked(
            "thang",
            engine.month(y, m),
            urlencode({"ky": "thang", "thang": f"{y:04d}-{m:02d}"}),
            _("Tháng %(m)s/%(y)s") % {"m": m, "y": y},
        )
    if kind == "quy":
        y = _int(params.get("nam"), FIRST_YEAR, max_year)
        q = _int(params.get("quy"), 1, 4)
        if y is None or q is None:
            return _current_month(today, wrong)
        return Picked(
            "quy",
            engine.quarter(y, q),
            urlencode({"ky": "quy", "quy": q, "nam": y}),
            _("Quý %(q)s/%(y)s") % {"q": q, "y": y},
        )
    if kind == "nam":
        y = _int(params.get("nam"), FIRST_YEAR, max_year)
        if y is None:
            return _current_month(today, wrong)
        return Picked(
            "nam", engine.year(y), urlencode({"ky": "nam", "nam": y}), _("Năm %(y)s") % {"y": y}
        )
    if kind == "khoang":
        a, b = _date(params.get("tu_ngay")), _date(params.get("den_ngay"))
        if a is None or b is None or a > b:
            return _current_month(
                today, _("“Từ ngày” phải trước hoặc bằng “Đến ngày”; đang hiển thị tháng này.")
            )
        if (b - a).days + 1 > MAX_RANGE_DAYS:
            return _current_month(
                today, _("Chỉ xem được tối đa %(n)s ngày một lần.") % {"n": MAX_RANGE_DAYS}
            )
        return Picked(
            "khoang",
            engine.Period(a, b),
            urlencode({"ky": "khoang", "tu_ngay": a.isoformat(), "den_ngay": b.isoformat()}),
            _("Từ %(a)s đến %(b)s") % {"a": f"{a:%d/%m/%Y}", "b": f"{b:%d/%m/%Y}"},
        )
    return _current_month(today, wrong)
