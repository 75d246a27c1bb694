"""The administrators' preview of a declaration version, filled from sample sources.

Staff with the administrator role only, and only for schemas of procedures of units their
administrator role reaches (another unit's schema is a 404). Nothing is saved: a POST only
validates the shown step, as the filing flow will.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from motcua.accounts import scoping
from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role

from . import engine, pdf, selectors
from .forms import StepForm
from .models import FormSchema

SAMPLE_SOURCES = Path(__file__).resolve().parent / "data" / "sample_sources.json"


def sample_sources() -> dict:
    return json.loads(SAMPLE_SOURCES.read_text(encoding="utf-8"))


def _schema_for(request, schema_id: int) -> FormSchema:
    try:
        schema = selectors.version(schema_id)
    except FormSchema.DoesNotExist:
        raise Http404 from None
    user = request.user
    if not user.is_superuser:
        allowed = scoping.visible_unit_ids(user, [Role.ADMINISTRATOR])
        if schema.procedure.unit_id not in allowed:
            raise Http404
    return schema


@staff_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def preview(request, schema_id: int):
    schema = _schema_for(request, schema_id)
    definition = schema.definition
    sources = sample_sources()
    prefilled = engine.prefill(definition, sources)
    keys = [s["key"] for s in definition["steps"]]
    step = request.GET.get("buoc", "")
    if step not in keys:
        step = keys[0]
    form = StepForm(
        definition,
        step,
        prefilled=prefilled,
        data=request.POST if request.method == "POST" else None,
    )
    checked = request.method == "POST" and form.is_valid()
    index = keys.index(step)
    status = 400 if request.method == "POST" and not checked else 200
    return render(
        request,
        "eforms/preview.html",
        {
            "schema": schema,
            "form": form,
            "steps": definition["steps"],
            "step": step,
            "previous": keys[index - 1] if index > 0 else "",
            "next": keys[index + 1] if index + 1 < len(keys) else "",
            "checked": checked,
            "typed": engine.typed_fields(definition, prefilled, form.answers())
            if checked
            else None,
            "sources_json": json.dumps(sources, ensure_ascii=False, indent=1),
            "filled": engine.filled_steps(definition, form.answers()),
            "shown_steps": engine.visible_steps(definition, form.answers()),
        },
        status=status,
    )


@staff_required(Role.ADMINISTRATOR)
@require_http_methods(["GET"])
def preview_pdf(request, schema_id: int):
    """The declaration as printed, filled with what the sample sources prefill."""
    schema = _schema_for(request, schema_id)
    answers = engine.prefill(schema.definition, sample_sources())
    body = pdf.render(
        schema,
        answers,
        addressee=f"Ủy ban nhân dân {schema.procedure.unit.name}",
        place=schema.procedure.unit.name,
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="to-khai-{schema.pk}-v{schema.version}.pdf"'
    )
    return response
