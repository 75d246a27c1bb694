"""What a dossier owes: the catalog's fee rows in force, counted by quantity, less the reliefs.

Pure functions over model rows, so the citizen's page, reception and the payment request
compute the same figure. Rules (docs/decisions/0036-payments.md):

- the rows are the catalog's rows in force for the channel and the day, of the dossier's case
  (`catalog.cases`, decision 0015);
- a row counts per dossier, per copy, or per page of each copy (a lower price from page
  `tier_from_page`, at most `cap_per_copy_vnd` a copy);
- a relief (`FeeRelief`) of the unit or a unit above it applies to a row when it is in force on
  the day, names the procedure (or names none), matches the row's kind, and its condition
  holds; reliefs do not add up: the most favourable one applies (the higher percent);
- the amount after a relief is rounded down to the đồng, in the payer's favour;
- a row whose amount is set by the provincial council and not known here (`amount_vnd` None)
  is shown as such and counts 0: it cannot be charged until the catalog knows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from motcua.catalog import cases
from motcua.catalog.cases import copy_amount
from motcua.catalog.models import Fee, Procedure
from motcua.core.models import Unit

from .models import FeeRelief

MAX_COPIES = 100
MAX_PAGES = 2_000


@dataclass(frozen=True)
class Quantities:
    """How many copies, and how many pages each (for rows counted per copy or per page)."""

    copies: int = 1
    pages: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.copies <= MAX_COPIES or not 1 <= self.pages <= MAX_PAGES:
            raise ValueError("quantities out of range")


@dataclass(frozen=True)
class Facts:
    """What the reliefs' conditions are judged on: the channel and the conditions that hold
    (FeeRelief.Condition values: checked by the officer, or known, as VNeID level 2)."""

    online: bool
    conditions: frozenset[str] = frozenset()


@dataclass
class Line:
    kind: str
    condition: str
    legal_basis: str
    per: str
    quantity: int
    unit_amount_vnd: int | None
    base_vnd: int
    amount_vnd: int
    relief: dict | None = None
    unknown: bool = False

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "condition": self.condition,
            "legal_basis": self.legal_basis,
            "per": self.per,
            "quantity": self.quantity,
            "unit_amount_vnd": self.unit_amount_vnd,
            "base_vnd": self.base_vnd,
            "amount_vnd": self.amount_vnd,
            "relief": self.relief,
            "unknown": self.unknown,
        }


@dataclass
class Breakdown:
    lines: list[Line] = field(default_factory=list)

    @property
    def total_vnd(self) -> int:
        return sum(line.amount_vnd for line in self.lines)

    @property
    def has_unknown(self) -> bool:
        return any(line.unknown for line in self.lines)

    def as_json(self) -> list[dict]:
        return [line.as_json() for line in self.lines]


def base_amount(fee: Fee, quantities: Quantities) -> tuple[int, int]:
    """(quantity shown, amount before reliefs) of one row."""
    if fee.per == Fee.Per.PAGE:
        return quantities.pages * quantities.copies, copy_amount(fee, quantities.pages) * (
            quantities.copies
        )
    if fee.per == Fee.Per.COPY:
        return quantities.copies, (fee.amount_vnd or 0) * quantities.copies
    return 1, fee.amount_vnd or 0


def _chain(unit: Unit | None) -> list[int]:
    ids: list[int] = []
    while unit is not None and len(ids) < 5:
        ids.append(unit.pk)
        unit = unit.parent
    return ids


def reliefs_in_force(unit: Unit | None, day: dt.date) -> list[FeeRelief]:
    """The reliefs decided by `unit` or a unit above it, in force on `day`."""
    ids = _chain(unit)
    if not ids:
        return []
    return list(
        FeeRelief.objects.filter(unit_id__in=ids, valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .order_by("-percent", "id")
    )


def _applies(relief: FeeRelief, fee: Fee, procedure: Procedure, facts: Facts) -> bool:
    codes = relief.codes
    if codes and procedure.code not in codes:
        return False
    if relief.fee_kind and relief.fee_kind != fee.kind:
        return False
    if relief.condition == FeeRelief.Condition.ONLINE:
        return facts.online
    return relief.condition in facts.conditions


def breakdown(
    procedure: Procedure,
    *,
    unit: Unit | None,
    day: dt.date,
    facts: Facts,
    quantities: Quantities | None = None,
    case: str = "",
    reliefs: Iterable[FeeRelief] | None = None,
) -> Breakdown:
    """The lines owed for a dossier of `procedure` at `unit` on `day` (see the module doc)."""
    quantities = quantities or Quantities()
    rows = cases.for_case(cases.in_force(procedure.fees.all(), online=facts.online, day=day), case)
    found = list(reliefs) if reliefs is not None else reliefs_in_force(unit, day)
    lines = []
    for fee in rows:
        quantity, base = base_amount(fee, quantities)
        best = next((r for r in found if _applies(r, fee, procedure, facts)), None)
        amount = base if best is None else base * (100 - best.percent) // 100
        lines.append(
            Line(
                kind=fee.kind,
                condition=fee.condition,
                legal_basis=fee.legal_basis,
                per=fee.per,
                quantity=quantity,
                unit_amount_vnd=fee.amount_vnd,
                base_vnd=base,
                amount_vnd=amount,
                relief=None
                if best is None or base == 0
                else {
                    "name": best.name,
                    "legal_basis": best.legal_basis,
                    "percent": best.percent,
                    "condition": best.condition,
                },
                unknown=fee.amount_vnd is None,
            )
        )
    return Breakdown(lines)
