"""What each indicator of the service index counts: its denominator and numerator as a queryset
and a Q filter over one model, reusing the selectors of the apps that record the facts
(decisions/00XX-service-index-engine).

Every measure answers two questions in SQL, never by a loop over rows:

- `counts(ctx, ind, by)`: {key: (numerator, denominator)} for one dimension, one grouped query
  (`values(dim).annotate(...)`), or two for the two measures whose numerator is a count of
  distinct procedures among dossiers or payments;
- `missing(ctx, ind, by, key)`: the rows in the denominator and not in the numerator (the
  drill-down), each turned into an `Item` with its reason and the screen that fixes it.

The dimensions (`by`):
- `unit`: a dossier's competent unit (the unit that handles it and whose worklist holds it); a
  petition's unit; a certified copy's unit; a procedure counts for the unit that publishes it and
  for every commune under it (a commune carries out its province's procedures too);
- `department`: the procedure's handling department (a petition's department);
- `field`: the procedure's field (lĩnh vực); petitions and certified copies have none;
- `officer`: for the dossiers counted as handled (progress, sync, dossier satisfaction) the officer
  assigned the first processing step; for the dossiers counted as received (online, payment,
  digitization) the officer who received it (the "receive" or "accept" event); a petition's
  handler; a copy's certifying officer; procedures have no officer (no data);
- `all`: one key, None.

`ctx.assume` holds what-if facts: {fact: dossier/petition/procedure pks assumed fixed}; each
numerator ORs them in, so a what-if is the same SQL as the real count after the fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.catalog import publicity
from motcua.catalog.models import Procedure
from motcua.certification.models import CertifiedCopy
from motcua.core.models import Unit
from motcua.dossiers import digitization
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierEvent,
    DossierStep,
    IdentityVia,
    Status,
    StepStage,
    Timeliness,
)
from motcua.feedback.models import Level, Rating
from motcua.payments import figures as payment_figures
from motcua.payments.models import ONLINE_METHODS, PaymentAttempt
from motcua.petitions import selectors as petition_selectors
from motcua.petitions.models import Petition
from motcua.portalsync import selectors as sync_selectors
from motcua.portalsync.models import PortalMessage

DIMENSIONS = ("unit", "department", "field", "officer", "all")
ONLINE_MODES = (Procedure.OnlineMode.FULL, Procedure.OnlineMode.PARTIAL)
NOT_HANDLED = (Status.SUBMITTED, Status.REFUSED, Status.WITHDRAWN, Status.STOPPED)
GOOD_TIMELINESS = (Timeliness.EARLY, Timeliness.ON_TIME)
Counts = dict  # {key: (numerator, denominator)}


@dataclass(frozen=True)
class Ctx:
    """One computation: the units, the period's bounds, the clock, what-if facts."""

    unit_ids: tuple[int, ...]
    date_from: dt.date
    date_to: dt.date
    start: dt.datetime
    end: dt.datetime
    now: dt.datetime
    assume: Mapping[str, frozenset[int]] = field(default_factory=dict)
    parents: Mapping[int, int | None] = field(default_factory=dict)

    @property
    def cut(self) -> dt.datetime:
        """The moment the period is judged at: its end, or now while it is still running."""
        return min(self.now, self.end)

    @property
    def open(self) -> bool:
        """The period has not closed: what is missing can still be fixed."""
        return self.now < self.end

    def fixed(self, *facts: str) -> frozenset[int]:
        pks: set[int] = set()
        for fact in facts:
            pks |= self.assume.get(fact, frozenset())
        return frozenset(pks)

    def with_assumed(self, q: Q, *facts: str) -> Q:
        pks = self.fixed(*facts)
        return q | Q(pk__in=sorted(pks)) if pks else q

    @property
    def reach(self) -> set[int]:
        """The units whose procedures these units carry out: their own and their parents'."""
        return set(self.unit_ids) | {p for p in self.parents.values() if p}


@dataclass(frozen=True)
class Item:
    """One row in the denominator and not in the numerator."""

    kind: str  # "dossier" | "procedure" | "petition" | "payment" | "rating" | "copy"
    pk: int
    label: str
    reason: str
    fix_url: str
    fixable: bool


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


# --- dossier bases ------------------------------------------------------------------------------


def handled_q(ctx: Ctx) -> Q:
    """Dossiers handled in the period: received before its end, not finished before its start,
    and not refused, withdrawn or stopped (they end without a result to be on time with)."""
    return (
        Q(received_at__isnull=False, received_at__lt=ctx.end)
        & (Q(finished_at__isnull=True) | Q(finished_at__gte=ctx.start))
        & ~Q(status__in=NOT_HANDLED)
    )


def received_q(ctx: Ctx) -> Q:
    """Dossiers received in the period (as `dossiers.digitization` counts them)."""
    return Q(received_at__gte=ctx.start, received_at__lt=ctx.end)


