"""Read-side queries of the catalog, shared by pages, the API and reports."""

from django.db.models import QuerySet

from motcua.core.text import fold

from .models import Procedure


def published_procedures() -> QuerySet[Procedure]:
    return Procedure.objects.filter(is_published=True).select_related("field", "unit")


def search_procedures(qs: QuerySet[Procedure], query: str) -> QuerySet[Procedure]:
    """Accent-insensitive search: every word of the query must appear in code or name.

    "dang ky ket hon" finds "Đăng ký kết hôn"; "1.001193" finds the procedure by its code.
    """
    for word in fold(query).split()[:10]:
        qs = qs.filter(search_text__contains=word)
    return qs
