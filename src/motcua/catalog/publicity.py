"""Kiểm tra công khai: which procedures lack something a citizen needs before filing.

"Publicity and transparency" is one of the six groups of the national service index (QĐ 766):
a procedure published without its fees, papers, time, legal basis or result costs points and
sends citizens back and forth. ND 224/2026 art. 14 also requires the reason to be published
when a procedure is only partly online or not online.

A fee row without a case next to rows of the same kind that have one ("Đúng hạn" / "Không
đúng hạn") is reported too: reception would add it to every case, and nobody can tell
whether the source meant one case or all (catalog/cases.py, decisions/0015).
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Component, Fee, Procedure

# problem code -> (label, condition on a queryset annotated by `annotate_problems`)
PROBLEMS: dict[str, tuple] = {
    "unpublished": (_("Chưa công khai"), Q(is_published=False)),
    "no_fee": (_("Chưa có thông tin phí, lệ phí"), Q(has_fee=False)),
    "no_components": (_("Chưa có thành phần hồ sơ"), Q(has_components=False)),
    "no_processing_time": (_("Chưa có thời hạn giải quyết"), Q(processing_days=None)),
    "no_legal_basis": (_("Chưa có căn cứ pháp lý"), Q(legal_basis="")),
    "no_result": (_("Chưa có kết quả thực hiện"), Q(result_type="")),
    "no_online_mode": (
        _("Chưa công bố mức độ trực tuyến"),
        Q(online_mode=Procedure.OnlineMode.UNKNOWN),
    ),
    "fee_without_case": (
        _("Có dòng phí, lệ phí chưa gắn trường hợp trong khi có các trường hợp thay thế nhau"),
        Q(has_uncased_fee=True),
    ),
    "no_online_reason": (
        _("Chưa nêu lý do chưa trực tuyến toàn trình"),
        Q(online_mode__in=[Procedure.OnlineMode.PARTIAL, Procedure.OnlineMode.NONE])
        & Q(online_mode_reason=""),
    ),
}


def problem_label(code: str) -> str:
    return str(PROBLEMS[code][0])


def annotate_problems(qs: QuerySet[Procedure]) -> QuerySet[Procedure]:
    """Add `has_fee`, `has_components` and `has_uncased_fee` so every problem is a plain
    filter (no N+1). An uncased row is one `cases.uncased_alternatives` would return."""
    cased_same_kind = Fee.objects.filter(
        procedure=OuterRef("procedure"), kind=OuterRef("kind")
    ).exclude(case="")
    uncased = Fee.objects.filter(procedure=OuterRef("pk"), case="").filter(
        Q(Exists(cased_same_kind), channel=Fee.Channel.ANY)
        | Q(Exists(cased_same_kind.filter(channel=OuterRef("channel"))))
    )
    return qs.annotate(
        has_fee=Exists(Fee.objects.filter(procedure=OuterRef("pk"))),
        has_components=Exists(Component.objects.filter(procedure=OuterRef("pk"))),
        has_uncased_fee=Exists(uncased),
    )


def any_problem() -> Q:
    combined = Q()
    for _label, condition in PROBLEMS.values():
        combined |= condition
    return combined


def with_problem(qs: QuerySet[Procedure], code: str | None = None) -> QuerySet[Procedure]:
    """Annotated procedures having `code` (or any problem when `code` is None)."""
    qs = annotate_problems(qs)
    return qs.filter(PROBLEMS[code][1] if code else any_problem())


def problem_counts(qs: QuerySet[Procedure]) -> dict[str, int]:
    """{problem code: number of procedures with it}, in one query."""
    annotated = annotate_problems(qs).order_by()
    return annotated.aggregate(
        **{code: Count("pk", filter=cond) for code, (_label, cond) in PROBLEMS.items()}
    )


def problems_of(procedure: Procedure) -> list[str]:
    """Problem codes of one procedure annotated by `annotate_problems` (checked in Python)."""
    found = []
    if not procedure.is_published:
        found.append("unpublished")
    if not procedure.has_fee:
        found.append("no_fee")
    if not procedure.has_components:
        found.append("no_components")
    if procedure.has_uncased_fee:
        found.append("fee_without_case")
    if procedure.processing_days is None:
        found.append("no_processing_time")
    if not procedure.legal_basis.strip():
        found.append("no_legal_basis")
    if not procedure.result_type.strip():
        found.append("no_result")
    if procedure.online_mode == Procedure.OnlineMode.UNKNOWN:
        found.append("no_online_mode")
    if (
        procedure.online_mode in (Procedure.OnlineMode.PARTIAL, Procedure.OnlineMode.NONE)
        and not procedure.online_mode_reason.strip()
    ):
        found.append("no_online_reason")
    return found


def missing_information(qs: QuerySet[Procedure]) -> list[tuple[Procedure, list[str]]]:
    """[(procedure, [problem codes])] for every procedure in `qs` that lacks something."""
    rows = with_problem(qs).select_related("field", "unit")
    result = []
    for procedure in rows:
        problems = problems_of(procedure)
        if problems:
            result.append((procedure, problems))
    return result