def on_time_q(ctx: Ctx) -> Q:
    """QĐ 766's on time (RULES.md section 3): finished early or on time by the cut-off, or not
    finished by then and not overdue (the legal due date not passed; a supplement pause stops
    the clock). An apology's new date does not make a dossier on time."""
    finished = Q(finished_at__isnull=False, finished_at__lt=ctx.cut)
    good_finish = finished & Q(timeliness__in=GOOD_TIMELINESS)
    open_at_cut = Q(finished_at__isnull=True) | Q(finished_at__gte=ctx.cut)
    in_time = (
        Q(due_at_legal__isnull=True)
        | Q(due_at_legal__gte=ctx.cut)
        | Q(status=Status.AWAITING_SUPPLEMENT, finished_at__isnull=True)
    )
    return good_finish | (open_at_cut & in_time)


def _not_satisfied_rating() -> Exists:
    return Exists(Rating.objects.filter(dossier=OuterRef("pk"), level=Level.NOT_SATISFIED))


def _processing_officer() -> Subquery:
    return Subquery(
        DossierStep.objects.filter(
            dossier=OuterRef("pk"), stage=StepStage.PROCESSING, assignee__isnull=False
        )
        .order_by("order")
        .values("assignee_id")[:1]
    )


def _receiving_officer() -> Subquery:
    return Subquery(
        DossierEvent.objects.filter(dossier=OuterRef("pk"), action__in=("receive", "accept"))
        .order_by("id")
        .values("actor_id")[:1]
    )


class Measure:
    """One indicator's numerator and denominator; subclasses say over which model."""

    code = ""
    kind = "dossier"
    facts: tuple[str, ...] = ()  # the facts a fix of one missing row makes true

    @property
    def fix_label(self) -> str:
        """The action, with {n} for the number of rows: "Đính kèm tệp kết quả cho {n} hồ sơ"."""
        return ""

    def applies(self, by: str) -> bool:
        """Whether the rows can be split by `by`; when not, every key inherits the figures of
        the whole scope (petitions have no procedure field, procedures no officer)."""
        return True

    def counts(self, ctx: Ctx, counting: str, by: str) -> Counts:
        raise NotImplementedError

    def missing(self, ctx: Ctx, counting: str, by: str, key) -> list[Item]:
        raise NotImplementedError


def _grouped(qs: QuerySet, dim: str | None, num: Q) -> Counts:
    """{key: (numerator, denominator)} in one query; `dim` None groups everything under None."""
    if dim is None:
        row = qs.aggregate(den=Count("pk"), num=Count("pk", filter=num))
        return {None: (row["num"], row["den"])} if row["den"] else {}
    rows = qs.values(dim).annotate(den=Count("pk"), num=Count("pk", filter=num)).order_by()
    return {r[dim]: (r["num"], r["den"]) for r in rows}


def _counted(qs: QuerySet, dim: str | None, num: Q) -> Counts:
    """{key: (numerator, denominator)}: the rows of `qs`, and those also meeting `num`, each
    counted by one grouped query with its condition in WHERE."""
    num_qs = qs.filter(num)
    if dim is None:
        den = qs.aggregate(n=Count("pk"))["n"]
        return {None: (num_qs.aggregate(n=Count("pk"))["n"], den)} if den else {}
    dens = {r[dim]: r["n"] for r in qs.values(dim).annotate(n=Count("pk")).order_by()}
    nums = {r[dim]: r["n"] for r in num_qs.values(dim).annotate(n=Count("pk")).order_by()}
    return {key: (nums.get(key, 0), den) for key, den in dens.items() if den}


# --- dossiers -----------------------------------------------------------------------------------


class DossierMeasure(Measure):
    kind = "dossier"
    reason = ""
    # counted with the others in one scan (`dossier_counts`); False for a measure whose
    # numerator probes big side tables (portal messages, payments): counted on its own, the
    # condition in WHERE, 5-10x faster on PostgreSQL (measured, API.md)
    batch = True

    def den_q(self, ctx: Ctx) -> Q:
        return Q()

    def num_q(self, ctx: Ctx) -> Q:
        raise NotImplementedError

    def prepare(self, qs: QuerySet, ctx: Ctx) -> QuerySet:
        return qs

    def dim(self, by: str, counting: str) -> str | None:
        return {
            "unit": "competent_unit_id",
            "department": "procedure__department_id",
            "field": "procedure__field_id",
            "officer": "officer_key",
            "all": None,
        }[by]

    def base(self, ctx: Ctx, counting: str, by: str, *, den: bool = True) -> QuerySet:
        qs = Dossier.objects.filter(competent_unit_id__in=ctx.unit_ids)
        qs = qs.filter(handled_q(ctx) if counting == "handled" else received_q(ctx))
        if by == "officer":
            officer = _processing_officer() if counting == "handled" else _receiving_officer()
            qs = qs.annotate(officer_key=officer)
        qs = self.prepare(qs, ctx)
        return qs.filter(self.den_q(ctx)) if den else qs

    def counts(self, ctx: Ctx, counting: str, by: str) -> Counts:
        """Two grouped queries, the numerator's condition in WHERE: PostgreSQL then joins the
        side tables once (a semi-join) instead of probing them for every dossier."""
        return _counted(self.base(ctx, counting, by), self.dim(by, counting), self.num_q(ctx))

    def missing(self, ctx: Ctx, counting: str, by: str, key) -> list[Item]:
        qs = self.base(ctx, counting, by)
        dim = self.dim(by, counting)
        if dim is not None:
            qs = qs.filter(**{dim: key})
        qs = qs.exclude(self.num_q(ctx)).order_by("received_at", "pk")
        return [self.item(d, ctx) for d in qs.select_related("procedure")]

    def item(self, d: Dossier, ctx: Ctx) -> Item:
        reason, fixable = self.why(d, ctx)
        return Item(
            kind="dossier",
            pk=d.pk,
            label=f"{d.code} · {d.procedure_name}",
            reason=reason,
            fix_url=self.fix_url(d),
            fixable=fixable and ctx.open,
        )

    def why(self, d: Dossier, ctx: Ctx) -> tuple[str, bool]:
        return self.reason, True

    def fix_url(self, d: Dossier) -> str:
        return _url("dossiers:dossier_detail", d.pk)


