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

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from motcua.accounts.models import Role
from motcua.accounts.scoping import visible_unit_ids
from motcua.core.models import Unit
from motcua.dossiers.models import Dossier

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
        unit_id__in=unit_ids, accepted_at__gte=start, accepted_at__lt=end, lag__isnull=False
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
