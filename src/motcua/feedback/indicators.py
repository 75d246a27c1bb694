"""The nine TT 01/2018 satisfaction indicators, computed from system data (RULES.md section 8).

RULES.md names the nine indicators (each 0, 1 or 2; 18 at most) and the grade bands, but not
how a system turns its data into 0/1/2. The scoring below is OUR reading, written down in
docs/decisions/0046-tt01-indicators.md and to be confirmed: each rule is one small function
with the rule in its docstring, so changing a rule is changing one function.

Per dossier: `load_facts` reads what the rules need for many dossiers in a fixed number of
queries (never one per dossier) and `score` turns one dossier's facts into nine scores.
Per unit: `unit_indicators` averages each indicator over the dossiers whose result was returned
in the period and grades the sum of the averages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Component, Procedure
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierStep,
    Extension,
    Status,
    SupplementRequest,
)
from motcua.petitions import selectors as petitions

from .models import Level, Rating, Reason
from .selectors import local_bounds

MAX_TOTAL = 18

LABELS = (
    _("Tổng thời gian giải quyết so với thời gian quy định"),
    _("Thời gian giải quyết của từng bước, từng cơ quan"),
    _("Số lần công dân phải liên hệ để hoàn thiện hồ sơ"),
    _("Số cơ quan công dân phải liên hệ"),
    _("Tiếp nhận, giải quyết, trả kết quả qua Bộ phận Một cửa"),
    _("Công khai thủ tục hành chính"),
    _("Thái độ của cán bộ"),
    _("Xử lý phản ánh, kiến nghị đúng hạn"),
    _("Cung cấp dịch vụ công trực tuyến"),
)

# (lower bound, label), highest first; a total belongs to the first band it reaches.
# "Xuất sắc >15" is strict and "Tốt 12–<15" stops below 15, so exactly 15 falls in neither as
# RULES.md writes it: we put it in "Tốt" (never award the top band without passing its bound).
EXCELLENT = _("Xuất sắc")
GOOD = _("Tốt")
FAIR = _("Khá")
AVERAGE = _("Trung bình")
WEAK = _("Yếu")


def grade(total: float) -> str:
    """Xuất sắc > 15; Tốt 12 to 15 (15 included, see above); Khá 9 to < 12;
    Trung bình 6 to < 9; Yếu < 6."""
    if total > 15:
        return str(EXCELLENT)
    if total >= 12:
        return str(GOOD)
    if total >= 9:
        return str(FAIR)
    if total >= 6:
        return str(AVERAGE)
    return str(WEAK)


# --- what the rules read ----------------------------------------------------------------------


@dataclass
class Facts:
    """One dossier as the nine rules see it (read in bulk by `load_facts`)."""

    dossier_id: int
    code: str
    receiving_unit_id: int
    competent_unit_id: int
    channel: str
    received_at: dt.datetime | None
    returned_at: dt.datetime | None
    due_at: dt.datetime | None  # legal due date (initial + supplement pauses), else initial
    has_extension: bool = False  # an apology letter with a new date (gia hạn) was recorded
    late_steps: int = 0
    supplements: int = 0
    step_unit_ids: set[int] = field(default_factory=set)
    procedure_published: bool = False
    procedure_complete: bool = False
    online_mode: str = Procedure.OnlineMode.UNKNOWN
    attitude_complaint: bool = False
    petition: bool = False  # a petition (phản ánh, kiến nghị) is about this dossier

    @property
    def late(self) -> bool:
        return bool(self.returned_at and self.due_at and self.returned_at > self.due_at)


# --- the nine rules -----------------------------------------------------------------------------


def total_time(f: Facts) -> int:
    """(1) 2 when the result was returned on or before the legal due date; 1 when late but an
    apology letter with a new date (gia hạn) was recorded; 0 when late without one."""
    if not f.late:
        return 2
    return 1 if f.has_extension else 0


def step_times(f: Facts) -> int:
    """(2) 2 when every step finished within its own deadline; 1 when exactly one step was
    late; 0 when two or more were."""
    return 2 if f.late_steps == 0 else 1 if f.late_steps == 1 else 0


def contacts(f: Facts) -> int:
    """(3) Contacts the citizen needed: 2 with no request for supplements; 1 with one; 0 with
    two or more."""
    return 2 if f.supplements == 0 else 1 if f.supplements == 1 else 0


def agencies(f: Facts) -> int:
    """(4) Agencies the citizen had to deal with: 2 when only the receiving one-stop handled
    the dossier (competent unit and every step's unit are the receiving unit); 1 when one
    other agency was involved; 0 when two or more were."""
    others = ({f.competent_unit_id} | f.step_unit_ids) - {f.receiving_unit_id}
    return 2 if not others else 1 if len(others) == 1 else 0


def one_stop(f: Facts) -> int:
    """(5) 2 when the dossier was received through the one-stop (a reception time is recorded)
    and its result returned through it (a return time is recorded); otherwise 0."""
    return 2 if f.received_at and f.returned_at else 0


def published(f: Facts) -> int:
    """(6) 2 when the procedure is published with complete content (processing time, at least
    one component, legal basis and result all filled in); 1 when published with gaps; 0 when
    not published."""
    if not f.procedure_published:
        return 0
    return 2 if f.procedure_complete else 1


def attitude(f: Facts) -> int:
    """(7) 0 when the dossier was rated "không hài lòng" for the staff's attitude or a petition
    (phản ánh, kiến nghị) is about it; otherwise 1 when the result came late; otherwise 2
    (early or on time, no complaint)."""
    if f.attitude_complaint or f.petition:
        return 0
    return 1 if f.late else 2


def complaints_on_time(handled_on_time: int, counted: int) -> int:
    """(8) Petitions (phản ánh, kiến nghị) of the unit in the period handled on time: 100% -> 2,
    at least 90% -> 1, less -> 0; 2 when there were none. The same for every dossier of the
    unit (it is a unit figure; `petitions.selectors.on_time` counts it)."""
    if counted == 0 or handled_on_time >= counted:
        return 2
    return 1 if handled_on_time * 10 >= counted * 9 else 0


def online(f: Facts) -> int:
    """(9) 2 when the procedure is offered fully online (toàn trình) and this dossier was filed
    online; 1 when the procedure is offered online (fully or in part); 0 when it is not."""
    mode = f.online_mode
    if mode == Procedure.OnlineMode.FULL and f.channel == Channel.ONLINE:
        return 2
    return 1 if mode in (Procedure.OnlineMode.FULL, Procedure.OnlineMode.PARTIAL) else 0


@dataclass
class Scores:
    """The nine scores of one dossier, in the order of `LABELS`."""

    code: str
    values: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.values)

    @property
    def grade(self) -> str:
        return grade(self.total)


def score(f: Facts, *, complaints: int = 2) -> Scores:
    """The nine scores of one dossier; `complaints` is the unit's indicator (8)."""
    return Scores(
        f.code,
        (
            total_time(f),
            step_times(f),
            contacts(f),
            agencies(f),
            one_stop(f),
            published(f),
            attitude(f),
            complaints,
            online(f),
        ),
    )


# --- reading the facts in bulk --------------------------------------------------------------


def _complete_procedure_q() -> Q:
    has_component = Exists(Component.objects.filter(procedure=OuterRef("procedure_id")))
    return (
        Q(procedure__processing_days__isnull=False)
        & ~Q(procedure__legal_basis="")
        & ~Q(procedure__result_type="")
        & Q(has_component)
    )


def load_facts(dossiers: QuerySet[Dossier]) -> list[Facts]:
    """Facts of every dossier in the queryset, in four queries whatever their number: the
    dossiers with their procedure and flags, step figures, supplement counts, step units."""
    extension = Exists(Extension.objects.filter(dossier=OuterRef("pk")))
    attitude_rating = Exists(
        Rating.objects.filter(
            dossier=OuterRef("pk"), level=Level.NOT_SATISFIED, reason=Reason.ATTITUDE
        )
    )
    petition = Exists(petitions.about_dossier(OuterRef("pk")))
    rows = (
        dossiers.order_by()
        .annotate(
            x_extension=extension,
            x_attitude=attitude_rating,
            x_petition=petition,
            x_complete=_complete_procedure_q(),
        )
        .values(
            "pk",
            "code",
            "receiving_unit_id",
            "competent_unit_id",
            "channel",
            "received_at",
            "returned_at",
            "due_at",
            "due_at_legal",
            "procedure__is_published",
            "procedure__online_mode",
            "x_extension",
            "x_attitude",
            "x_petition",
            "x_complete",
        )
    )
    facts = {
        r["pk"]: Facts(
            dossier_id=r["pk"],
            code=r["code"],
            receiving_unit_id=r["receiving_unit_id"],
            competent_unit_id=r["competent_unit_id"],
            channel=r["channel"],
            received_at=r["received_at"],
            returned_at=r["returned_at"],
            due_at=r["due_at_legal"] or r["due_at"],
            has_extension=bool(r["x_extension"]),
            procedure_published=bool(r["procedure__is_published"]),
            procedure_complete=bool(r["x_complete"]),
            online_mode=r["procedure__online_mode"],
            attitude_complaint=bool(r["x_attitude"]),
            petition=bool(r["x_petition"]),
        )
        for r in rows
    }
    if not facts:
        return []
    ids = dossiers.order_by().values("pk")
    late = Q(finished_at__isnull=False, due_at__isnull=False, finished_at__gt=F("due_at"))
    for r in (
        DossierStep.objects.filter(late, dossier_id__in=ids)
        .values("dossier_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        facts[r["dossier_id"]].late_steps = r["n"]
    for r in (
        SupplementRequest.objects.filter(dossier_id__in=ids)
        .values("dossier_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        facts[r["dossier_id"]].supplements = r["n"]
    for dossier_id, unit_id in (
        DossierStep.objects.filter(dossier_id__in=ids)
        .values_list("dossier_id", "unit_id")
        .distinct()
        .order_by()
    ):
        facts[dossier_id].step_unit_ids.add(unit_id)
    return sorted(facts.values(), key=lambda f: f.dossier_id)


def dossier_scores(dossier: Dossier, *, complaints: int = 2) -> Scores:
    """The nine scores of one dossier (`complaints`: the unit's indicator 8)."""
    [facts] = load_facts(Dossier.objects.filter(pk=dossier.pk))
    return score(facts, complaints=complaints)


# --- the unit -------------------------------------------------------------------------------


@dataclass
class UnitIndicators:
    """Means per indicator over the dossiers returned in the period, and their graded sum."""

    dossiers: int
    means: tuple[float, ...]  # empty when no dossier was returned
    complaints_handled: int
    complaints_counted: int

    @property
    def total(self) -> float | None:
        return round(sum(self.means), 2) if self.dossiers else None

    @property
    def grade(self) -> str:
        return grade(self.total) if self.total is not None else ""

    @property
    def rows(self) -> list[tuple[int, str, float]]:
        """(number, label, mean) for the page and the workbook."""
        if not self.means:
            return []
        pairs = zip(LABELS, self.means, strict=True)
        return [(n, str(label), m) for n, (label, m) in enumerate(pairs, 1)]


def returned_in(unit_ids, date_from: dt.date, date_to: dt.date) -> QuerySet[Dossier]:
    """Dossiers of the units (competent unit, the dossier's scope) whose result was returned
    between two local dates (inclusive)."""
    start, end = local_bounds(date_from, date_to)
    return Dossier.objects.filter(
        competent_unit_id__in=list(unit_ids),
        status=Status.RETURNED,
        returned_at__gte=start,
        returned_at__lt=end,
    )


def unit_indicators(
    unit_ids, date_from: dt.date, date_to: dt.date, *, now: dt.datetime
) -> UnitIndicators:
    """The unit's nine indicators for the period: each the mean of the per-dossier scores over
    the dossiers returned in it; the grade is the band of their sum.
    Indicator (8) comes from the petitions received in the period (`on_time` at `now`, or at
    the period's end when that is earlier). Four queries for the dossiers, one for petitions."""
    start, end = local_bounds(date_from, date_to)
    ratio = petitions.on_time(unit_ids, start=start, end=end, now=min(now, end))
    complaints = complaints_on_time(ratio.numerator, ratio.denominator)
    all_scores = [
        score(f, complaints=complaints).values
        for f in load_facts(returned_in(unit_ids, date_from, date_to))
    ]
    n = len(all_scores)
    means = tuple(sum(col) / n for col in zip(*all_scores, strict=True)) if n else ()
    return UnitIndicators(n, means, ratio.numerator, ratio.denominator)