class DossiersOnTime(DossierMeasure):
    code = "dossiers_on_time"
    facts = ("on_time",)

    @property
    def fix_label(self):
        return _("Giải quyết đúng hạn {n} hồ sơ")

    def num_q(self, ctx):
        return ctx.with_assumed(on_time_q(ctx), "on_time", "dossier_satisfied")

    def why(self, d, ctx):
        if d.finished_at is not None and d.finished_at < ctx.cut:
            return _("Đã giải quyết quá hạn: không còn khắc phục được trong kỳ."), False
        return _("Đang giải quyết, đã quá hạn giải quyết theo quy định."), False


class DossiersSatisfied(DossierMeasure):
    code = "dossiers_satisfied"
    facts = ("dossier_satisfied",)

    @property
    def fix_label(self):
        return _("Hồ sơ không hài lòng hoặc quá hạn: {n} hồ sơ")

    def prepare(self, qs, ctx):
        return qs.annotate(not_satisfied=_not_satisfied_rating())

    def num_q(self, ctx):
        rating_ok = ctx.with_assumed(Q(not_satisfied=False), "dossier_satisfied")
        in_time = ctx.with_assumed(on_time_q(ctx), "on_time", "dossier_satisfied")
        return rating_ok & in_time

    def why(self, d, ctx):
        if getattr(d, "not_satisfied", False):
            return _("Bị đánh giá \u201ckhông hài lòng\u201d."), False
        return _("Quá hạn giải quyết."), False


class DossiersSynced(DossierMeasure):
    code = "dossiers_synced_on_time"
    batch = False
    facts = ("synced",)

    @property
    def fix_label(self):
        return _("Đồng bộ lên Cổng Dịch vụ công quốc gia {n} hồ sơ")

    def prepare(self, qs, ctx):
        return sync_selectors.with_sync_facts(qs, ctx.now)

    def num_q(self, ctx):
        return ctx.with_assumed(sync_selectors.ON_TIME, "synced")

    def why(self, d, ctx):
        if not d.has_msg:
            return _("Chưa có bản tin đồng bộ nào lên Cổng Dịch vụ công quốc gia."), True
        if d.open_msg:
            return _("Có bản tin đồng bộ đang chờ hoặc bị lỗi (thư chết): gửi lại."), True
        return _("Đồng bộ muộn hơn thời hạn cho phép: không còn khắc phục được."), False

    def fix_url(self, d):
        return _url("portalsync:coverage")


class DossiersOnline(DossierMeasure):
    code = "dossiers_online"
    facts = ("online",)

    @property
    def fix_label(self):
        return _("Hướng dẫn nộp trực tuyến thay cho {n} hồ sơ nộp trực tiếp")

    def num_q(self, ctx):
        return ctx.with_assumed(Q(channel=Channel.ONLINE), "online")

    def why(self, d, ctx):
        return _("Nộp trực tiếp hoặc qua bưu chính, không nộp trực tuyến."), False


class DossiersPaidOnline(DossierMeasure):
    code = "dossiers_paid_online"
    batch = False
    facts = ("paid_online",)

    @property
    def fix_label(self):
        return _("Thu phí, lệ phí trực tuyến cho {n} hồ sơ")

    def den_q(self, ctx):
        return payment_figures.owes_q()

    def num_q(self, ctx):
        return ctx.with_assumed(payment_figures.paid_online_q(), "paid_online")

    def counts(self, ctx, counting, by):
        """The two disjoint kinds of owing dossiers counted apart and added: each condition
        in WHERE becomes a join (an OR of two EXISTS cannot)."""
        out: Counts = {}
        for part in payment_figures.owes_parts():
            qs = self.base(ctx, counting, by, den=False)
            found = _counted(qs.filter(part), self.dim(by, counting), self.num_q(ctx))
            for key, (num, den) in found.items():
                before = out.get(key, (0, 0))
                out[key] = (before[0] + num, before[1] + den)
        return out

    def why(self, d, ctx):
        if d.finished_at is not None:
            return _("Có nghĩa vụ tài chính nhưng không thanh toán trực tuyến."), False
        return _("Có nghĩa vụ tài chính, chưa thanh toán trực tuyến: gửi mã VietQR."), True

    def fix_url(self, d):
        return _url("payments:counter_fees", d.pk)


