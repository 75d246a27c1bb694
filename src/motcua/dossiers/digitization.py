"""Digitization figures (the service index's "số hóa" group, decisions/0034): each a numerator
over a denominator, with the dossiers behind both, for the units a viewer reaches and the same
filters as the defects list (unit, department, officer, period of submission).

The base is the dossiers received in the period (`received_at` set: an online dossier never
accepted, or refused, is not received). The figures:

- components: received dossiers / those with every component in hand digitally
  (`all_components_digitized`);
- results: dossiers with their result (ready or returned) / those whose result is a signed
  file (`result_signed` and a signed result document with its file);
- reuse: received dossiers / those with at least one component taken from the citizen's
  documents or the state's data;
- filed: received dossiers of citizens / those whose papers all reached the citizen's documents
  ("Giấy tờ của tôi": every component the state does not hold has its file and, once the result
  is out, the signed result has its file).

The service-index issue counts these; nothing here imports kpi.
"""

from __future__ import annotations

import dataclasses

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from . import defects
from .models import ApplicantKind, Dossier, DossierComponent, DossierDocument

RESULT_STATUSES = defects.RESULT_STATUSES


def _signed_result_file():
    return Exists(
        DossierDocument.objects.filter(
            dossier=OuterRef("pk"), kind=DossierDocument.Kind.RESULT, signed=True
        ).exclude(file="")
    )


def _reused_component():
    return Exists(
        DossierComponent.objects.filter(dossier=OuterRef("pk")).filter(
            Q(reused_from_warehouse=True) | Q(from_state_data=True)
        )
    )


def _component_without_file():
    return Exists(
        DossierComponent.objects.filter(dossier=OuterRef("pk"), from_state_data=False, file="")
    )


# key -> (label, denominator condition, numerator condition within the denominator)
FIGURES: dict[str, tuple] = {
    "thanh-phan": (
        gettext_lazy("Hồ sơ số hóa đủ mọi thành phần"),
        lambda: Q(pk__isnull=False),
        lambda: Q(all_components_digitized=True),
    ),
    "ket-qua": (
        gettext_lazy("Kết quả được số hóa và ký số"),
        lambda: Q(status__in=RESULT_STATUSES),
        lambda: Q(result_signed=True) & Q(_signed_result_file()),
    ),
    "tai-su-dung": (
        gettext_lazy("Hồ sơ dùng lại giấy tờ trong kho hoặc dữ liệu sẵn có"),
        lambda: Q(pk__isnull=False),
        lambda: Q(_reused_component()),
    ),
    "kho-cong-dan": (
        gettext_lazy("Hồ sơ có giấy tờ đưa vào kho dữ liệu của công dân"),
        lambda: Q(applicant_kind=ApplicantKind.CITIZEN),
        lambda: (
            ~Q(_component_without_file())
            & (~Q(status__in=RESULT_STATUSES) | Q(_signed_result_file()))
        ),
    ),
}
SIDES = ("tu-so", "mau-so")  # numerator, denominator


@dataclasses.dataclass(frozen=True)
class Figure:
    key: str
    label: str
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None


def base(user, filters: defects.Filters = defects.Filters()) -> QuerySet[Dossier]:  # noqa: B008
    """The received dossiers in `user`'s reach and `filters` (PermissionDenied as `defects`)."""
    return defects.scope(user, filters).filter(received_at__isnull=False)


def figures(user, filters: defects.Filters = defects.Filters()) -> list[Figure]:  # noqa: B008
    """The four figures, counted in one query."""
    counts = {}
    for key, (_label, den, num) in FIGURES.items():
        counts[f"{key}_d"] = Count("id", filter=den())
        counts[f"{key}_n"] = Count("id", filter=den() & num())
    row = base(user, filters).aggregate(**{k.replace("-", "_"): v for k, v in counts.items()})
    return [
        Figure(
            key,
            str(label),
            row[f"{key.replace('-', '_')}_n"],
            row[f"{key.replace('-', '_')}_d"],
        )
        for key, (label, _den, _num) in FIGURES.items()
    ]


def dossiers(
    user,
    key: str,
    side: str,
    filters: defects.Filters = defects.Filters(),  # noqa: B008
) -> QuerySet[Dossier]:
    """The dossiers behind one side ("tu-so" numerator, "mau-so" denominator) of a figure,
    newest first."""
    _label, den, num = FIGURES[key]
    condition = den() & num() if side == "tu-so" else den()
    return (
        base(user, filters)
        .filter(condition)
        .select_related("receiving_unit", "competent_unit")
        .order_by("-submitted_at", "-id")
    )
