"""Read side: sync coverage, "synced on time" (the service index counts it), lag, dead letters.

Definitions (docs/national-portal-sync.md, docs/decisions/0045):
- a dossier is **synced** when it has at least one message and every one of them was accepted
  by the portal (none pending, none dead);
- a dossier is **synced on time** when it is synced and every message was accepted by its
  `on_time_by` (the change + MOTCUA_DVCQG_ON_TIME_HOURS, 24 h by default);
- **coverage** = synced dossiers / dossiers submitted in the period, per competent unit;
- **lag** of a message = accepted_at - changed_at; the screen shows its p95 per unit over the
  messages accepted in the period.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from motcua.accounts.models import Role
from motcua.accounts.scoping import visible_unit_ids
from motcua.core.models import Unit
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierStep,
    SupplementRequest,
    component_digitized,
)
from motcua.payments.models import ONLINE_METHODS, PaymentAttempt, PaymentRequest

from .models import PortalMessage

VIEWER_ROLES = (Role.LEADER, Role.MANAGER, Role.ADMINISTRATOR)
State = PortalMessage.State


def _annotated(dossiers: QuerySet, now: dt.datetime) -> QuerySet:
    mine = PortalMessage.objects.filter(dossier_id=OuterRef("pk"))
    return dossiers.annotate(
        has_msg=Exists(mine),
        open_msg=Exists(mine.filter(state__in=(State.PENDING, State.DEAD))),
        late_msg=Exists(
            mine.filter(
                Q(accepted_at__gt=F("on_time_by")) | Q(accepted_at__isnull=True, on_time_by__lt=now)
            )
        ),
    )


def with_sync_facts(dossiers: QuerySet, now: dt.datetime) -> QuerySet:
    """`dossiers` annotated so that `SYNCED` and `ON_TIME` filter them (the service index)."""
    return _annotated(dossiers, now)


SYNCED = Q(has_msg=True, open_msg=False)
ON_TIME = Q(has_msg=True, open_msg=False, late_msg=False)


def synced_on_time(
    unit_ids, *, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> tuple[int, int]:
    """(dossiers, dossiers synced on time) of the competent units `unit_ids`, submitted in
    [start, end): what the service index's publicity group counts (DOMAIN.md section 8)."""
    qs = _annotated(
        Dossier.objects.filter(
            competent_unit_id__in=list(unit_ids), submitted_at__gte=start, submitted_at__lt=end
        ),
        now,
    )
    totals = qs.aggregate(total=Count("pk"), on_time=Count("pk", filter=ON_TIME))
    return totals["total"], totals["on_time"]


