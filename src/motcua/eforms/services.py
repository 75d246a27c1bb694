"""Every change of an e-form schema: one transaction, one audit event each.

A published version is never edited: `revise` makes the next version (a draft, or published at
once), `publish` retires the version it replaces. Version numbers come from the procedure row
locked for the change, so two administrators saving at once get versions 4 and 5, not two 4s.
The demo loader and the admin screen call these same functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.core import audit

from .models import FormSchema
from .schema import SchemaError, ensure_valid

__all__ = [
    "SchemaChangeRefused",
    "SchemaError",
    "create_version",
    "load_declarations",
    "publish",
    "retire",
    "revise",
    "update_draft",
]

EDITABLE = ("name", "form_number", "definition", "source_note", "confidence")


class SchemaChangeRefused(ValueError):
    """A change the versioning rule refuses (editing a published version, publishing twice)."""


def _summary(schema: FormSchema) -> dict[str, Any]:
    return {
        "procedure": schema.procedure.code,
        "version": schema.version,
        "status": schema.status,
        "name": schema.name,
        "form_number": schema.form_number,
    }


def _publish_locked(schema: FormSchema, *, now: dt.datetime) -> FormSchema | None:
    """Retire the published version of the procedure (if another) and publish `schema`."""
    previous = (
        FormSchema.objects.select_for_update()
        .filter(procedure_id=schema.procedure_id, status=FormSchema.Status.PUBLISHED)
        .exclude(pk=schema.pk)
        .first()
    )
    if previous is not None:
        previous.status = FormSchema.Status.RETIRED
        previous.save(update_fields=["status"])
    schema.status = FormSchema.Status.PUBLISHED
    schema.published_at = now
    schema.save(update_fields=["status", "published_at"])
    return previous


def create_version(
    *,
    procedure: Procedure,
    name: str,
    definition: dict,
    actor: Any,
    form_number: str = "",
    source_note: str = "",
    confidence: str = FormSchema.Confidence.PARTIAL,
    publish: bool = False,
    now: dt.datetime | None = None,
) -> FormSchema:
    """The next version of `procedure`'s declaration (validated), a draft unless `publish`."""
    ensure_valid(definition)
    now = now or timezone.now()
    with transaction.atomic():
        Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
        last = FormSchema.objects.filter(procedure=procedure).aggregate(n=Max("version"))["n"]
        schema = FormSchema.objects.create(
            procedure=procedure,
            name=name,
            form_number=form_number,
            definition=definition,
            source_note=source_note,
            confidence=confidence,
            version=(last or 0) + 1,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        replaced = _publish_locked(schema, now=now) if publish else None
        audit.record(
            action="eforms.schema.published" if publish else "eforms.schema.created",
            obj=schema,
            actor=actor,
            unit=procedure.unit_id,
            changes={
                **_summary(schema),
                "replaces": replaced.version if replaced else None,
            },
        )
    return schema


def update_draft(*, schema: FormSchema, actor: Any, **changes: Any) -> FormSchema:
    """Change a draft in place (name, number, definition, note, confidence)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if "definition" in changes:
        ensure_valid(changes["definition"])
    with transaction.atomic():
        locked = FormSchema.objects.select_for_update().get(pk=schema.pk)
        if locked.status != FormSchema.Status.DRAFT:
            raise SchemaChangeRefused("Phiên bản đã áp dụng không sửa được; hãy tạo phiên bản mới.")
        diff = {}
        for key, value in changes.items():
            if getattr(locked, key) != value:
                diff[key] = "(JSON)" if key == "definition" else [getattr(locked, key), value]
                setattr(locked, key, value)
        locked.save()
        audit.record(
            action="eforms.schema.updated",
            obj=locked,
            actor=actor,
            unit=locked.procedure.unit_id,
            changes={**_summary(locked), "changed": diff},
        )
    return locked


def publish(*, schema: FormSchema, actor: Any, now: dt.datetime | None = None) -> FormSchema:
    """Apply a draft: it becomes the procedure's current declaration; the one it replaces is
    retired (drafts of citizens keep the version they pinned)."""
    now = now or timezone.now()
    with transaction.atomic():
        Procedure.objects.select_for_update().filter(pk=schema.procedure_id).first()
        locked = FormSchema.objects.select_for_update().get(pk=schema.pk)
        if locked.status != FormSchema.Status.DRAFT:
            raise SchemaChangeRefused("Chỉ bản nháp mới được áp dụng.")
        ensure_valid(locked.definition)
        replaced = _publish_locked(locked, now=now)
        audit.record(
            action="eforms.schema.published",
            obj=locked,
            actor=actor,
            unit=locked.procedure.unit_id,
            changes={**_summary(locked), "replaces": replaced.version if replaced else None},
        )
    return locked


def revise(*, schema: FormSchema, actor: Any, publish: bool = False, **changes: Any) -> FormSchema:
    """Editing a published (or retired) version: a new version with the changes applied."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    fields = {key: getattr(schema, key) for key in EDITABLE}
    fields.update(changes)
    return create_version(procedure=schema.procedure, actor=actor, publish=publish, **fields)


def retire(*, schema: FormSchema, actor: Any) -> FormSchema:
    """Stop offering a published version without a successor (online filing then has no form)."""
    with transaction.atomic():
        locked = FormSchema.objects.select_for_update().get(pk=schema.pk)
        if locked.status != FormSchema.Status.PUBLISHED:
            raise SchemaChangeRefused("Chỉ phiên bản đang áp dụng mới thôi áp dụng được.")
        locked.status = FormSchema.Status.RETIRED
        locked.save(update_fields=["status"])
        audit.record(
            action="eforms.schema.retired",
            obj=locked,
            actor=actor,
            unit=locked.procedure.unit_id,
            changes=_summary(locked),
        )
    return locked


def load_declarations(*, unit: Any, records: list[dict], actor: Any) -> dict[str, int]:
    """Publish each record's declaration for the unit's procedure with that national code,
    through `create_version` (as an administrator's save). Safe to run again: a declaration
    equal to the published one is left as it is."""
    result = {"published": 0, "unchanged": 0, "missing": 0}
    for record in records:
        procedure = Procedure.objects.filter(unit=unit, code=record["procedure_code"]).first()
        if procedure is None:
            result["missing"] += 1
            continue
        fields = {
            "name": record["name"],
            "form_number": record.get("form_number", ""),
            "definition": record["definition"],
            "source_note": record.get("source_note", ""),
            "confidence": record.get("confidence", FormSchema.Confidence.PARTIAL),
        }
        current = FormSchema.objects.filter(
            procedure=procedure, status=FormSchema.Status.PUBLISHED
        ).first()
        if current is not None and all(getattr(current, k) == v for k, v in fields.items()):
            result["unchanged"] += 1
            continue
        create_version(procedure=procedure, actor=actor, publish=True, **fields)
        result["published"] += 1
    return result
