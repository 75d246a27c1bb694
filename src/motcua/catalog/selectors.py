"""Read-side queries of the catalog, shared by pages, the API and reports."""

from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    When,
)
from django.db.models import Value as V
from django.db.models.functions import Length, Substr

from motcua.core.models import Unit
from motcua.core.text import fold

from .models import Fee, FollowUp, HowToGuide, Procedure, ResultValidity

MAX_QUERY_LENGTH = 200
MAX_PK = 2**63 - 1  # a longer number in the URL is "not found", not an SQLite OverflowError


def published_procedures() -> QuerySet[Procedure]:
    return Procedure.objects.filter(is_published=True).select_related("field", "unit")


LEADING_WORDS = "thu tuc "  # "Thủ tục đăng ký khai sinh" is found as "đăng ký khai sinh"
SEARCH_ORDER = ("search_rank", "search_length", "search_name", "pk")


def search_words(query: str) -> str:
    """The query as it is compared: folded, spaces collapsed, a leading "Thủ tục" dropped."""
    folded = fold(query)[:MAX_QUERY_LENGTH]
    if folded.startswith(LEADING_WORDS) and folded != LEADING_WORDS.strip():
        folded = folded[len(LEADING_WORDS) :]
    return folded


def search_procedures(qs: QuerySet[Procedure], query: str) -> QuerySet[Procedure]:
    """Accent-insensitive search: every word of the query must appear in code or name.

    "dang ky ket hon" finds "Đăng ký kết hôn"; "1.001193" finds the procedure by its code.
    The best match comes first (docs/decisions/0017-worklist-warnings-and-search.md), names
    compared without accents, case and a leading "Thủ tục":
    0. the name is the query ("khai sinh" -> "Khai sinh");
    1. the name starts with the query's words;
    2. the name contains them as a phrase;
    3. the rest (every word somewhere, or the code).
    Ties: the shorter name first (the fewest words besides the query: "Đăng ký khai sinh"
    before "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh"), then by name.
    Callers that need another order (a list grouped by field) apply their own `order_by`.
    """
    words = search_words(query)
    for word in words.split()[:10]:
        qs = qs.filter(search_text__contains=word)
    if not words:
        return qs
    # search_text is fold(f"{code} {name}"): the folded name starts after the code and a space
    full_name = Substr("search_text", Length("code") + 2)
    qs = qs.annotate(search_full_name=full_name)
    qs = qs.annotate(
        search_name=Case(
            When(
                search_full_name__startswith=LEADING_WORDS,
                then=Substr("search_full_name", len(LEADING_WORDS) + 1),
            ),
            default=F("search_full_name"),
        )
    )
    qs = qs.annotate(
        search_rank=Case(
            When(search_name=V(words), then=V(0)),
            When(search_name__startswith=words, then=V(1)),
            When(search_name__contains=words, then=V(2)),
            default=V(3),
            output_field=IntegerField(),
        ),
        search_length=Length("search_name"),
    )
    return qs.order_by(*SEARCH_ORDER)


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
    # a search lists the best match first, as at the counter; a plain list goes by field
    order = SEARCH_ORDER if search_words(filters.query) else ("field__name", "name", "pk")
    return qs.prefetch_related(Prefetch("fees", queryset=Fee.objects.order_by("id"))).order_by(
        *order
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


# --- proactive services ---------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    """A procedure the citizen usually needs after a result, offered on the unit's catalog."""

    procedure: Procedure
    reason: str


def follow_ups(*, code: str, unit_id: int) -> list[NextStep]:
    """The unit's published procedures that usually follow a result of `code` (one query per
    table), in the reference order; a follow-up the unit does not publish is left out."""
    links = list(FollowUp.objects.filter(from_code=code).values_list("to_code", "reason"))
    if not links:
        return []
    found = {
        p.code: p
        for p in published_procedures().filter(unit_id=unit_id, code__in=[to for to, _r in links])
    }
    return [NextStep(found[to], reason) for to, reason in links if to in found]


def result_validity(code: str) -> ResultValidity | None:
    """How long a result of the procedure `code` stays valid, where a rule says so."""
    return ResultValidity.objects.filter(code=code).first()


def result_validities() -> list[ResultValidity]:
    return list(ResultValidity.objects.order_by("code"))
