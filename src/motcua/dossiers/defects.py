"""The five digitization defects (lỗi số hóa) the commune plans say cost communes their score,
found per dossier, each with the screen that fixes it (decisions/0034).

(a) a finished or returned dossier whose result has no file;
(b) an in-person (counter) dossier whose components are not all in hand digitally
    (`models.COMPONENT_DIGITIZED`: scanned, or taken from the citizen's documents or the
    state's data);
(c) a citizen's identity not verified at reception (`identity_verified_via` is "none": neither
    the population database lookup, VNeID, nor the chip card reader);
(d) refused, stopped or withdrawn without its letter (`models.LETTER_FOR`) attached;
(e) a paper collected again although the citizen already held it as a valid issued result
    (`catalog.papers`' rule, as the online filing offers it: decisions/0033) and it was not
    taken from their documents.

Who may see them: leaders, managers (Văn phòng, TTPVHCC) and the one-stop officers, for the
units their role reaches (`VIEWER_ROLES`); anyone else gets `PermissionDenied`. Rules (a)-(d)
are SQL conditions; (e) matches names in Python over two bounded queries (the components and
the results of the applicants in scope), so a page costs a fixed number of queries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import Role
from motcua.accounts.scoping import visible_unit_ids
from motcua.catalog import papers as catalog_papers
from motcua.catalog.models import ResultValidity, StepStage

from .models import (
    LETTER_FOR,
    ApplicantKind,
    Channel,
    Dossier,
    DossierComponent,
    DossierDocument,
    DossierStep,
    IdentityVia,
    Status,
)

VIEWER_ROLES = (Role.LEADER, Role.MANAGER, Role.COUNTER_OFFICER)
RESULT_STATUSES = (Status.RESULT_READY, Status.RETURNED)


class Kind(models.TextChoices):
    NO_RESULT_FILE = "ket-qua", gettext_lazy("Đã có kết quả nhưng chưa có tệp kết quả")
    COMPONENTS_NOT_ATTACHED = "thanh-phan", gettext_lazy("Chưa số hóa đủ thành phần hồ sơ")
    IDENTITY_NOT_VERIFIED = (
        "dinh-danh",
        gettext_lazy("Chưa xác thực danh tính qua CSDL dân cư khi tiếp nhận"),
    )
    NO_LETTER = "van-ban", gettext_lazy("Từ chối, dừng hoặc rút hồ sơ không có văn bản")
    RECOLLECTED = "thu-lai", gettext_lazy("Thu lại giấy tờ công dân đã có trong kho")


FIX_ANCHOR = {
    Kind.NO_RESULT_FILE: "bo-sung-van-ban",
    Kind.NO_LETTER: "bo-sung-van-ban",
    Kind.COMPONENTS_NOT_ATTACHED: "thanh-phan",
    Kind.RECOLLECTED: "thanh-phan",
    Kind.IDENTITY_NOT_VERIFIED: "xac-thuc",
}
FIX_LABEL = {
    Kind.NO_RESULT_FILE: gettext_lazy("Đính kèm tệp kết quả"),
    Kind.NO_LETTER: gettext_lazy("Đính kèm văn bản"),
    Kind.COMPONENTS_NOT_ATTACHED: gettext_lazy("Đính kèm bản số hóa"),
    Kind.RECOLLECTED: gettext_lazy("Dùng giấy tờ đã cấp"),
    Kind.IDENTITY_NOT_VERIFIED: gettext_lazy("Đối chiếu CSDL dân cư"),
}


# --- who sees what --------------------------------------------------------------------------


def viewable_unit_ids(user) -> set[int]:
    """The units whose defects `user` may see; PermissionDenied when none."""
    ids = visible_unit_ids(user, VIEWER_ROLES)
    if not ids:
        raise PermissionDenied(_("Bạn không có quyền xem lỗi số hóa hồ sơ."))
    return ids


def in_units(unit_ids: Iterable[int]) -> QuerySet[Dossier]:
    ids = list(unit_ids)
    return Dossier.objects.filter(Q(competent_unit_id__in=ids) | Q(receiving_unit_id__in=ids))


# --- the rules as SQL ----------------------------------------------------------------------


def _file_of(kind: str):
    return Exists(
        DossierDocument.objects.filter(dossier=OuterRef("pk"), kind=kind).exclude(file="")
    )


def rule(kind: str) -> Q:
    """The SQL condition of defects (a)-(d) on `Dossier` (not (e): see `recollected`)."""
    if kind == Kind.NO_RESULT_FILE:
        return Q(status__in=RESULT_STATUSES) & ~Q(_file_of(DossierDocument.Kind.RESULT))
    if kind == Kind.COMPONENTS_NOT_ATTACHED:
        return Q(channel=Channel.COUNTER, all_components_digitized=False) & ~Q(
            status__in=(Status.SUBMITTED, Status.REFUSED)
        )
    if kind == Kind.IDENTITY_NOT_VERIFIED:
        return Q(applicant_kind=ApplicantKind.CITIZEN, identity_verified_via=IdentityVia.NONE) & ~Q(
            status=Status.SUBMITTED
        )
    if kind == Kind.NO_LETTER:
        found = Q(pk__in=[])
        for status, letter in LETTER_FOR.items():
            found |= Q(status=status) & ~Q(_file_of(letter))
        return found
    raise ValueError(kind)


SQL_KINDS = (
    Kind.NO_RESULT_FILE,
    Kind.COMPONENTS_NOT_ATTACHED,
    Kind.IDENTITY_NOT_VERIFIED,
    Kind.NO_LETTER,
)


# --- (e) a paper the citizen already held as a valid issued result ---------------------------


@dataclasses.dataclass(frozen=True)
class IssuedResult:
    """A signed result issued to a citizen, with the papers it is and until when it holds."""

    document_id: int
    dossier_id: int
    code: str
    applicant_id_number: str
    issued_at: dt.datetime
    valid_until: dt.datetime | None
    papers: tuple[str, ...]

    def valid_at(self, at: dt.datetime) -> bool:
        return self.issued_at < at and (self.valid_until is None or self.valid_until > at)


def issued_results(applicant_id_numbers: Iterable[str]) -> dict[str, list[IssuedResult]]:
    """The signed results (with a file, of a dossier ready or returned) of these applicants,
    newest first: the same rows "Giấy tờ của tôi" lists (`citizens.selectors.my_results`),
    keyed by ID number. Two queries whatever the number of applicants."""
    numbers = sorted({n for n in applicant_id_numbers if n})
    if not numbers:
        return {}
    rows = list(
        DossierDocument.objects.filter(
            kind=DossierDocument.Kind.RESULT,
            signed=True,
            dossier__status__in=RESULT_STATUSES,
            dossier__applicant_kind=ApplicantKind.CITIZEN,
            dossier__applicant_id_number__in=numbers,
        )
        .exclude(file="")
        .order_by("-created_at", "-id")
        .values_list(
            "pk",
            "dossier_id",
            "dossier__code",
            "dossier__applicant_id_number",
            "created_at",
            "dossier__returned_at",
            "dossier__procedure_code",
            "dossier__procedure__result_type",
        )
    )
    codes = {row[6] for row in rows}
    validity = {v.code: v for v in ResultValidity.objects.filter(code__in=codes)}
    out: dict[str, list[IssuedResult]] = {}
    for pk, dossier_id, code, number, at, returned_at, procedure_code, result_type in rows:
        rule_ = validity.get(procedure_code)
        until = returned_at + dt.timedelta(days=rule_.days) if rule_ and returned_at else None
        names = catalog_papers.result_papers(result_type or "", *([rule_.result] if rule_ else []))
        out.setdefault(number, []).append(
            IssuedResult(pk, dossier_id, code, number, at, until, tuple(names))
        )
    return out


def matching_result(
    component_name: str, results: Iterable[IssuedResult], *, at: dt.datetime, dossier_id=None
) -> IssuedResult | None:
    """The newest of `results` this paper asks for and valid at `at` (not of `dossier_id`)."""
    for result in results:
        if (
            result.dossier_id != dossier_id
            and result.valid_at(at)
            and catalog_papers.needs(component_name, result.papers)
        ):
            return result
    return None


def recollected(dossiers: QuerySet[Dossier]) -> dict[int, list[tuple[int, IssuedResult]]]:
    """Defect (e) over `dossiers`: {dossier id: [(component id, the result it could reuse)]}.

    Components handed in on paper or scanned (not reused, not the state's data) of citizens'
    dossiers, matched against the results issued to the same citizen before submission."""
    rows = list(
        DossierComponent.objects.filter(
            dossier__in=dossiers.filter(applicant_kind=ApplicantKind.CITIZEN),
            reused_from_warehouse=False,
            from_state_data=False,
        ).values_list(
            "pk", "name", "dossier_id", "dossier__applicant_id_number", "dossier__submitted_at"
        )
    )
    results = issued_results(row[3] for row in rows)
    found: dict[int, list[tuple[int, IssuedResult]]] = {}
    for pk, name, dossier_id, number, submitted_at in rows:
        held = results.get(number)
        if not held:
            continue
        match = matching_result(name, held, at=submitted_at, dossier_id=dossier_id)
        if match is not None:
            found.setdefault(dossier_id, []).append((pk, match))
    return found


# --- the list -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Filters:
    kind: str = ""
    unit_id: int | None = None
    department_id: int | None = None
    officer_id: int | None = None
    start: dt.datetime | None = None  # submitted at or after
    end: dt.datetime | None = None  # submitted before


@dataclasses.dataclass
class Defect:
    kind: str
    label: str
    detail: str
    fix_url: str
    fix_label: str


@dataclasses.dataclass
class Row:
    dossier: Dossier
    defects: list[Defect]
    receiver: str
    handler: str


def scope(user, filters: Filters) -> QuerySet[Dossier]:
    """The dossiers (received or decided by) the units `user` may see, within `filters`'
    unit, department (a step of that department), officer (received or handled: holds a step)
    and period of submission. PermissionDenied for a unit outside their reach."""
    ids = viewable_unit_ids(user)
    if filters.unit_id is not None:
        if filters.unit_id not in ids:
            raise PermissionDenied(_("Bạn không có quyền xem đơn vị này."))
        ids = {filters.unit_id}
    qs = in_units(ids)
    if filters.start is not None:
        qs = qs.filter(submitted_at__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(submitted_at__lt=filters.end)
    if filters.department_id is not None:
        qs = qs.filter(
            Exists(
                DossierStep.objects.filter(
                    dossier=OuterRef("pk"), department_id=filters.department_id
                )
            )
        )
    if filters.officer_id is not None:
        qs = qs.filter(
            Exists(
                DossierStep.objects.filter(dossier=OuterRef("pk"), assignee_id=filters.officer_id)
            )
        )
    return qs


@dataclasses.dataclass
class Found:
    """What `find` returns: the dossiers with a defect (a queryset, newest first) and the
    (e) matches, so a page of it becomes `rows` with no query per dossier."""

    dossiers: QuerySet[Dossier]
    recollected: dict[int, list[tuple[int, IssuedResult]]]
    kinds: tuple[str, ...]


def find(user, filters: Filters = Filters()) -> Found:
    """The dossiers of `user`'s units with at least one defect of `filters.kind` (all kinds when
    empty), newest first. PermissionDenied for a role that may not see them."""
    within = scope(user, filters)
    kinds = (filters.kind,) if filters.kind else tuple(Kind.values)
    if any(k not in Kind.values for k in kinds):
        raise ValueError(filters.kind)
    wanted = Q(pk__in=[])
    for kind in kinds:
        if kind != Kind.RECOLLECTED:
            wanted |= rule(kind)
    again = recollected(within) if Kind.RECOLLECTED in kinds else {}
    if again:
        wanted |= Q(pk__in=list(again))
    annotations = {f"d_{k.replace('-', '_')}": _flag(k) for k in kinds if k in SQL_KINDS}
    qs = (
        within.filter(wanted)
        .annotate(**annotations)
        .select_related("receiving_unit", "competent_unit")
        .order_by("-submitted_at", "-id")
    )
    return Found(dossiers=qs, recollected=again, kinds=kinds)


def _flag(kind: str):
    return models.Case(
        models.When(rule(kind), then=models.Value(True)),
        default=models.Value(False),
        output_field=models.BooleanField(),
    )


def _detail(kind: str, dossier: Dossier, again) -> str:
    if kind == Kind.NO_LETTER:
        letter = LETTER_FOR.get(Status(dossier.status))
        if letter is None:
            return ""
        return _("Thiếu “%(letter)s”.") % {"letter": DossierDocument.Kind(letter).label}
    if kind == Kind.RECOLLECTED:
        codes = sorted({result.code for _pk, result in again})
        return _("Giấy tờ đã được cấp trong hồ sơ %(codes)s.") % {"codes": ", ".join(codes)}
    return ""


def rows(found: Found, dossiers: Iterable[Dossier]) -> list[Row]:
    """One `Row` per dossier of a page: its defects with their fix links, who received it and
    who handles it (one query for the steps of the whole page)."""
    page = list(dossiers)
    people: dict[int, dict[str, str]] = {}
    steps = (
        DossierStep.objects.filter(dossier__in=page, assignee__isnull=False)
        .order_by("dossier_id", "order")
        .values_list("dossier_id", "stage", "assignee__full_name", "assignee__username")
    )
    for dossier_id, stage, full_name, username in steps:
        who = people.setdefault(dossier_id, {})
        name = full_name or username
        if stage == StepStage.RECEPTION:
            who.setdefault("receiver", name)
        elif stage in (StepStage.PROCESSING, StepStage.APPROVAL):
            who["handler"] = name
    out: list[Row] = []
    for dossier in page:
        url = reverse("dossiers:dossier_detail", args=[dossier.pk])
        defects = []
        for kind in found.kinds:
            if kind == Kind.RECOLLECTED:
                present = dossier.pk in found.recollected
            else:
                present = bool(getattr(dossier, f"d_{kind.replace('-', '_')}", False))
            if present:
                defects.append(
                    Defect(
                        kind=kind,
                        label=str(Kind(kind).label),
                        detail=_detail(kind, dossier, found.recollected.get(dossier.pk, [])),
                        fix_url=f"{url}#{FIX_ANCHOR[Kind(kind)]}",
                        fix_label=str(FIX_LABEL[Kind(kind)]),
                    )
                )
        who = people.get(dossier.pk, {})
        out.append(Row(dossier, defects, who.get("receiver", ""), who.get("handler", "")))
    return out


def of_dossier(
    dossier: Dossier, *, again: dict[int, list[tuple[int, IssuedResult]]] | None = None
) -> list[Defect]:
    """The defects of one dossier (its page shows them above the fixes); `again`: its
    `recollected` matches when the caller already has them (the page offers them as fixes)."""
    one = Dossier.objects.filter(pk=dossier.pk)
    found = Found(
        dossiers=one.annotate(**{f"d_{k.replace('-', '_')}": _flag(k) for k in SQL_KINDS}),
        recollected=recollected(one) if again is None else again,
        kinds=tuple(Kind.values),
    )
    return rows(found, found.dossiers)[0].defects if found.dossiers else []
