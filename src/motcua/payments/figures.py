"""Số liệu thanh toán trực tuyến: the payment figures the plans set targets on and the service
index (issue 16, group "Online payment") reads, for units, a department, a procedure and a
period, each a numerator over a denominator with the list behind both.

- **Transactions** (the plans' "> 95% of payment transactions online"): attempts credited in the
  period (`paid_at`; paid, or refunded afterwards: the payment did happen), by method; online =
  the national platform and VietQR. Their count and their amount (what was paid, before refunds).
- **Procedures** (index: fee-bearing procedures with at least one online payment / fee-bearing
  procedures, 2 points, full at 80%): published procedures of the unit or of the province above
  it with a fee row in force in the period whose amount is not 0 (an amount the catalog does not
  know, "set by the council", is a fee); paid online = one of its dossiers at the unit had an
  online attempt credited in the period.
- **Dossiers** (index: dossiers paid online / dossiers with a financial obligation, 6 points):
  dossiers received in the period (issue 16: payment indicators count the dossiers received in
  the period) that owe money: a payment request with an amount, or, when none was made yet, fees
  in the catalog at reception (a request of 0 đồng after an exemption owes nothing); paid online =
  an online attempt of theirs credited and not wholly refunded.

Every figure is one SQL aggregation, never a loop over rows; a zero denominator gives no ratio
(shown as "no data"), as the index does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from motcua.catalog.models import Fee, Procedure
from motcua.core.calendar import LOCAL_TZ
from motcua.core.models import Unit
from motcua.dossiers.models import Dossier

from .models import ONLINE_METHODS, Method, PaymentAttempt, PaymentRequest

A = PaymentAttempt.Status
CREDITED = (A.PAID, A.PARTIALLY_REFUNDED, A.REFUNDED)
KEPT = (A.PAID, A.PARTIALLY_REFUNDED)  # credited and not wholly refunded


@dataclass(frozen=True)
class Scope:
    """Whose figures: units (ids), optionally one department and one procedure (national code),
    over the days `date_from`..`date_to` (Vietnam's dates, both included)."""

    unit_ids: tuple[int, ...]
    date_from: dt.date
    date_to: dt.date
    department_id: int | None = None
    procedure_code: str = ""

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.date_from, dt.time.min, tzinfo=LOCAL_TZ)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(
            self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=LOCAL_TZ
        )


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        """None when there is nothing to count (the index's "no data")."""
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 2)


@dataclass(frozen=True)
class MethodLine:
    method: str
    label: str
    online: bool
    count: int
    amount_vnd: int


@dataclass(frozen=True)
class Figures:
    scope: Scope
    transactions: Ratio
    amounts: Ratio
    procedures: Ratio
    dossiers: Ratio
    by_method: list[MethodLine] = field(default_factory=list)


# --- the lists behind each figure -------------------------------------------------------------


def credited_attempts(scope: Scope) -> QuerySet[PaymentAttempt]:
    """Payment transactions of the period: the transactions denominator."""
    qs = PaymentAttempt.objects.filter(
        request__unit_id__in=scope.unit_ids,
        status__in=CREDITED,
        paid_at__gte=scope.start,
        paid_at__lt=scope.end,
    )
    if scope.department_id:
        qs = qs.filter(request__dossier__procedure__department_id=scope.department_id)
    if scope.procedure_code:
        qs = qs.filter(request__dossier__procedure_code=scope.procedure_code)
    return qs


def online_attempts(scope: Scope) -> QuerySet[PaymentAttempt]:
    return credited_attempts(scope).filter(method__in=ONLINE_METHODS)


def _reach(unit_ids: tuple[int, ...]) -> set[int]:
    """The units whose published procedures a unit carries out: its own and its parent's."""
    parents = Unit.objects.filter(pk__in=unit_ids).exclude(parent_id=None)
    return set(unit_ids) | set(parents.values_list("parent_id", flat=True))


def fee_bearing_q(date_from: dt.date, date_to: dt.date) -> Q:
    """A procedure (published) with a fee in force between the days whose amount is not 0
    (unknown counts: a fee the council sets). Read by the service index too."""
    fees = Fee.objects.filter(procedure=OuterRef("pk")).filter(
        Q(amount_vnd__isnull=True) | Q(amount_vnd__gt=0),
        Q(valid_from__isnull=True) | Q(valid_from__lte=date_to),
        Q(valid_to__isnull=True) | Q(valid_to__gte=date_from),
    )
    return Q(is_published=True) & Q(Exists(fees))


def fee_bearing_procedures(scope: Scope) -> QuerySet[Procedure]:
    """The procedures denominator: published, of the unit or its province, with a fee in force
    in the period whose amount is not 0 (unknown counts: a fee the council sets)."""
    qs = Procedure.objects.filter(unit_id__in=_reach(scope.unit_ids)).filter(
        fee_bearing_q(scope.date_from, scope.date_to)
    )
    if scope.department_id:
        qs = qs.filter(department_id=scope.department_id)
    if scope.procedure_code:
        qs = qs.filter(code=scope.procedure_code)
    return qs.order_by("code", "pk")


