"""The fee for certifying a copy, read from the catalog, never written here.

The procedure "Chứng thực bản sao từ bản chính" (national code 2.000815) carries a tariff row
counted per page (TT 226/2016/TT-BTC: 2.000 đ a page, 1.000 đ from the third, at most 200.000 đ
a copy: `Fee.per`, `tier_from_page`, `tier_amount_vnd`, `cap_per_copy_vnd`, counted by
`catalog.cases.copy_amount`, the one rule for every fee counted by page) and, where a province
subsidises electronic copies, a 0-đồng row of the case "Bản sao điện tử" whose condition starts
with the province's name ("Hải Phòng: hỗ trợ 100% ...") and whose dates bound it: the subsidy
applies when its province is the unit's and the day is within its dates. See
docs/decisions/0035 and 0036.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from motcua.catalog.cases import copy_amount
from motcua.catalog.models import Fee, Procedure
from motcua.core.models import Unit
from motcua.core.text import fold

PROCEDURE_CODE = "2.000815"  # Chứng thực bản sao từ bản chính (Cơ sở dữ liệu quốc gia về TTHC)
ELECTRONIC_CASE = "dien tu"  # folded: the case "Bản sao điện tử"
_PLACE = re.compile(r"^\s*([^:\d]{2,60}):")


class FeeUnknown(ValueError):
    """The catalog has no tariff for certification in this unit: say so, do not invent one."""


@dataclass(frozen=True)
class CertificationFee:
    amount_vnd: int  # what the citizen pays
    tariff_vnd: int  # what the tariff alone would charge
    explanation: str  # Vietnamese, shown on the screen and kept in the book
    basis: str


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def procedure_for(unit: Unit) -> Procedure | None:
    """The certification procedure published for `unit` (by it or a unit above it)."""
    ids = []
    current: Unit | None = unit
    while current is not None:
        ids.append(current.pk)
        current = current.parent
    found = {
        p.unit_id: p
        for p in Procedure.objects.filter(code=PROCEDURE_CODE, unit_id__in=ids, is_published=True)
    }
    return next((found[i] for i in ids if i in found), None)


def _in_force(fee: Fee, day: dt.date) -> bool:
    return (fee.valid_from is None or fee.valid_from <= day) and (
        fee.valid_to is None or day <= fee.valid_to
    )


def _province_names(unit: Unit) -> list[str]:
    names = []
    current: Unit | None = unit
    while current is not None:
        names.append(fold(current.name))
        current = current.parent
    return names


def _applies_here(fee: Fee, unit: Unit) -> bool:
    """A row whose condition starts with a place ("Hải Phòng: ...") applies in that place only."""
    match = _PLACE.match(fee.condition or "")
    if not match:
        return True
    place = fold(match.group(1))
    return any(place in name for name in _province_names(unit))


def tariff(fee: Fee, pages: int) -> int:
    """The tariff of `fee` for one copy of a `pages`-page original."""
    if fee.per == Fee.Per.PAGE:
        return copy_amount(fee, pages)
    return fee.amount_vnd or 0  # a price per copy


def tariff_summary(*, unit: Unit, day: dt.date) -> str:
    """The fee rule in force for `unit`, in words, for the form (before pages are known)."""
    try:
        one = certification_fee(unit=unit, pages=1, day=day)
        three = certification_fee(unit=unit, pages=3, day=day)
    except FeeUnknown as exc:
        return str(exc)
    return _("%(unit)s: 1 trang %(one)s, 3 trang %(three)s. %(rule)s") % {
        "unit": unit.name,
        "one": money(one.amount_vnd),
        "three": money(three.amount_vnd),
        "rule": three.explanation,
    }


def certification_fee(*, unit: Unit, pages: int, day: dt.date) -> CertificationFee:
    """The fee for an electronic copy of a `pages`-page original certified by `unit` on `day`."""
    procedure = procedure_for(unit)
    if procedure is None:
        raise FeeUnknown(
            _(
                "Danh mục thủ tục của đơn vị chưa có thủ tục “Chứng thực bản sao từ bản chính” "
                "(mã %(code)s) nên chưa tính được phí. Đề nghị quản trị nhập danh mục."
            )
            % {"code": PROCEDURE_CODE}
        )
    rows = [
        f
        for f in procedure.fees.all()
        if f.channel in (Fee.Channel.ANY, Fee.Channel.IN_PERSON)
        and f.amount_vnd is not None
        and _in_force(f, day)
        and _applies_here(f, unit)
    ]
    priced = [f for f in rows if f.amount_vnd and f.per == Fee.Per.PAGE] or [
        f for f in rows if f.amount_vnd
    ]
    if not priced:
        raise FeeUnknown(_("Danh mục chưa ghi mức phí chứng thực bản sao nên chưa tính được phí."))
    base = priced[0]
    full = tariff(base, pages)
    explanation = _("%(pages)s trang theo biểu phí (%(condition)s): %(amount)s") % {
        "pages": pages,
        "condition": base.condition,
        "amount": money(full),
    }
    subsidy = next((f for f in rows if f.amount_vnd == 0 and ELECTRONIC_CASE in fold(f.case)), None)
    if subsidy is not None:
        return CertificationFee(
            amount_vnd=0,
            tariff_vnd=full,
            explanation=_("%(tariff)s. Được hỗ trợ: %(subsidy)s. Phải nộp: 0 đ")
            % {
                "tariff": explanation,
                "subsidy": subsidy.condition,
            },
            basis=subsidy.legal_basis or base.legal_basis,
        )
    return CertificationFee(
        amount_vnd=full, tariff_vnd=full, explanation=explanation, basis=base.legal_basis
    )