class ResultsSigned(DossierMeasure):
    code = "results_signed"
    facts = ("result_signed",)

    @property
    def fix_label(self):
        return _("Đính kèm tệp kết quả đã ký số cho {n} hồ sơ")

    def den_q(self, ctx):
        return digitization.FIGURES["ket-qua"][1]()

    def num_q(self, ctx):
        # sharing a result and filing the papers of a finished dossier both sign its result
        return ctx.with_assumed(
            digitization.FIGURES["ket-qua"][2](), "result_signed", "shared", "components_filed"
        )

    def why(self, d, ctx):
        return _("Có kết quả nhưng chưa có tệp kết quả điện tử đã ký số."), True


class ComponentsFiled(DossierMeasure):
    code = "components_filed"
    facts = ("components_filed",)

    @property
    def fix_label(self):
        return _("Số hóa thành phần và đưa vào kho dữ liệu cho {n} hồ sơ")

    def num_q(self, ctx):
        # digitization's "kho-cong-dan" figure, with a result signed by a what-if counted too
        signed = ctx.with_assumed(Q(digitization._signed_result_file()), "result_signed", "shared")
        filed = (
            Q(all_components_digitized=True)
            & ~Q(digitization._component_without_file())
            & (~Q(status__in=digitization.RESULT_STATUSES) | signed)
        )
        return ctx.with_assumed(filed, "components_filed")

    def why(self, d, ctx):
        if not d.all_components_digitized:
            return _("Còn thành phần hồ sơ chưa được số hóa."), True
        return _("Giấy tờ chưa được đưa vào kho dữ liệu của công dân."), True


def _procedures_with(condition: Q) -> Q:
    """Dossiers of the procedures having a paper that meets `condition`: the procedures are few,
    so their ids are read once and the dossiers filtered by a list (no subquery per dossier)."""
    from motcua.catalog.models import Component

    ids = (
        Component.objects.filter(condition)
        .values_list("procedure_id", flat=True)
        .order_by()
        .distinct()
    )
    return Q(procedure_id__in=sorted(set(ids)))


class DossiersReusingData(DossierMeasure):
    code = "dossiers_reusing_data"
    facts = ("reused",)

    @property
    def fix_label(self):
        return _("Dùng lại dữ liệu sẵn có thay giấy tờ cho {n} hồ sơ")

    def den_q(self, ctx):
        return _procedures_with(Q(from_warehouse=True) | Q(from_state_data=True))

    def num_q(self, ctx):
        return ctx.with_assumed(digitization.FIGURES["tai-su-dung"][2](), "reused")

    def why(self, d, ctx):
        return _("Thủ tục cho phép dùng lại dữ liệu nhưng hồ sơ vẫn thu giấy tờ."), False


class ResultsShared(DossierMeasure):
    """Digitized dossiers shared for reuse: of the dossiers whose result is out, those whose
    signed result the national portal accepted into the citizen's data store (the portal
    outbox's "result" message). Signing a result never lowers this (the denominator is every
    result out), and a what-if share signs the result too."""

    code = "results_shared"
    facts = ("shared",)
    batch = False

    @property
    def fix_label(self):
        return _("Chia sẻ kết quả vào kho dữ liệu của công dân cho {n} hồ sơ")

    def den_q(self, ctx):
        return Q(status__in=digitization.RESULT_STATUSES)

    def num_q(self, ctx):
        shared = Exists(
            PortalMessage.objects.filter(
                dossier=OuterRef("pk"),
                kind=PortalMessage.Kind.RESULT,
                state=PortalMessage.State.SENT,
            )
        )
        return ctx.with_assumed(Q(shared), "shared")

    def why(self, d, ctx):
        if not d.result_signed:
            return _("Kết quả chưa được số hóa, ký số để chia sẻ vào kho dữ liệu."), True
        return _("Kết quả đã ký số chưa được Cổng quốc gia nhận vào kho dữ liệu."), True

    def fix_url(self, d):
        return _url("portalsync:coverage")


class IdentityFromPopulationData(DossierMeasure):
    code = "identity_from_population_data"
    facts = ("identity",)

    @property
    def fix_label(self):
        return _("Xác thực danh tính qua CSDL dân cư cho {n} hồ sơ")

    def num_q(self, ctx):
        via = (IdentityVia.VNEID, IdentityVia.CHIP_CARD, IdentityVia.POPULATION_DB)
        verified = Q(identity_verified=True, identity_verified_via__in=via)
        return ctx.with_assumed(verified, "identity")

    def why(self, d, ctx):
        return _("Không xác thực danh tính qua Cơ sở dữ liệu quốc gia về dân cư."), False


