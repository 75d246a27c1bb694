"""State changes of the catalog: importing a file, saving and deleting a procedure.

Every function here writes its audit event in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from motcua.accounts import scoping
from motcua.accounts.models import Role, User
from motcua.core import audit, pagecache
from motcua.core.models import Unit
from motcua.core.text import fold

from .exporting import procedure_record
from .importing import C_CODE, ProcedureData, RowError, RowInput, validate_record
from .models import Component, Fee, Field, FollowUp, Procedure, ProcessStep, ResultValidity

# The cache namespace of the public catalog pages (core.pagecache; docs/decisions/0023).
PUBLIC_PAGES = "catalog"


@dataclass
class ImportReport:
    """What an import did: counts per outcome and the rows it refused, with the reason."""

    source_name: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    created_codes: list[str] = field(default_factory=list)
    updated_codes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Number of rows not imported (a row may have several errors)."""
        return len({e.row for e in self.errors})

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected


def import_catalog(
    *,
    unit: Unit,
    records: Iterable[RowInput],
    actor: User | None,
    source_name: str = "",
    publish: bool = False,
) -> ImportReport:
    """Create or update the unit's procedures from parsed rows; bad rows are reported, not written.

    Each row is all-or-nothing (a savepoint: procedure, fees, components and steps together).
    A procedure with the same unit and code is updated and its fees/components/steps replaced;
    one identical to the file is left untouched, so importing the same file twice is harmless.
    One audit event names the file and the counts; rows are not audited one by one because the
    event plus the file itself say exactly what changed, and a 400-row import would otherwise
    bury the log.
    """
    if actor is not None and not scoping.has_role(actor, Role.ADMINISTRATOR, unit=unit):
        raise PermissionDenied
    report = ImportReport(source_name=source_name)
    seen: dict[str, int] = {}
    fields = {fold(f.name): f for f in Field.objects.all()}
    with transaction.atomic():
        # All of the unit's procedures, locked and with their parts, in four queries: comparing
        # row by row would cost four queries per row on a 1,900-procedure province file.
        existing = {
            p.code: p
            for p in Procedure.objects.select_for_update(of=("self",))
            .filter(unit=unit)
            .select_related("field")
            .prefetch_related("fees", "components", "steps")
        }
        for row in records:
            raw_code = row.record.get("code") if isinstance(row.record, dict) else None
            code = str(raw_code).strip() if raw_code is not None else ""
            if code and code in seen:
                report.errors.append(RowError(row.row, C_CODE, f"trùng mã với dòng {seen[code]}."))
                continue
            if code:
                seen.setdefault(code, row.row)
            data, errors = validate_record(row)
            if data is None:  # rejected: `errors` says why
                report.errors.extend(errors)
                continue
            if publish:
                data.is_published = True
            known = set(fields)
            try:
                with transaction.atomic():
                    outcome = _apply(
                        unit=unit, data=data, fields=fields, existing=existing.get(data.code)
                    )
            except (IntegrityError, ValidationError) as exc:
                for key in set(fields) - known:  # a field created in the rolled-back row
                    del fields[key]
                report.errors.append(RowError(row.row, "", f"không lưu được: {exc}"))
                continue
            if outcome == "created":
                report.created += 1
                report.created_codes.append(data.code)
            elif outcome == "updated":
                report.updated += 1
                report.updated_codes.append(data.code)
            else:
                report.unchanged += 1
        audit.record(
            action="catalog.import",
            object_type="catalog.procedure",
            actor=actor,
            unit=unit,
            changes={
                "source_name": source_name,
                "publish": publish,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": report.rejected,
                "created_codes": report.created_codes,
                "updated_codes": report.updated_codes,
            },
        )
        if report.created or report.updated:
            # Fees, components and steps are replaced with bulk_create, which sends no signal.
            pagecache.bump(PUBLIC_PAGES)
    return report


def _field_for(name: str, fields: dict[str, Field]) -> Field:
    """The field (lĩnh vực) of that name, ignoring case and accents; created when new."""
    key = fold(name)
    if key in fields:
        return fields[key]
    base = slugify(key)[:55] or "linh-vuc"
    code, n = base, 1
    while Field.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    fields[key] = Field.objects.create(code=code, name=name)
    return fields[key]


def _current_data(procedure: Procedure) -> ProcedureData | None:
    data, _errors = validate_record(RowInput(row=0, record=procedure_record(procedure)))
    return data


def _apply(
    *, unit: Unit, data: ProcedureData, fields: dict[str, Field], existing: Procedure | None
) -> str:
    field_obj = _field_for(data.field_name, fields)
    data.field_name = field_obj.name
    if existing is not None:
        if data.is_published is None:
            data.is_published = existing.is_published
        if _current_data(existing) == data:
            return "unchanged"
        procedure = existing
    else:
        procedure = Procedure(unit=unit, code=data.code)
        if data.is_published is None:
            data.is_published = False
    for name, value in data.procedure_fields().items():
        setattr(procedure, name, value)
    procedure.field = field_obj
    procedure.is_published = bool(data.is_published)
    procedure.full_clean(exclude=["unit", "field", "department"], validate_unique=False)
    procedure.save()
    _replace_parts(procedure, data)
    return "updated" if existing is not None else "created"