def p95(values: list[int]) -> int | None:
    """Nearest-rank 95th percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class UnitSync:
    unit: Unit
    dossiers: int
    synced: int
    on_time: int
    pending: int
    dead: int
    lag_p95_ms: int | None

    @property
    def coverage(self) -> float | None:
        return 100.0 * self.synced / self.dossiers if self.dossiers else None

    @property
    def lag_p95_s(self) -> float | None:
        return self.lag_p95_ms / 1000 if self.lag_p95_ms is not None else None

    @property
    def on_time_rate(self) -> float | None:
        return 100.0 * self.on_time / self.dossiers if self.dossiers else None


def coverage(user, *, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> list[UnitSync]:
    """One row per unit the user oversees (leader, manager, administrator) that has dossiers
    or messages in the period."""
    unit_ids = visible_unit_ids(user, VIEWER_ROLES)
    dossiers = _annotated(
        Dossier.objects.filter(
            competent_unit_id__in=unit_ids, submitted_at__gte=start, submitted_at__lt=end
        ),
        now,
    )
    per_unit = {
        row["competent_unit"]: row
        for row in dossiers.values("competent_unit").annotate(
            total=Count("pk"),
            synced=Count("pk", filter=SYNCED),
            on_time=Count("pk", filter=ON_TIME),
        )
    }
    states = {}
    for row in (
        PortalMessage.objects.filter(unit_id__in=unit_ids, state__in=(State.PENDING, State.DEAD))
        .values("unit_id", "state")
        .annotate(n=Count("pk"))
    ):
        states[(row["unit_id"], row["state"])] = row["n"]
    lags: dict[int, list[int]] = {}
    for unit_id, lag in PortalMessage.objects.filter(
        unit_id__in=unit_ids,
        accepted_at__gte=start,
        accepted_at__lt=end,
        lag__isnull=False,
        backfilled=False,  # its lag is the backfill's, not the sync's
    ).values_list("unit_id", "lag"):
        if lag is not None:  # filtered out above; said again for the type checker
            lags.setdefault(unit_id, []).append(int(lag.total_seconds() * 1000))
    shown = set(per_unit) | {u for u, _s in states} | set(lags)
    rows = []
    for unit in Unit.objects.filter(pk__in=shown).order_by("name", "pk"):
        counts = per_unit.get(unit.pk, {})
        rows.append(
            UnitSync(
                unit=unit,
                dossiers=counts.get("total", 0),
                synced=counts.get("synced", 0),
                on_time=counts.get("on_time", 0),
                pending=states.get((unit.pk, State.PENDING), 0),
                dead=states.get((unit.pk, State.DEAD), 0),
                lag_p95_ms=p95(lags.get(unit.pk, [])),
            )
        )
    return rows


def dead_letters(user) -> QuerySet:
    """Dead messages of the units the user oversees, newest change first."""
    return (
        PortalMessage.objects.filter(
            state=State.DEAD, unit_id__in=visible_unit_ids(user, VIEWER_ROLES)
        )
        .select_related("unit")
        .order_by("-changed_at", "-id")
    )


def explain(last_error: str) -> str:
    """The stored technical error (English, stable for grepping) told to staff in Vietnamese."""
    from django.utils.translation import gettext as _

    code = last_error or ""
    if code.startswith("refused:"):
        return _("Cổng từ chối: %(reason)s") % {"reason": code.removeprefix("refused:").strip()}
    if code.startswith("timeout"):
        return _("Cổng không trả lời kịp thời gian chờ.")
    if code.startswith("format"):
        return _("Cổng trả lời không đúng định dạng thỏa thuận (không phải JSON).")
    if code.startswith("http"):
        return _("Cổng báo lỗi: %(detail)s") % {"detail": code.removeprefix("http:").strip()}
    if code.startswith("connection"):
        return _("Không kết nối được Cổng Dịch vụ công quốc gia.")
    if code.startswith("config"):
        return _("Chưa cấu hình địa chỉ Cổng Dịch vụ công quốc gia.")
    return _("Lỗi hệ thống khi gửi.")


# --- what a message carries besides the dossier row (docs/national-portal-sync.md) -------------
# Each reader takes many dossiers at once and answers by dossier id with one query: the outbox
# hook asks for one dossier (a fixed number of queries per change, whatever its length), the
# backfill for a batch of them.


@dataclass(frozen=True)
class Step:
    """One transition of a dossier as the step history (QuaTrinhXuLy) tells it: the event,
    who made it, and the step of the control sheet it completed (its unit, department, start
    and its own deadline), when it completed one."""

    event_id: int
    action: str
    from_status: int | None
    to_status: int
    at: dt.datetime
    note: str
    data: dict
    actor_name: str
    step_name: str | None
    step_unit: str | None
    step_department: str | None
    step_started_at: dt.datetime | None
    step_due_at: dt.datetime | None


def histories(dossier_ids: list[int]) -> dict[int, list[Step]]:
    """Every transition of the dossiers, in order, in ONE query: the events with their actor's
    name, and (correlated subqueries of the same statement) the step each transition completed.
    A step completed by a transition is the one whose `finished_at` is that transition's moment:
    both are written in the transition's transaction, from the same `at`."""
    completed = DossierStep.objects.filter(
        dossier_id=OuterRef("dossier_id"), finished_at=OuterRef("at")
    ).order_by("order")

    def first(field: str) -> Subquery:
        return Subquery(completed.values(field)[:1])

    rows = (
        DossierEvent.objects.filter(dossier_id__in=dossier_ids)
        .annotate(
            step_name=first("name"),
            step_unit=first("unit__name"),
            step_department=first("department__name"),
            step_started_at=first("started_at"),
            step_due_at=first("due_at"),
        )
        .order_by("dossier_id", "id")
        .values_list(
            "dossier_id",
            "id",
            "action",
            "from_status",
            "to_status",
            "at",
            "note",
            "data",
            "actor__full_name",
            "actor__username",
            "step_name",
            "step_unit",
            "step_department",
            "step_started_at",
            "step_due_at",
        )
    )
    found: dict[int, list[Step]] = {}
    for (
        dossier_id,
        event_id,
        action,
        from_status,
        to_status,
        at,
        note,
        data,
        full_name,
        username,
        step_name,
        step_unit,
        step_department,
        step_started_at,
        step_due_at,
    ) in rows:
        found.setdefault(dossier_id, []).append(
            Step(
                event_id=event_id,
                action=action,
                from_status=from_status,
                to_status=to_status,
                at=at,
                note=note,
                data=data or {},
                actor_name=full_name or username or "",
                step_name=step_name,
                step_unit=step_unit,
                step_department=step_department,
                step_started_at=step_started_at,
                step_due_at=step_due_at,
            )
        )
    return found