class ComponentsFromStateData(DossierMeasure):
    code = "components_from_state_data"
    facts = ("state_data",)

    @property
    def fix_label(self):
        return _("Khai thác dữ liệu dân cư cho {n} hồ sơ")

    def den_q(self, ctx):
        return _procedures_with(Q(from_state_data=True))

    def num_q(self, ctx):
        from motcua.dossiers.models import DossierComponent

        used = Exists(DossierComponent.objects.filter(dossier=OuterRef("pk"), from_state_data=True))
        return ctx.with_assumed(Q(used), "state_data")

    def why(self, d, ctx):
        return _("Thủ tục khai thác được dữ liệu dân cư nhưng hồ sơ vẫn thu giấy tờ."), False


def dossier_counts(
    ctx: Ctx, counting: str, by: str, measures: Iterable[DossierMeasure]
) -> dict[str, Counts]:
    """The counts of several dossier measures over the same dossiers (handled or received) in
    ONE grouped query: a denominator and a numerator column per measure. Equal to each
    measure's own `counts` (tested), one scan of the period's dossiers instead of one each."""
    measures = list(measures)
    if not measures:
        return {}
    qs = Dossier.objects.filter(competent_unit_id__in=ctx.unit_ids)
    qs = qs.filter(handled_q(ctx) if counting == "handled" else received_q(ctx))
    if by == "officer":
        officer = _processing_officer() if counting == "handled" else _receiving_officer()
        qs = qs.annotate(officer_key=officer)
    prepared: set[type] = set()
    for measure in measures:
        if type(measure).prepare is not DossierMeasure.prepare and type(measure) not in prepared:
            qs = measure.prepare(qs, ctx)
            prepared.add(type(measure))
    columns = {}
    for n, measure in enumerate(measures):
        den = measure.den_q(ctx)
        columns[f"d{n}"] = Count("pk", filter=den) if den else Count("pk")
        columns[f"n{n}"] = Count("pk", filter=den & measure.num_q(ctx))
    dim = measures[0].dim(by, counting)
    # the whole scope: per competent unit, added up (a dossier has one competent unit); an
    # aggregate() over these annotations would need a subquery
    grouped = qs.values(dim or "competent_unit_id").annotate(**columns).order_by()
    if dim is None:
        total = {name: 0 for name in columns}
        for r in grouped:
            for name in columns:
                total[name] += r[name]
        rows = [{**total, "key": None}]
    else:
        rows = [{**r, "key": r[dim]} for r in grouped]
    out: dict[str, Counts] = {}
    for n, measure in enumerate(measures):
        out[measure.code] = {r["key"]: (r[f"n{n}"], r[f"d{n}"]) for r in rows if r[f"d{n}"]}
    return out


# --- procedures ---------------------------------------------------------------------------------


class ProcedureMeasure(Measure):
    """Over the catalog: a procedure counts for its unit and for the communes under it."""

    kind = "procedure"

    def den_q(self, ctx: Ctx) -> Q:
        return Q(is_published=True)

    def num_q(self, ctx: Ctx) -> Q:
        raise NotImplementedError

    def base(self, ctx: Ctx) -> QuerySet:
        return self.prepare(Procedure.objects.filter(unit_id__in=ctx.reach), ctx).filter(
            self.den_q(ctx)
        )

    def prepare(self, qs: QuerySet, ctx: Ctx) -> QuerySet:
        return qs

    def applies(self, by):
        return by != "officer"

    def counts(self, ctx, counting, by):
        qs = self.base(ctx)
        num = self.num_q(ctx)
        if by == "unit":
            own = _grouped(qs, "unit_id", num)
            out = {}
            for unit_id in ctx.unit_ids:
                parent = ctx.parents.get(unit_id)
                mine = own.get(unit_id, (0, 0))
                above = own.get(parent, (0, 0)) if parent else (0, 0)
                if mine[1] or above[1]:
                    out[unit_id] = (mine[0] + above[0], mine[1] + above[1])
            return out
        dim = {"department": "department_id", "field": "field_id", "all": None}[by]
        return _grouped(qs, dim, num)

    def rows(self, ctx: Ctx, by: str, key) -> QuerySet:
        qs = self.base(ctx)
        if by == "unit":
            qs = qs.filter(unit_id__in=[key, ctx.parents.get(key)])
        elif by in ("department", "field"):
            qs = qs.filter(**{f"{by}_id": key})
        return qs

    def missing(self, ctx, counting, by, key):
        qs = self.rows(ctx, by, key).exclude(self.num_q(ctx)).order_by("code", "pk")
        return [
            Item(
                kind="procedure",
                pk=p.pk,
                label=f"{p.code} {p.name}",
                reason=self.why(p),
                fix_url=_url("admin:catalog_procedure_change", p.pk),
                fixable=ctx.open,
            )
            for p in qs
        ]

    def why(self, p: Procedure) -> str:
        return ""