def _replace_parts(procedure: Procedure, data: ProcedureData) -> None:
    procedure.fees.all().delete()
    procedure.components.all().delete()
    procedure.steps.all().delete()
    Fee.objects.bulk_create(Fee(procedure=procedure, **fee) for fee in data.fees)
    Component.objects.bulk_create(Component(procedure=procedure, **c) for c in data.components)
    ProcessStep.objects.bulk_create(ProcessStep(procedure=procedure, **s) for s in data.steps)


def snapshot(procedure_id: int | None) -> dict:
    """The procedure as an exchange record, read fresh from the database ({} if absent)."""
    if procedure_id is None:
        return {}
    procedure = (
        Procedure.objects.select_related("field")
        .prefetch_related("fees", "components", "steps")
        .filter(pk=procedure_id)
        .first()
    )
    if procedure is None:
        return {}
    record = procedure_record(procedure)
    # the facts the service index counts (not part of the exchange format): audited too
    for name in INDEX_FACTS:
        value = getattr(procedure, name)
        record[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return record


INDEX_FACTS = (
    "announced_on",
    "announcement_ref",
    "announce_by",
    "published_on",
    "publish_by",
    "fees_payable_online",
)


def save_procedure(
    *,
    procedure: Procedure,
    actor: User | None,
    save_parts: Callable[[], None] | None = None,
) -> Procedure:
    """Save an edited procedure (and, via `save_parts`, its fees/components/steps), audited.

    The audit event carries a diff of the exchange record before and after, so an edit of a
    fee shows up as well as an edit of the name.
    """
    with transaction.atomic():
        is_new = procedure.pk is None
        before = snapshot(procedure.pk)
        was_published = (
            not is_new and Procedure.objects.filter(pk=procedure.pk, is_published=True).exists()
        )
        if procedure.is_published and not was_published and procedure.published_on is None:
            # the day it is made public: what the service index's publicity group counts (a
            # procedure published before this was recorded keeps no date: never guessed)
            procedure.published_on = timezone.localdate()
        procedure.save()
        if save_parts is not None:
            save_parts()
        after = snapshot(procedure.pk)
        audit.record(
            action="catalog.procedure.created" if is_new else "catalog.procedure.updated",
            obj=procedure,
            actor=actor,
            unit=procedure.unit_id,
            changes=audit.diff(before, after),
        )
    return procedure


def delete_procedure(*, procedure: Procedure, actor: User | None) -> None:
    """Delete a procedure; the audit event keeps its last full record."""
    with transaction.atomic():
        before = snapshot(procedure.pk)
        pk, unit_id, label = procedure.pk, procedure.unit_id, str(procedure)
        procedure.delete()
        audit.record(
            action="catalog.procedure.deleted",
            object_type="catalog.procedure",
            object_id=pk,
            actor=actor,
            unit=unit_id,
            changes={"before": before, "label": label},
        )


# --- proactive services: what usually comes next, how long a result is valid ---------------


PROACTIVE_DATA = "proactive.json"


def load_proactive(*, data: dict, actor: User | None = None) -> dict[str, int]:
    """Replace the follow-ups and result validities with `data` (the shape of
    catalog/data/proactive.json): national reference data, loaded whole, audited once."""
    follow_ups = [
        FollowUp(
            from_code=r["from"],
            to_code=r["to"],
            reason=r["reason"],
            confidence=r.get("confidence", ""),
            source=r.get("source", ""),
            order=i,
        )
        for i, r in enumerate(data.get("follow_ups", []))
    ]
    validities = [
        ResultValidity(
            code=r["code"],
            days=int(r["days"]),
            result=r["result"],
            basis=r["basis"],
            confidence=r.get("confidence", ""),
            source=r.get("source", ""),
        )
        for r in data.get("validity", [])
    ]
    for v in validities:
        if not 0 < v.days <= 36_600:
            raise ValidationError(
                _("Thời hạn giá trị của %(code)s không hợp lệ.") % {"code": v.code}
            )
    with transaction.atomic():
        FollowUp.objects.all().delete()
        ResultValidity.objects.all().delete()
        FollowUp.objects.bulk_create(follow_ups)
        ResultValidity.objects.bulk_create(validities)
        counts = {"follow_ups": len(follow_ups), "validities": len(validities)}
        audit.record(action="catalog.load_proactive", actor=actor, changes=counts)
    pagecache.bump(PUBLIC_PAGES)
    return counts
