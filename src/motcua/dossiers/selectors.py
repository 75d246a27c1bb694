"""Read-side queries for worklists, search, the dossier page and (later) the service index.

Every staff query starts from `for_staff(user)`: dossiers whose competent or receiving unit
the user reaches through `motcua.accounts.scoping`. Another unit's dossier does not exist for
the user (404, never 403). All lists are plain querysets ordered for keyset-friendly paging,
with the joins a worklist row needs.
"""

import datetime as dt
import re
import statistics
from dataclasses import dataclass

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.http import Http404
from django.utils.translation import gettext as _

from motcua.accounts.models import Role
from motcua.accounts.scoping import visible_unit_ids
from motcua.core.text import fold

from . import deadlines
from .models import (
    Dossier,
    DossierComponent,
    DossierDocument,
    DossierEvent,
    DossierStep,
    OnlineFiling,
    Status,
    Violation,
)
from .workflow import ACTIVE

MAX_QUERY_LENGTH = 100
_ROW_JOINS = ("receiving_unit", "competent_unit")


def for_staff(user, roles=None) -> QuerySet[Dossier]:
    """Dossiers the user may see: processed by or received at a unit they reach."""
    ids = visible_unit_ids(user, roles)
    return (
        Dossier.objects.filter(Q(competent_unit_id__in=ids) | Q(receiving_unit_id__in=ids))
        .select_related(*_ROW_JOINS)
        .order_by("due_at_current", "id")
    )