class ProceduresAnnounced(ProcedureMeasure):
    code = "procedures_announced_on_time"
    facts = ("announced",)

    @property
    def fix_label(self):
        return _("Ghi nhận quyết định công bố cho {n} thủ tục")

    def den_q(self, ctx):
        return Q()  # every procedure of the catalog, published or not

    def num_q(self, ctx):
        on_time = Q(announced_on__isnull=False, announced_on__lte=ctx.date_to) & (
            Q(announce_by__isnull=True) | Q(announced_on__lte=models_f("announce_by"))
        )
        return ctx.with_assumed(on_time, "announced")

    def why(self, p):
        if p.announced_on is None:
            return _("Chưa ghi nhận ngày công bố thủ tục.")
        return _("Công bố sau hạn phải công bố.")


def models_f(name: str):
    from django.db.models import F

    return F(name)


class ProceduresPublishedOnTime(ProcedureMeasure):
    code = "procedures_published_on_time"
    facts = ("published_on_time",)

    @property
    def fix_label(self):
        return _("Công khai, cập nhật đúng hạn {n} thủ tục")

    def den_q(self, ctx):
        return Q()

    def num_q(self, ctx):
        on_time = Q(
            is_published=True, published_on__isnull=False, published_on__lte=ctx.date_to
        ) & (Q(publish_by__isnull=True) | Q(published_on__lte=models_f("publish_by")))
        return ctx.with_assumed(on_time, "published_on_time")

    def why(self, p):
        if not p.is_published or p.published_on is None:
            return _("Chưa công khai thủ tục.")
        return _("Công khai, cập nhật sau hạn.")


class ProceduresComplete(ProcedureMeasure):
    code = "procedures_complete"
    facts = ("complete",)

    @property
    def fix_label(self):
        return _("Bổ sung đủ nội dung công khai cho {n} thủ tục")

    def prepare(self, qs, ctx):
        return publicity.annotate_problems(qs)

    def num_q(self, ctx):
        return ctx.with_assumed(~publicity.any_problem(), "complete")

    def why(self, p):
        problems = publicity.problems_of(p)
        return "; ".join(publicity.problem_label(c) for c in problems) or _("Thiếu nội dung.")

    def missing(self, ctx, counting, by, key):
        items = super().missing(ctx, counting, by, key)
        return [
            Item(i.kind, i.pk, i.label, i.reason, _url("catalog:publicity_check"), i.fixable)
            for i in items
        ]


class ProceduresOnline(ProcedureMeasure):
    code = "procedures_online"
    facts = ("online_offered",)

    @property
    def fix_label(self):
        return _("Cung cấp trực tuyến {n} thủ tục")

    def num_q(self, ctx):
        return ctx.with_assumed(Q(online_mode__in=ONLINE_MODES), "online_offered")

    def why(self, p):
        return _("Thủ tục chưa được cung cấp trực tuyến.")


class ProceduresFeesPublished(ProcedureMeasure):
    code = "procedures_fees_published"
    facts = ("fees_published",)

    @property
    def fix_label(self):
        return _("Công khai phí, lệ phí để thanh toán trực tuyến cho {n} thủ tục")

    def den_q(self, ctx):
        return payment_figures.fee_bearing_q(ctx.date_from, ctx.date_to)

    def num_q(self, ctx):
        return ctx.with_assumed(Q(fees_payable_online=True), "fees_published")

    def why(self, p):
        return _("Thủ tục có phí, lệ phí chưa công khai để thanh toán trực tuyến.")


class ProceduresUsedBy(ProcedureMeasure):
    """Procedures (the denominator) with at least one dossier or payment of the unit in the
    period (the numerator): a count of distinct procedures, from the (key, procedure) pairs."""

    def pairs(self, ctx: Ctx, by: str) -> set[tuple]:
        raise NotImplementedError

    def used(self, ctx: Ctx, by: str) -> dict:
        out: dict = {}
        for key, procedure_id in self.pairs(ctx, by):
            out.setdefault(key, set()).add(procedure_id)
        return out

    def counts(self, ctx, counting, by):
        qs = self.base(ctx)
        assumed = self.fixed(ctx)
        used = self.used(ctx, by)
        if by == "unit":
            by_owner: dict[int, set[int]] = {}
            for pk, owner in qs.values_list("pk", "unit_id"):
                by_owner.setdefault(owner, set()).add(pk)
            out = {}
            for unit_id in ctx.unit_ids:
                parent = ctx.parents.get(unit_id)
                mine = by_owner.get(unit_id, set()) | (
                    by_owner.get(parent, set()) if parent else set()
                )
                if mine:
                    hit = mine & (used.get(unit_id, set()) | assumed)
                    out[unit_id] = (len(hit), len(mine))
            return out
        dim = {"department": "department_id", "field": "field_id", "all": None}[by]
        out = {}
        if dim is None:
            pks = set(qs.values_list("pk", flat=True))
            if pks:
                out[None] = (len(pks & (used.get(None, set()) | assumed)), len(pks))
            return out
        groups: dict = {}
        for pk, key in qs.values_list("pk", dim):
            groups.setdefault(key, set()).add(pk)
        for key, pks in groups.items():
            out[key] = (len(pks & (used.get(key, set()) | assumed)), len(pks))
        return out

    def fixed(self, ctx: Ctx) -> frozenset[int]:
        return ctx.fixed(*self.facts)

    def missing(self, ctx, counting, by, key):
        used = self.used(ctx, by).get(key, set()) | self.fixed(ctx)
        qs = self.rows(ctx, by, key).exclude(pk__in=sorted(used)).order_by("code", "pk")
        return [
            Item(
                kind="procedure",
                pk=p.pk,
                label=f"{p.code} {p.name}",
                reason=self.why(p),
                fix_url=_url("catalog:procedure_detail", p.pk),
                fixable=ctx.open,
            )
            for p in qs
        ]


