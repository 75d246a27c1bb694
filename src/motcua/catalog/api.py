"""Public, read-only API of the catalog: published procedures and fields.

Anyone may read (kiosks, the provincial portal, the commune website); nothing can be written.
Drafts never appear: every query starts from `selectors.published_procedures()`.
"""

from django.db.models import Count, Prefetch, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets

from . import selectors
from .models import Fee, Field
from .serializers import FieldSerializer, ProcedureDetailSerializer, ProcedureListSerializer

LIST_PARAMETERS = [
    OpenApiParameter(
        "search",
        OpenApiTypes.STR,
        description="Tìm theo tên hoặc mã, có dấu hay không dấu (ví dụ: dang ky ket hon).",
    ),
    OpenApiParameter("field", OpenApiTypes.STR, description="Mã lĩnh vực (xem /api/v1/fields/)."),
    OpenApiParameter("unit", OpenApiTypes.STR, description="Mã đơn vị hành chính công bố."),
]


@extend_schema_view(list=extend_schema(parameters=LIST_PARAMETERS))
class ProcedureViewSet(viewsets.ReadOnlyModelViewSet):
    """Thủ tục hành chính đã công khai."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    def get_serializer_class(self):
        return ProcedureDetailSerializer if self.action == "retrieve" else ProcedureListSerializer

    def get_queryset(self):
        qs = selectors.published_procedures().order_by("field__name", "name", "pk")
        if self.action == "retrieve":
            return qs.prefetch_related(
                Prefetch("fees", queryset=Fee.objects.order_by("id")),
                "components",
                "steps",
                "forms",
            )
        params = self.request.query_params
        if params.get("search"):
            qs = selectors.search_procedures(qs, params["search"][:200])
        if params.get("field"):
            qs = qs.filter(field__code=params["field"])
        if params.get("unit"):
            qs = qs.filter(unit__code=params["unit"])
        return qs


class FieldViewSet(viewsets.ReadOnlyModelViewSet):
    """Lĩnh vực that have at least one published procedure, with how many."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    serializer_class = FieldSerializer
    lookup_field = "code"

    def get_queryset(self):
        return (
            Field.objects.annotate(
                published_count=Count("procedures", filter=Q(procedures__is_published=True))
            )
            .filter(published_count__gt=0)
            .order_by("name")
        )
