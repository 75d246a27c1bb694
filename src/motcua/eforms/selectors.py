"""Read side of e-forms: the declaration a new filing uses, and the one a draft pinned."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.catalog.models import Procedure

from .models import FormSchema


def current_for(procedure: Procedure | int) -> FormSchema | None:
    """The published declaration of `procedure` (what a new online filing starts on), or None."""
    procedure_id = procedure if isinstance(procedure, int) else procedure.pk
    return (
        FormSchema.objects.select_related("procedure")
        .filter(procedure_id=procedure_id, status=FormSchema.Status.PUBLISHED)
        .first()
    )


def version(schema_id: int) -> FormSchema:
    """Exactly the version a draft pinned, whatever its status now (retired versions stay
    readable). Raises FormSchema.DoesNotExist."""
    return FormSchema.objects.select_related("procedure", "procedure__unit").get(pk=schema_id)


def versions_for(procedure: Procedure | int) -> QuerySet[FormSchema]:
    procedure_id = procedure if isinstance(procedure, int) else procedure.pk
    return FormSchema.objects.filter(procedure_id=procedure_id).order_by("-version")