class OnlineServicesUsed(ProceduresUsedBy):
    code = "online_services_used"
    facts = ("service_used",)

    @property
    def fix_label(self):
        return _("Có hồ sơ trực tuyến cho {n} dịch vụ công trực tuyến")

    def den_q(self, ctx):
        online = ctx.with_assumed(Q(online_mode__in=ONLINE_MODES), "online_offered")
        return Q(is_published=True) & online

    def pairs(self, ctx, by):
        dim = {
            "unit": "competent_unit_id",
            "department": "procedure__department_id",
            "field": "procedure__field_id",
            "all": None,
        }[by]
        online = ctx.with_assumed(Q(channel=Channel.ONLINE), "online")
        qs = Dossier.objects.filter(received_q(ctx), competent_unit_id__in=ctx.unit_ids).filter(
            online
        )
        if dim is None:
            return {
                (None, p) for p in qs.values_list("procedure_id", flat=True).order_by().distinct()
            }
        return set(qs.values_list(dim, "procedure_id").order_by().distinct())

    def why(self, p):
        return _("Dịch vụ công trực tuyến chưa có hồ sơ trực tuyến nào trong kỳ.")


class ProceduresPaidOnline(ProceduresUsedBy):
    code = "procedures_paid_online"
    facts = ("procedure_paid_online",)

    @property
    def fix_label(self):
        return _("Có thanh toán trực tuyến cho {n} thủ tục có phí, lệ phí")

    def den_q(self, ctx):
        return payment_figures.fee_bearing_q(ctx.date_from, ctx.date_to)

    def pairs(self, ctx, by):
        prefix = "request__dossier__"
        dim = {
            "unit": f"{prefix}competent_unit_id",
            "department": f"{prefix}procedure__department_id",
            "field": f"{prefix}procedure__field_id",
            "all": None,
        }[by]
        qs = PaymentAttempt.objects.filter(
            method__in=ONLINE_METHODS,
            status__in=payment_figures.CREDITED,
            paid_at__gte=ctx.start,
            paid_at__lt=ctx.end,
            request__dossier__competent_unit_id__in=ctx.unit_ids,
        )
        proc = f"{prefix}procedure_id"
        if dim is None:
            found = {(None, p) for p in qs.values_list(proc, flat=True).order_by().distinct()}
        else:
            found = set(qs.values_list(dim, proc).order_by().distinct())
        assumed = ctx.fixed("paid_online")
        if assumed:  # a what-if: these dossiers paid online in the period
            paid = Dossier.objects.filter(pk__in=sorted(assumed))
            own = dim.removeprefix(prefix) if dim else None
            if own is None:
                found |= {(None, p) for p in paid.values_list("procedure_id", flat=True)}
            else:
                found |= set(paid.values_list(own, "procedure_id"))
        return found

    def why(self, p):
        return _("Thủ tục có phí, lệ phí chưa phát sinh thanh toán trực tuyến trong kỳ.")


# --- petitions ----------------------------------------------------------------------------------


class PetitionMeasure(Measure):
    kind = "petition"

    def den_q(self, ctx: Ctx) -> Q:
        return Q()

    def num_q(self, ctx: Ctx) -> Q:
        raise NotImplementedError

    def dim(self, by: str) -> str | bool | None:
        dims: dict[str, str | bool | None] = {
            "unit": "unit_id",
            "department": "department_id",
            "field": False,
            "officer": "handler_id",
            "all": None,
        }
        return dims[by]

    def base(self, ctx: Ctx) -> QuerySet:
        return petition_selectors.counted(ctx.unit_ids, start=ctx.start, end=ctx.end).filter(
            self.den_q(ctx)
        )

    def applies(self, by):
        return self.dim(by) is not False

    def counts(self, ctx, counting, by):
        dim = self.dim(by)
        return _grouped(self.base(ctx), dim if isinstance(dim, str) else None, self.num_q(ctx))

    def missing(self, ctx, counting, by, key):
        dim = self.dim(by)
        qs = self.base(ctx)
        if isinstance(dim, str):
            qs = qs.filter(**{dim: key})
        qs = qs.exclude(self.num_q(ctx)).order_by("received_at", "pk")
        return [
            Item(
                kind="petition",
                pk=p.pk,
                label=f"{p.code} · {p.subject}",
                reason=self.why(p, ctx),
                fix_url=_url("petitions:staff_detail", p.pk),
                fixable=ctx.open and p.answered_at is None and p.due_at >= ctx.now,
            )
            for p in qs
        ]

    def why(self, p: Petition, ctx: Ctx) -> str:
        return ""


