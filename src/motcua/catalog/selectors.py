"""Read-side queries of the catalog, shared by pages, the API and reports."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from motcua.core.models import Unit
from motcua.core.text import fold

from .models import Fee, HowToGuide, Procedure

MAX_QUERY_LENGTH = 200
MAX_PK = 2**63 - 1  # a longer number in the URL is "not found", not an SQLite OverflowError


def published_procedures() -> QuerySet[Procedure]:
    return Procedure.objects.filter(is_published=True).select_related("field", "unit")


def search_procedures(qs: QuerySet[Procedure], query: str) -> QuerySet[Procedure]:
    """Accent-insensitive search: every word of the query must appear in code or name.

    "dang ky ket hon" finds "Đăng ký kết hôn"; "1.001193" finds the procedure by its code.
    """
    for word in fold(query).split()[:10]:
        qs = qs.filter(search_text__contains=word)
    return qs


@dataclass(frozen=True)
class PublicFilters:
    """What a citizen asked for on the public list; unknown values are dropped, not errors."""

    query: str = ""
    field_code: str = ""
    online_mode: str = ""
    unit_code: str = ""

    @classmethod
    def from_params(cls, params) -> "PublicFilters":
        online = params.get("online", "")
        return cls(
            query=" ".join(params.get("q", "").split())[:MAX_QUERY_LENGTH],
            field_code=params.get("field", "").strip()[:60],
            online_mode=online if online in Procedure.OnlineMode.values else "",
            unit_code=params.get("unit", "").strip()[:10],
        )

    @property
    def any(self) -> bool:
        return bool(self.query or self.field_code or self.online_mode or self.unit_code)


def public_catalog(filters: PublicFilters, *, with_field: bool = True) -> QuerySet[Procedure]:
    """Published procedures matching the filters, fees prefetched for the fee summary.

    `with_field=False` leaves the field filter out so the field chips can count what each
    field would give for the same search.
    """
    qs = published_procedures()
    if filters.query:
        qs = search_procedures(qs, filters.query)
    if filters.online_mode:
        qs = qs.filter(online_mode=filters.online_mode)
    if filters.unit_code:
        qs = qs.filter(unit__code=filters.unit_code)
    if with_field and filters.field_code:
        qs = qs.filter(field__code=filters.field_code)
    return qs.prefetch_related(Prefetch("fees", queryset=Fee.objects.order_by("id"))).order_by(
        "field__name", "name", "pk"
    )


@dataclass(frozen=True)
class CatalogFacets:
    """What the list page shows around the results, from ONE grouped query.

    `fields` counts each field for the same search without the field filter (the chips);
    `total` and `unit_ids` describe the results with every filter applied.
    """

    fields: list[dict]
    total: int
    unit_ids: frozenset[int]


def catalog_facets(filters: PublicFilters) -> CatalogFacets:
    rows = (
        public_catalog(filters, with_field=False)
        .order_by()
        .values("field__code", "field__name", "unit_id")
        .annotate(count=Count("id"))
    )
    per_field: dict[str, dict] = {}
    total, unit_ids = 0, set()
    for row in rows:
        field = per_field.setdefault(
            row["field__code"], {"code": row["field__code"], "name": row["field__name"], "count": 0}
        )
        field["count"] += row["count"]
        if not filters.field_code or row["field__code"] == filters.field_code:
            total += row["count"]
            unit_ids.add(row["unit_id"])
    # sorted by the folded name: binary order would put "Đất đai" after "Xây dựng"
    fields = sorted(per_field.values(), key=lambda f: (fold(f["name"]), f["name"]))
    return CatalogFacets(fields=fields, total=total, unit_ids=frozenset(unit_ids))


def publishing_units() -> list[Unit]:
    """Units that publish at least one procedure: the unit filter is offered only if > 1."""
    publishes = Procedure.objects.filter(unit=OuterRef("pk"), is_published=True)
    return list(Unit.objects.filter(Exists(publishes)).order_by("name"))


def public_procedure(pk: int) -> Procedure | None:
    """A published procedure with everything its public page shows, or None."""
    if pk > MAX_PK:
        return None
    return (
        published_procedures()
        .select_related("guide")
        .prefetch_related(
            Prefetch("fees", queryset=Fee.objects.order_by("id")),
            "components",
            "steps",
            "forms",
        )
        .filter(pk=pk)
        .first()
    )


def is_published(pk: int) -> bool:
    return pk <= MAX_PK and Procedure.objects.filter(pk=pk, is_published=True).exists()


def public_guide(pk: int) -> HowToGuide | None:
    """The published guide of a published procedure, with its steps, or None."""
    if pk > MAX_PK:
        return None
    return (
        HowToGuide.objects.filter(procedure_id=pk, is_published=True, procedure__is_published=True)
        .select_related("procedure", "procedure__unit", "procedure__field")
        .prefetch_related("steps")
        .first()
    )
