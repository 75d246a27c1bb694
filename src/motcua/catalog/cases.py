"""Cases of a procedure (trường hợp): which fee rows and which papers apply to one dossier.

A fee row may carry a `case` label: rows of different cases are alternatives (on time: free;
late: 8.000 đ), exactly one of which a dossier falls under; they are never added up. A row
without a case applies in every case. A component may carry a `condition` label: the paper is
asked for only when that condition holds (the child was abandoned, filed by an authorised
person). A component whose condition is one of the fee cases applies when that case is chosen.

Pure functions over model rows (prefetched or not): reception, the public page and the
publicity check share them, and `dossiers.services.fees_in_force` builds on them.
See docs/decisions/0015-conditional-components-and-fee-cases.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import Component, Fee


def in_force(fees: Iterable[Fee], *, online: bool, day: dt.date) -> list[Fee]:
    """Rows valid on `day` for the channel, after channel-specific rows replace general ones.

    A row for the dossier's own channel (in person, online) replaces the "any channel" rows of
    the same kind and the same case; a channel row without a case replaces every "any" row of
    its kind (an online exemption "0 đ when filed online" covers all cases).
    """
    wanted = Fee.Channel.ONLINE if online else Fee.Channel.IN_PERSON
    rows = [
        f
        for f in fees
        if f.channel in (Fee.Channel.ANY, wanted)
        and (f.valid_from is None or f.valid_from <= day)
        and (f.valid_to is None or day <= f.valid_to)
    ]
    specific = [f for f in rows if f.channel == wanted]

    def replaced(row: Fee) -> bool:
        return row.channel == Fee.Channel.ANY and any(
            s.kind == row.kind and (not s.case or s.case == row.case) for s in specific
        )

    return [f for f in rows if not replaced(f)]


def copy_amount(fee: Fee, pages: int) -> int:
    """One copy of a row counted per page: the tiered price, then the cap."""
    amount = fee.amount_vnd or 0
    if fee.tier_from_page and fee.tier_amount_vnd is not None and pages >= fee.tier_from_page:
        full = fee.tier_from_page - 1
        total = full * amount + (pages - full) * fee.tier_amount_vnd
    else:
        total = pages * amount
    if fee.cap_per_copy_vnd is not None:
        total = min(total, fee.cap_per_copy_vnd)
    return total


def cases_of(rows: Iterable[Fee]) -> list[str]:
    """The distinct case labels among `rows`, in catalog order."""
    seen: list[str] = []
    for f in rows:
        label = (f.case or "").strip()
        if label and label not in seen:
            seen.append(label)
    return seen


def for_case(rows: Iterable[Fee], case: str | None) -> list[Fee]:
    """Rows of the chosen case plus the rows that apply in every case."""
    case = (case or "").strip()
    return [f for f in rows if not f.case or f.case == case]


def total(rows: Iterable[Fee]) -> int:
    """What is owed: unknown amounts (set by the provincial council) count as 0."""
    return sum(f.amount_vnd or 0 for f in rows)


@dataclass
class FeeOption:
    """One choice at reception: a case, the rows that then apply, and what they add up to."""

    case: str
    rows: list[Fee]
    total_vnd: int
    has_unknown: bool


@dataclass
class FeeChoice:
    """What reception shows: the alternatives (empty when there is nothing to choose)."""

    options: list[FeeOption] = field(default_factory=list)
    common: list[Fee] = field(default_factory=list)  # rows that apply whatever the case

    @property
    def cases(self) -> list[str]:
        return [o.case for o in self.options]


def fee_choice(fees: Iterable[Fee], *, online: bool, day: dt.date) -> FeeChoice:
    rows = in_force(fees, online=online, day=day)
    options = []
    for case in cases_of(rows):
        chosen = for_case(rows, case)
        options.append(
            FeeOption(
                case=case,
                rows=chosen,
                total_vnd=total(chosen),
                has_unknown=any(f.amount_vnd is None for f in chosen),
            )
        )
    return FeeChoice(options=options, common=[f for f in rows if not f.case])


# --- components --------------------------------------------------------------------------------


def conditions_of(components: Iterable[Component], *, fee_cases: Iterable[str] = ()) -> list[str]:
    """Distinct component conditions to ask about (those equal to a fee case are not asked
    twice: choosing the case answers them)."""
    skip = {c.strip() for c in fee_cases}
    seen: list[str] = []
    for c in components:
        label = (c.condition or "").strip()
        if label and label not in skip and label not in seen:
            seen.append(label)
    return seen


def applies(component: Component, *, case: str | None, conditions: Iterable[str]) -> bool:
    """A paper applies when it has no condition, or its condition holds for this dossier."""
    label = (component.condition or "").strip()
    if not label:
        return True
    return label == (case or "").strip() or label in {c.strip() for c in conditions}


def required(
    components: Iterable[Component], *, case: str | None = None, conditions: Iterable[str] = ()
) -> list[Component]:
    conditions = list(conditions)
    return [c for c in components if applies(c, case=case, conditions=conditions)]


def uncased_alternatives(fees: Iterable[Fee]) -> list[Fee]:
    """Rows without a case that would be added to a case's rows although alternatives exist:
    same kind as a row with a case, on the same channel (or on every channel). The publicity
    check reports them: nobody can tell whether they belong to one case or to all."""
    fees = list(fees)
    cased = [f for f in fees if f.case]
    return [
        f
        for f in fees
        if not f.case
        and any(
            s.kind == f.kind and (s.channel == f.channel or f.channel == Fee.Channel.ANY)
            for s in cased
        )
    ]