def attachments(dossier_ids: list[int]) -> dict[int, list[dict]]:
    """The components (thành phần hồ sơ) of the dossiers, one query: each with whether it is in
    hand digitally, reused from the citizen's documents, or taken from the state's data."""
    found: dict[int, list[dict]] = {}
    for c in DossierComponent.objects.filter(dossier_id__in=dossier_ids).order_by(
        "dossier_id", "id"
    ):
        found.setdefault(c.dossier_id, []).append(
            {
                "component_id": c.pk,
                "name": c.name[:500],
                "count": c.count,
                "file_name": (c.file.name or "").rsplit("/", 1)[-1] if c.file else "",
                "digitized": component_digitized(c),
                "reused": c.reused_from_warehouse,
                "from_state_data": c.from_state_data,
            }
        )
    return found


def supplements(dossier_ids: list[int]) -> dict[int, list[dict]]:
    """The supplement requests (yêu cầu bổ sung) of the dossiers, one query, oldest first."""
    found: dict[int, list[dict]] = {}
    for s in (
        SupplementRequest.objects.filter(dossier_id__in=dossier_ids)
        .select_related("requested_by")
        .order_by("dossier_id", "requested_at", "id")
    ):
        by = s.requested_by
        found.setdefault(s.dossier_id, []).append(
            {
                "supplement_id": s.pk,
                "requested_at": s.requested_at,
                "requested_by": (by.full_name or by.username) if by else "",
                "items": [str(i) for i in s.items or []],
                "reason": s.reason[:1000],
                "due_at_before": s.due_at_before,
                "due_at_after": s.due_at_after,
                "answered_at": s.resubmitted_at,
            }
        )
    return found


def _online_method():
    paid = (PaymentAttempt.Status.PAID, PaymentAttempt.Status.PARTIALLY_REFUNDED)
    online = PaymentAttempt.objects.filter(
        request_id=OuterRef("pk"), status__in=paid, method__in=ONLINE_METHODS
    ).order_by("paid_at", "id")
    return Subquery(online.values("method")[:1])


FEE_REQUEST_FIELDS = ("status", "created_at", "paid_at", "online_method")


def with_fee_request(dossiers: QuerySet) -> QuerySet:
    """`dossiers` with their current fee request (the latest that is not cancelled, as
    `payments.selectors.fee_request`) read in the same statement: `fee_request_status`,
    `_created_at`, `_paid_at`, `_online_method` (the online method it was paid by: the
    national payment platform or a VietQR transfer; None when paid at the counter)."""
    current = (
        PaymentRequest.objects.filter(
            dossier_id=OuterRef("pk"), purpose=PaymentRequest.Purpose.FEES
        )
        .exclude(status=PaymentRequest.Status.CANCELLED)
        .annotate(online_method=_online_method())
        .order_by("-created_at", "-id")
    )
    return dossiers.annotate(
        **{f"fee_request_{name}": Subquery(current.values(name)[:1]) for name in FEE_REQUEST_FIELDS}
    )


def fee_request_of(dossier: Dossier) -> dict | None:
    """The fee request `with_fee_request` read with `dossier`, or None."""
    if getattr(dossier, "fee_request_status", None) is None:
        return None
    fields = {name: getattr(dossier, f"fee_request_{name}") for name in FEE_REQUEST_FIELDS}
    return {"purpose": "fees", **fields}


def obligations(dossier_ids: list[int]) -> dict[int, list[dict]]:
    """The payment requests of the dossiers' financial obligations (cancelled ones left out),
    one query: the amount, whether and when paid, and the online method it was paid by."""
    found: dict[int, list[dict]] = {}
    for row in (
        PaymentRequest.objects.filter(
            dossier_id__in=dossier_ids, purpose=PaymentRequest.Purpose.OBLIGATION
        )
        .exclude(status=PaymentRequest.Status.CANCELLED)
        .annotate(online_method=_online_method())
        .order_by("dossier_id", "created_at", "id")
        .values(
            "dossier_id",
            "purpose",
            "amount_vnd",
            "status",
            "created_at",
            "paid_at",
            "online_method",
        )
    ):
        found.setdefault(row["dossier_id"], []).append(dict(row))
    return found