def procedures_paid_online(scope: Scope) -> QuerySet[Procedure]:
    """The procedures numerator: fee-bearing, with an online payment of theirs in the period."""
    paid = online_attempts(scope).filter(request__dossier__procedure_id=OuterRef("pk"))
    return fee_bearing_procedures(scope).filter(Exists(paid))


def owes_parts() -> tuple[Q, Q]:
    """The two disjoint ways a dossier owes money: a live payment request with an amount; no
    live request yet and fees in the catalog at reception (the service index counts each with
    its condition in WHERE, which the database turns into a join)."""
    live = PaymentRequest.objects.filter(dossier=OuterRef("pk")).exclude(
        status=PaymentRequest.Status.CANCELLED
    )
    return Q(Exists(live.filter(amount_vnd__gt=0))), ~Q(Exists(live)) & Q(fee_total_vnd__gt=0)


def owes_q() -> Q:
    """A dossier owing money: a payment request with an amount, or, when none was made yet,
    fees in the catalog at reception. Read by the service index too."""
    by_request, by_catalog = owes_parts()
    return by_request | by_catalog


def paid_online_q() -> Q:
    """A dossier with an online attempt credited and not wholly refunded (service index too)."""
    paid = PaymentAttempt.objects.filter(
        request__dossier=OuterRef("pk"), method__in=ONLINE_METHODS, status__in=KEPT
    ).exclude(request__status=PaymentRequest.Status.CANCELLED)
    return Q(Exists(paid))


def obligation_dossiers(scope: Scope) -> QuerySet[Dossier]:
    """The dossiers denominator: received in the period, owing money."""
    qs = Dossier.objects.filter(
        receiving_unit_id__in=scope.unit_ids,
        received_at__gte=scope.start,
        received_at__lt=scope.end,
    ).filter(owes_q())
    if scope.department_id:
        qs = qs.filter(procedure__department_id=scope.department_id)
    if scope.procedure_code:
        qs = qs.filter(procedure_code=scope.procedure_code)
    return qs.order_by("received_at", "pk")


def dossiers_paid_online(scope: Scope) -> QuerySet[Dossier]:
    """The dossiers numerator: an online attempt of theirs credited and not wholly refunded."""
    return obligation_dossiers(scope).filter(paid_online_q())


# --- the figures ------------------------------------------------------------------------------


def figures(scope: Scope) -> Figures:
    rows = {
        r["method"]: r
        for r in credited_attempts(scope)
        .values("method")
        .order_by()
        .annotate(n=Count("id"), amount=Sum("amount_vnd"))
    }
    by_method = [
        MethodLine(
            method=m.value,
            label=str(m.label),
            online=m in ONLINE_METHODS,
            count=rows.get(m.value, {}).get("n", 0),
            amount_vnd=int(rows.get(m.value, {}).get("amount") or 0),
        )
        for m in (Method.PLATFORM, Method.VIETQR, Method.CASH, Method.CARD)
    ]
    online = [x for x in by_method if x.online]
    return Figures(
        scope=scope,
        transactions=Ratio(sum(x.count for x in online), sum(x.count for x in by_method)),
        amounts=Ratio(sum(x.amount_vnd for x in online), sum(x.amount_vnd for x in by_method)),
        procedures=Ratio(
            procedures_paid_online(scope).count(), fee_bearing_procedures(scope).count()
        ),
        dossiers=Ratio(dossiers_paid_online(scope).count(), obligation_dossiers(scope).count()),
        by_method=by_method,
    )


@dataclass(frozen=True)
class ProcedureLine:
    code: str
    name: str
    transactions: int
    online_transactions: int
    amount_vnd: int
    online_amount_vnd: int


def by_procedure(scope: Scope) -> list[ProcedureLine]:
    """The transactions of the period per procedure, in one GROUP BY."""
    online = Q(method__in=ONLINE_METHODS)
    rows = (
        credited_attempts(scope)
        .values("request__dossier__procedure_code", "request__dossier__procedure_name")
        .order_by("request__dossier__procedure_code")
        .annotate(
            n=Count("id"),
            n_online=Count("id", filter=online),
            amount=Sum("amount_vnd"),
            amount_online=Sum("amount_vnd", filter=online),
        )
    )
    merged: dict[str, ProcedureLine] = {}
    for r in rows:  # one row per (code, name snapshot): names may differ between dossiers
        code = r["request__dossier__procedure_code"]
        before = merged.get(code)
        merged[code] = ProcedureLine(
            code=code,
            name=before.name if before else r["request__dossier__procedure_name"],
            transactions=(before.transactions if before else 0) + r["n"],
            online_transactions=(before.online_transactions if before else 0) + r["n_online"],
            amount_vnd=(before.amount_vnd if before else 0) + int(r["amount"] or 0),
            online_amount_vnd=(before.online_amount_vnd if before else 0)
            + int(r["amount_online"] or 0),
        )
    return list(merged.values())