class PetitionsOnTime(PetitionMeasure):
    code = "petitions_on_time"
    facts = ("petition_on_time",)

    @property
    def fix_label(self):
        return _("Xử lý đúng hạn {n} phản ánh, kiến nghị")

    def num_q(self, ctx):
        return ctx.with_assumed(
            petition_selectors.on_time_q(ctx.cut), "petition_on_time", "petition_satisfied"
        )

    def why(self, p, ctx):
        return _("Phản ánh, kiến nghị xử lý quá hạn.")


class PetitionsSatisfied(PetitionMeasure):
    code = "petitions_satisfied"
    facts = ("petition_satisfied",)

    @property
    def fix_label(self):
        return _("Phản ánh, kiến nghị bị đánh giá không hài lòng, lặp lại hoặc quá hạn: {n}")

    def den_q(self, ctx):
        return Q(answered_at__isnull=False)

    def num_q(self, ctx):
        return ctx.with_assumed(petition_selectors.satisfied_q(), "petition_satisfied")

    def why(self, p, ctx):
        if p.rating == Petition.Rating.NOT_SATISFIED:
            return _("Người phản ánh đánh giá \u201ckhông hài lòng\u201d.")
        if p.answered_at and p.answered_at > p.due_at:
            return _("Trả lời quá hạn.")
        return _("Người dân phản ánh lặp lại sau khi đã được trả lời.")


# --- certified copies ---------------------------------------------------------------------------


class CertifiedCopies(Measure):
    """Electronic certified copies: copies certified in the period (the unit's electronic book)
    / those still valid (not voided)."""

    code = "certified_copies"
    kind = "copy"
    facts = ("copy_valid",)

    @property
    def fix_label(self):
        return _("Bản sao chứng thực điện tử bị hủy: {n}")

    def dim(self, by):
        dims: dict[str, str | bool | None] = {
            "unit": "unit_id",
            "department": False,
            "field": False,
            "officer": "certified_by_id",
            "all": None,
        }
        return dims[by]

    def base(self, ctx):
        return CertifiedCopy.objects.filter(
            unit_id__in=ctx.unit_ids, certified_at__gte=ctx.start, certified_at__lt=ctx.end
        )

    def num_q(self, ctx):
        return ctx.with_assumed(Q(voided_at__isnull=True), "copy_valid")

    def applies(self, by):
        return self.dim(by) is not False

    def counts(self, ctx, counting, by):
        dim = self.dim(by)
        return _grouped(self.base(ctx), dim if isinstance(dim, str) else None, self.num_q(ctx))

    def missing(self, ctx, counting, by, key):
        dim = self.dim(by)
        qs = self.base(ctx)
        if isinstance(dim, str):
            qs = qs.filter(**{dim: key})
        return [
            Item(
                kind="copy",
                pk=c.pk,
                label=f"{c.number}/{c.year} · {c.title}",
                reason=_("Bản sao đã bị hủy: %(reason)s") % {"reason": c.void_reason},
                fix_url=_url("certification:book"),
                fixable=False,
            )
            for c in qs.exclude(self.num_q(ctx)).order_by("certified_at", "pk")
        ]


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        ProceduresAnnounced(),
        ProceduresPublishedOnTime(),
        ProceduresComplete(),
        DossiersSynced(),
        DossiersOnTime(),
        ProceduresOnline(),
        OnlineServicesUsed(),
        DossiersOnline(),
        DossiersPaidOnline(),
        ProceduresPaidOnline(),
        ProceduresFeesPublished(),
        PetitionsOnTime(),
        PetitionsSatisfied(),
        DossiersSatisfied(),
        ResultsSigned(),
        ComponentsFiled(),
        CertifiedCopies(),
        DossiersReusingData(),
        ResultsShared(),
        IdentityFromPopulationData(),
        ComponentsFromStateData(),
    )
}


def parents_of(unit_ids: Iterable[int]) -> dict[int, int | None]:
    return dict(Unit.objects.filter(pk__in=list(unit_ids)).values_list("pk", "parent_id"))


def given_province_points(unit_kinds: Mapping[int, str], key, by: str) -> bool:
    """A commune is given the points of the province-only indicators (setting)."""
    if not settings.MOTCUA_INDEX_COMMUNE_PROVINCE_POINTS:
        return False
    if by != "unit":
        # a department, field or officer is of a commune unless every unit is a province
        return any(kind != Unit.Kind.PROVINCE for kind in unit_kinds.values())
    return unit_kinds.get(key) != Unit.Kind.PROVINCE
