"""Writing the catalog in the exchange format (JSON and XLSX) that `importing` reads back.

Values are written in fixed Vietnamese (not the active UI language) so a file exported by an
English-speaking session imports the same way. See docs/decisions/0003-catalog-exchange-format.md.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal

from django.db.models import QuerySet

from . import importing as fmt
from .models import Procedure


def _counting(fee) -> dict:
    """How the row is counted, only when it is not simply "per dossier": the shared reference
    file's rows keep their shape."""
    if fee.per == "dossier" and fee.tier_from_page is None and fee.cap_per_copy_vnd is None:
        return {}
    return {
        "per": fee.per,
        "tier_from_page": fee.tier_from_page,
        "tier_amount_vnd": fee.tier_amount_vnd,
        "cap_per_copy_vnd": fee.cap_per_copy_vnd,
    }


def _inverse(vocab: dict[str, str]) -> dict[str, str]:
    return {code: label for label, code in vocab.items()}


LEVEL_LABELS = _inverse(fmt.LEVELS)
MODE_LABELS = _inverse(fmt.ONLINE_MODES)
UNIT_LABELS = _inverse(fmt.TIME_UNITS)
KIND_LABELS = _inverse(fmt.FEE_KINDS)
CHANNEL_LABELS = _inverse(fmt.CHANNELS)
PER_LABELS = _inverse(fmt.PER)
FORM_LABELS = _inverse(fmt.COMPONENT_FORMS)
CONFIDENCE_LABELS = _inverse(fmt.CONFIDENCES)
DEPARTMENT_LABELS = _inverse(fmt.DEPARTMENT_KINDS)
STAGE_LABELS = _inverse(fmt.STEP_STAGES)


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def export_queryset(qs: QuerySet[Procedure]) -> QuerySet[Procedure]:
    """Everything a record needs, in three extra queries whatever the number of procedures."""
    return (
        qs.select_related("field", "unit")
        .prefetch_related("fees", "components", "steps")
        .order_by("unit__code", "code")
    )


def procedure_record(p: Procedure) -> dict:
    """One procedure as an exchange record (the shape of procedures-commune.json)."""
    sources, notes = fmt.split_sources(p.sources)
    return {
        "code": p.code,
        "name": p.name,
        "field": p.field.name,
        "level": LEVEL_LABELS.get(p.level, p.level),
        "processing_time": {
            "value": _number(p.processing_days),
            "unit": p.time_unit,
            "note": p.processing_time_note,
        },
        "online_processing_time": {"value": _number(p.online_processing_days)},
        "online_mode": p.online_mode,
        "online_mode_reason": p.online_mode_reason,
        "fees": [
            {
                "kind": KIND_LABELS.get(f.kind, f.kind),
                "amount_vnd": f.amount_vnd,
                "channel": f.channel,
                "condition": f.condition,
                "basis": f.legal_basis,
                "valid_from": f.valid_from.isoformat() if f.valid_from else None,
                "valid_to": f.valid_to.isoformat() if f.valid_to else None,
                "case": f.case,
                **_counting(f),
            }
            for f in p.fees.all()
        ],
        "components": [
            {
                "order": c.order,
                "name": c.name,
                "original_or_copy": c.form,
                "count": c.count,
                "note": c.note,
                "from_state_data": c.from_state_data,
                "from_warehouse": c.from_warehouse,
                "condition": c.condition,
            }
            for c in p.components.all()
        ],
        "result": p.result_type,
        "legal_basis": p.legal_basis_lines,
        "requirements": p.requirements,
        "steps": [
            {
                "order": s.order,
                "name": s.name,
                "department_kind": s.department_kind,
                "days": _number(s.days),
                "stage": s.stage,
            }
            for s in p.steps.all()
        ],
        "sources": sources,
        "confidence": p.confidence,
        "notes": notes,
        "is_published": p.is_published,
        "competent_agency": p.competent_agency,
        "implementing_agency": p.implementing_agency,
    }


def export_json(qs: QuerySet[Procedure]) -> bytes:
    records = [procedure_record(p) for p in export_queryset(qs)]
    return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")


def export_xlsx(qs: QuerySet[Procedure]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    main = wb.active
    main.title = fmt.SHEET_PROCEDURES
    fees = wb.create_sheet(fmt.SHEET_FEES)
    comps = wb.create_sheet(fmt.SHEET_COMPONENTS)
    steps = wb.create_sheet(fmt.SHEET_STEPS)
    for sheet, columns in (
        (main, fmt.PROCEDURE_COLUMNS),
        (fees, fmt.FEE_COLUMNS),
        (comps, fmt.COMPONENT_COLUMNS),
        (steps, fmt.STEP_COLUMNS),
    ):
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"

    def yes_no(value: bool) -> str:
        return "Có" if value else "Không"

    for p in export_queryset(qs):
        sources, notes = fmt.split_sources(p.sources)
        main.append(
            [
                p.code,
                p.name,
                p.field.name,
                LEVEL_LABELS.get(p.level, p.level),
                MODE_LABELS.get(p.online_mode, p.online_mode),
                p.online_mode_reason,
                p.processing_days,
                UNIT_LABELS.get(p.time_unit, p.time_unit),
                p.processing_time_note,
                p.online_processing_days,
                p.result_type,
                "\n".join(p.legal_basis_lines),
                p.requirements,
                p.competent_agency,
                p.implementing_agency,
                CONFIDENCE_LABELS.get(p.confidence, p.confidence),
                "\n".join(sources),
                notes,
                yes_no(p.is_published),
            ]
        )
        for f in p.fees.all():
            fees.append(
                [
                    p.code,
                    KIND_LABELS.get(f.kind, f.kind),
                    f.amount_vnd,
                    CHANNEL_LABELS.get(f.channel, f.channel),
                    f.condition,
                    f.legal_basis,
                    f.valid_from,
                    f.valid_to,
                    f.case,
                    PER_LABELS.get(f.per, f.per),
                    f.tier_from_page,
                    f.tier_amount_vnd,
                    f.cap_per_copy_vnd,
                ]
            )
        for c in p.components.all():
            comps.append(
                [
                    p.code,
                    c.order,
                    c.name,
                    FORM_LABELS.get(c.form, c.form),
                    c.count,
                    c.note,
                    yes_no(c.from_state_data),
                    yes_no(c.from_warehouse),
                    c.condition,
                ]
            )
        for s in p.steps.all():
            steps.append(
                [
                    p.code,
                    s.order,
                    s.name,
                    DEPARTMENT_LABELS.get(s.department_kind, s.department_kind),
                    s.days,
                    STAGE_LABELS.get(s.stage, s.stage),
                ]
            )
    for sheet in (fees,):
        for row in sheet.iter_rows(min_row=2, min_col=7, max_col=8):
            for cell in row:
                cell.number_format = "DD/MM/YYYY"
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet in (main, fees, comps, steps):
        for column_cells in sheet.columns:
            letter = column_cells[0].column_letter
            sheet.column_dimensions[letter].width = 14 if len(column_cells) < 2 else 28
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = wrap
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