def get_for_staff(user, pk) -> Dossier:
    """One dossier the user may see, else 404 (missing and foreign look the same)."""
    try:
        return for_staff(user).select_related("procedure", "current_event").get(pk=pk)
    except (Dossier.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def stored_file_for_staff(user, *, dossier_id: int, owner: str, owner_id: int, name: str):
    """The component scan or dossier paper a signed link points at, if the user may see the
    dossier now and the row still holds that very file; else 404 (missing and foreign alike).
    `owner` is "c" (component) or "d" (document)."""
    dossier = get_for_staff(user, dossier_id)
    model = DossierComponent if owner == "c" else DossierDocument
    row = model.objects.filter(dossier=dossier, pk=owner_id).first()
    if row is None or not row.file or row.file.name != name:
        raise Http404
    return dossier, row


def by_code_for_units(raw: str, unit_ids) -> Dossier | None:
    """The dossier a typed code names ("000.00.12.h23-261122-0001", spaces and case forgiven)
    when one of `unit_ids` received it or decides it; None otherwise (for another app's form:
    a petition about a dossier; never tells whether the code exists elsewhere)."""
    code = re.sub(r"\s+", "", raw or "").upper()
    if not code or len(code) > 60:
        return None
    ids = list(unit_ids)
    return (
        Dossier.objects.filter(code=code)
        .filter(Q(receiving_unit_id__in=ids) | Q(competent_unit_id__in=ids))
        .only("pk", "code", "receiving_unit_id", "competent_unit_id")
        .first()
    )


def _open(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return qs.filter(status__in=ACTIVE)


def mine(user) -> QuerySet[Dossier]:
    """Dossiers with an open, started step assigned to the user."""
    open_step = DossierStep.objects.filter(
        dossier=OuterRef("pk"),
        assignee_id=user.pk,
        finished_at__isnull=True,
        started_at__isnull=False,
    )
    return for_staff(user).filter(Exists(open_step)).exclude(status__in=_CLOSED)


def with_deadline_facts(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """What `deadlines.assess_row` reads, in the same query: the open step's due date, start
    and catalogue time, and the catalogue time of every unfinished step."""
    open_steps = DossierStep.objects.filter(
        dossier=OuterRef("pk"), finished_at__isnull=True
    ).order_by("order")
    unfinished_total = (
        DossierStep.objects.filter(dossier=OuterRef("pk"), finished_at__isnull=True)
        .order_by()
        .values("dossier")
        .annotate(total=Sum("days"))
        .values("total")
    )
    decimal = DecimalField(max_digits=7, decimal_places=2)
    return qs.annotate(
        step_due_at=Subquery(open_steps.values("due_at")[:1]),
        step_started_at=Subquery(open_steps.values("started_at")[:1]),
        step_days=Subquery(open_steps.values("days")[:1], output_field=decimal),
        open_steps_days=Subquery(unfinished_total, output_field=decimal),
    )


def warnings(qs: QuerySet[Dossier], *, now: dt.datetime) -> dict[int, deadlines.DeadlineWarning]:
    """The deadline warning of each dossier in `qs` (one query), by primary key."""
    rows = with_deadline_facts(qs.order_by().select_related(None)).only(
        "id",
        "status",
        "due_at_current",
        "received_at",
        "competent_received_at",
        "competent_unit_id",
        "submitted_at",
    )
    return {row.pk: deadlines.assess_row(row, now) for row in rows}


Warnings = dict[int, deadlines.DeadlineWarning]


def deadline_warnings(user, *, now: dt.datetime) -> Warnings:
    """The warning of every open dossier of the user's units whose deadline is still ahead (one
    query): all that the "due soon" and "at risk" tabs and badges count, assessed once for a
    worklist page instead of once per tab."""
    return warnings(_open(for_staff(user)).filter(due_at_current__gte=now), now=now)


def _warned(
    user, now: dt.datetime | None, candidates, wanted, found: Warnings | None
) -> QuerySet[Dossier]:
    now = now or deadlines.current_time()
    if found is None:  # alone: assess only the dossiers that can qualify
        found = warnings(candidates(_open(for_staff(user)), now), now=now)
    return for_staff(user).filter(pk__in=[pk for pk, w in found.items() if wanted(w)])


def _soon_candidates(qs: QuerySet[Dossier], now: dt.datetime) -> QuerySet[Dossier]:
    # "at most one working day away" cannot reach beyond the end of the second working day
    bound = deadlines.end_of_working_days_from(now, 2)
    soon_step = DossierStep.objects.filter(
        dossier=OuterRef("pk"), finished_at__isnull=True, due_at__lt=bound
    )
    return qs.filter(due_at_current__gte=now).filter(
        Q(due_at_current__lt=bound) | Exists(soon_step)
    )


def _risk_candidates(qs: QuerySet[Dossier], now: dt.datetime) -> QuerySet[Dossier]:
    return qs.filter(due_at_current__gte=now).exclude(status=Status.AWAITING_SUPPLEMENT)


def due_soon(
    user, *, now: dt.datetime | None = None, found: Warnings | None = None
) -> QuerySet[Dossier]:
    """Open dossiers whose deadline or open step's deadline is due soon (deadlines.assess);
    `found`: `deadline_warnings` already read for this request."""
    return _warned(user, now, _soon_candidates, lambda w: w.due_soon, found)


def at_risk(
    user, *, now: dt.datetime | None = None, found: Warnings | None = None
) -> QuerySet[Dossier]:
    """Open dossiers projected to miss their deadline (deadlines.assess), evaluated now: the
    same rule as the badge and the periodic job's flags."""
    return _warned(user, now, _risk_candidates, lambda w: w.at_risk, found)


def overdue(user, *, now: dt.datetime | None = None) -> QuerySet[Dossier]:
    return deadlines.overdue(_open(for_staff(user)), now=now)


def awaiting_supplement(user) -> QuerySet[Dossier]:
    return for_staff(user).filter(status=Status.AWAITING_SUPPLEMENT).order_by("updated", "id")


def awaiting_reception(user) -> QuerySet[Dossier]:
    """Online dossiers waiting for an officer, and transfers waiting for acknowledgement."""
    ids = visible_unit_ids(user)
    return (
        Dossier.objects.filter(
            Q(status=Status.SUBMITTED, receiving_unit_id__in=ids)
            | Q(status=Status.TRANSFERRING, competent_unit_id__in=ids)
        )
        .select_related(*_ROW_JOINS)
        .order_by("submitted_at", "id")
    )


def reception_warnings(
    user, *, now: dt.datetime | None = None
) -> dict[int, deadlines.DeadlineWarning]:
    """Online dossiers awaiting reception at the user's units, each judged against the
    reception time limit (`deadlines.assess`, about="reception")."""
    ids = visible_unit_ids(user)
    qs = Dossier.objects.filter(status=Status.SUBMITTED, receiving_unit_id__in=ids)
    return warnings(qs, now=now or deadlines.current_time())


def reception_summary(counts: dict[str, int]) -> dict[str, int]:
    """What the "Chờ tiếp nhận" tab says above its list (from `worklist_counts`)."""
    return {
        "overdue": counts.get("reception_overdue", 0),
        "due_soon": counts.get("reception_due_soon", 0),
    }


def awaiting_signature(user) -> QuerySet[Dossier]:
    """For leaders: dossiers of their units waiting for approval and signature."""
    ids = visible_unit_ids(user, [Role.LEADER])
    return (
        Dossier.objects.filter(status=Status.AWAITING_APPROVAL, competent_unit_id__in=ids)
        .select_related(*_ROW_JOINS)
        .order_by("due_at_current", "id")
    )


def search(qs: QuerySet[Dossier], query: str) -> QuerySet[Dossier]:
    """By code (or its tail), applicant name without diacritics, or the exact ID number."""
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    if not query:
        return qs
    if re.fullmatch(r"\d{10,13}(-\d{3})?", query):
        return qs.filter(Q(applicant_id_number=query) | Q(code__endswith=query))
    for word in fold(query).split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs


def timeline(dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor").order_by("at", "id")


def steps(dossier: Dossier) -> QuerySet[DossierStep]:
    return dossier.steps.select_related("unit", "department", "assignee").order_by("order")


def violations(user) -> QuerySet[Violation]:
    """What managers must see: late and missing apologies of their units."""
    ids = visible_unit_ids(user, [Role.MANAGER, Role.LEADER])
    return Violation.objects.filter(dossier__competent_unit_id__in=ids).select_related(
        "dossier", "dossier__competent_unit"
    )


def worklist_counts(
    user, *, now: dt.datetime | None = None, found: Warnings | None = None
) -> dict[str, int]:
    """The badge numbers of the worklist tabs (`found`: `deadline_warnings`, if already read)."""
    now = now or deadlines.current_time()
    if found is None:
        found = deadline_warnings(user, now=now)
    counts = {
        "mine": mine(user).count(),
        "due_soon": sum(1 for w in found.values() if w.due_soon),
        "overdue": overdue(user, now=now).count(),
        "awaiting_supplement": awaiting_supplement(user).count(),
        "awaiting_signature": awaiting_signature(user).count(),
        "awaiting_reception": awaiting_reception(user).count(),
        "at_risk": sum(1 for w in found.values() if w.at_risk),
    }
    if counts["awaiting_reception"]:
        reception = reception_warnings(user, now=now).values()
        counts["reception_overdue"] = sum(1 for w in reception if w.overdue)
        counts["reception_due_soon"] = sum(1 for w in reception if w.due_soon)
    else:
        counts["reception_overdue"] = counts["reception_due_soon"] = 0
    return counts


_CLOSED = (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED)


def online_filing(dossier: Dossier) -> OnlineFiling | None:
    """How an online dossier was filed, with `minutes` and `seconds` for the page (or None)."""
    if dossier.channel != "online":
        return None
    filing = OnlineFiling.objects.filter(dossier=dossier).select_related("assisted_by").first()
    if filing is not None and filing.seconds_to_submit is not None:
        filing.minutes, filing.seconds = divmod(filing.seconds_to_submit, 60)  # type: ignore[attr-defined]
    return filing


@dataclass(frozen=True)
class FilingFigures:
    """Online filing of one procedure (or all): how long from sign-in, how much was typed."""

    procedure_code: str
    procedure_name: str
    dossiers: int
    assisted: int
    median_seconds: float | None
    mean_seconds: float | None
    median_typed: float | None
    mean_typed: float | None
    reused_documents: int

    @property
    def assisted_percent(self) -> float | None:
        return round(100 * self.assisted / self.dossiers, 1) if self.dossiers else None


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _mean(values: list[int]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def _figures(code: str, name: str, rows: list[tuple]) -> FilingFigures:
    seconds = [r[2] for r in rows if r[2] is not None]
    typed = [r[3] for r in rows if r[3] is not None]
    return FilingFigures(
        procedure_code=code,
        procedure_name=name,
        dossiers=len(rows),
        assisted=sum(1 for r in rows if r[4]),
        median_seconds=_median(seconds),
        mean_seconds=_mean(seconds),
        median_typed=_median(typed),
        mean_typed=_mean(typed),
        reused_documents=sum(r[5] for r in rows),
    )


def online_filing_figures(
    unit_ids, start: dt.datetime, end: dt.datetime
) -> tuple[FilingFigures, list[FilingFigures]]:
    """Online dossiers submitted in [start, end) to the units (one query): all of them, then
    per procedure, the most filed first. Medians are computed here, the same on both databases
    (a province's month is a few thousand rows)."""
    rows = list(
        OnlineFiling.objects.filter(
            dossier__receiving_unit_id__in=list(unit_ids),
            dossier__submitted_at__gte=start,
            dossier__submitted_at__lt=end,
        ).values_list(
            "dossier__procedure_code",
            "dossier__procedure_name",
            "seconds_to_submit",
            "typed_fields",
            "assisted_by_id",
            "reused_documents",
        )
    )
    by_code: dict[str, list[tuple]] = {}
    for row in rows:
        by_code.setdefault(row[0], []).append(row)
    per_procedure = [_figures(code, group[0][1], group) for code, group in by_code.items()]
    per_procedure.sort(key=lambda f: (-f.dossiers, f.procedure_code))
    return _figures("", _("Tất cả thủ tục"), rows), per_procedure


def index_facts(unit_ids, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Counts the service index (QĐ 766) will need for dossiers received in [start, end)."""
    qs = Dossier.objects.filter(
        competent_unit_id__in=unit_ids, submitted_at__gte=start, submitted_at__lt=end
    )
    return qs.aggregate(
        total=Count("id"),
        online=Count("id", filter=Q(channel="online")),
        finished=Count("id", filter=~Q(timeliness="")),
        early=Count("id", filter=Q(timeliness="early")),
        on_time=Count("id", filter=Q(timeliness="on_time")),
        late=Count("id", filter=Q(timeliness="late")),
        identity_verified=Count("id", filter=Q(identity_verified=True)),
        digitized=Count("id", filter=Q(all_components_digitized=True)),
        result_signed=Count("id", filter=Q(result_signed=True)),
        paid_online=Count("id", filter=Q(paid_online=True)),
    )


@dataclass(frozen=True)
class FeeStatus:
    """What the return screen shows about money: "owed", "paid" or "exempt", and the amount."""

    state: str
    amount_vnd: int
    label: str
    detail: str = ""


def fee_status(dossier: Dossier) -> FeeStatus:
    """Fees and charges of the dossier as recorded: the fees snapshotted at reception plus any
    financial obligation asked during processing; paid when paid online or a payment was
    confirmed after the last request; exempt when nothing is due (a zero-amount fee row is an
    exemption, as online fee waivers are published)."""
    obligations = list(
        dossier.events.filter(action__in=("request_financial_obligation", "confirm_payment"))
        .order_by("at", "id")
        .values_list("action", "data")
    )
    requested = 0
    confirmed = None
    for action, data in obligations:
        if action == "request_financial_obligation":
            requested += int((data or {}).get("amount_vnd") or 0)
            confirmed = None
        else:
            confirmed = data or {}
    total = int(dossier.fee_total_vnd or 0) + requested
    if total == 0:
        has_rows = bool(dossier.fees)
        return FeeStatus(
            "exempt",
            0,
            _("Miễn phí, lệ phí") if has_rows else _("Không thu phí, lệ phí"),
        )
    if dossier.paid_online:
        return FeeStatus("paid", total, _("Đã thanh toán trực tuyến"))
    if confirmed is not None:
        reference = str(confirmed.get("reference") or "")
        return FeeStatus("paid", total, _("Đã nộp"), reference)
    return FeeStatus(
        "owed",
        total,
        _("Chưa ghi nhận đã nộp"),
        _("Thu đủ trước khi trao kết quả."),
    )
