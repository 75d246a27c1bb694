"""Build the papers' plain dataclasses from dossier rows (the one adapter papers/ asked for).

The renderers never read the database; this module is the only place that knows how a
`Dossier`, its events, steps, supplements and extensions become Mẫu 01-07. Each builder
returns None when the paper does not apply to the dossier (no supplement asked, not refused,
...), so a view can answer 404 instead of printing an empty form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from motcua.catalog.models import Component
from motcua.core.models import Unit
from motcua.dossiers.models import (
    ApplicantKind,
    CollectedBy,
    Delivery,
    Dossier,
    DossierEvent,
    Status,
)

from . import data
from .render import local, processing_time_text

_KIND_PREFIXES = ("Thành phố ", "Tỉnh ", "Đặc khu ", "Phường ", "Xã ", "Thị trấn ")
FORM_LABELS = {value: str(label) for value, label in Component.Form.choices}
# The reception event's note, for the timeline; the choice itself is `Dossier.result_delivery`
DELIVERY_NOTE = {
    Delivery.COUNTER.value: "Nhận kết quả tại quầy",
    Delivery.POST.value: "Nhận kết quả qua bưu chính công ích",
}
STOP_LEGAL_BASIS = "Nghị định số 118/2025/NĐ-CP ngày 09/6/2025 của Chính phủ"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def locality(unit: Unit) -> str:
    """ "Xã An Hưng" -> "An Hưng": the place name of the date line."""
    for prefix in _KIND_PREFIXES:
        if unit.name.startswith(prefix):
            return unit.name[len(prefix) :]
    return unit.name


def agency(unit: Unit) -> data.Agency:
    """The commune's service centre under its People's Committee (ND 309: TTPVHCC cấp xã)."""
    name = _lower_first(unit.name)
    centre = f"Trung tâm Phục vụ hành chính công {name}"
    return data.Agency(
        name=centre,
        parent_name=f"Ủy ban nhân dân {name}",
        address=unit.address,
        phone=unit.phone,
        locality=locality(unit),
    )


def applicant(dossier: Dossier) -> data.Applicant:
    return data.Applicant(
        name=dossier.applicant_name,
        address=dossier.applicant_address,
        phone=dossier.applicant_phone,
        email=dossier.applicant_email,
        salutation="Ông/Bà" if dossier.applicant_kind == ApplicantKind.CITIZEN else "Tổ chức",
    )


def _person(user) -> str:
    if user is None:
        return ""
    return getattr(user, "full_name", "") or getattr(user, "username", "")


def _event(dossier: Dossier, *actions: str) -> DossierEvent | None:
    return (
        dossier.events.filter(action__in=actions).select_related("actor").order_by("-at", "-id")
    ).first()


def entry_no(dossier: Dossier) -> str:
    """The daily sequence at the end of the code: the line in the reception book."""
    return dossier.code.rsplit("-", 1)[-1]


def receipt(dossier: Dossier, *, lookup_url: str) -> data.ReceiptData | None:
    """Mẫu 01, once the dossier is received (its clock started)."""
    if dossier.received_at is None or dossier.due_at is None:
        return None
    received = _event(dossier, "receive", "accept")
    components = tuple(
        data.ComponentLine(c.name, FORM_LABELS.get(c.form, c.form), c.count)
        for c in dossier.components.all()
        if not c.from_state_data
    )
    place = agency(dossier.receiving_unit).name
    if dossier.result_delivery == Delivery.POST:
        place = "Qua dịch vụ bưu chính công ích, tại địa chỉ của người nộp"
    return data.ReceiptData(
        agency=agency(dossier.receiving_unit),
        dossier_code=dossier.code,
        applicant=applicant(dossier),
        procedure_name=dossier.procedure_name,
        components=components,
        sets_count=1,
        processing_time_text=processing_time_text(
            dossier.processing_days, working_days=dossier.time_unit == "working_day"
        ),
        received_at=dossier.received_at,
        appointment_at=dossier.due_at,
        result_place=place,
        register_book_no=f"{local(dossier.received_at).year}",
        register_entry_no=entry_no(dossier),
        receiver_name=_person(received.actor if received else None),
        lookup_url=lookup_url,
    )


def supplement_request(dossier: Dossier) -> data.SupplementRequestData | None:
    """Mẫu 02 for the latest supplement request, or None if none was asked."""
    requests = list(dossier.supplements.select_related("requested_by").order_by("requested_at"))
    if not requests:
        return None
    request = requests[-1]
    unit = dossier.receiving_unit
    return data.SupplementRequestData(
        agency=agency(unit),
        paper_no=f"{entry_no(dossier)}.{len(requests)}/PYCBS",
        issued_at=request.requested_at,
        dossier_code=dossier.code,
        applicant=applicant(dossier),
        procedure_name=dossier.procedure_name,
        items=tuple(request.items),
        reason=request.reason,
        officer_name=_person(request.requested_by),
        officer_contact=f"điện thoại {unit.phone}" if unit.phone else "",
        received_at=dossier.received_at or dossier.submitted_at,
    )


def refusal(
    dossier: Dossier, *, reason: str = "", signer=None, issued_at: dt.datetime | None = None
) -> data.RefusalData | None:
    """Mẫu 03: built before the refusal (reason given) or after it (from the event)."""
    if not reason:
        event = _event(dossier, "refuse")
        if event is None:
            return None
        reason, signer, issued_at = event.note, signer or event.actor, event.at
    return data.RefusalData(
        agency=agency(dossier.receiving_unit),
        paper_no=f"{entry_no(dossier)}/PTC",
        issued_at=issued_at or dossier.last_activity_at or dossier.submitted_at,
        applicant=applicant(dossier),
        procedure_name=dossier.procedure_name,
        reason=reason,
        signer_name=_person(signer),
        signer_title="Người tiếp nhận hồ sơ",
        dossier_code=dossier.code,
    )


def apology(dossier: Dossier) -> data.ApologyData | None:
    """Mẫu 04 for the latest extension, or None if the dossier was never extended."""
    extension = (
        dossier.extensions.select_related("approved_by", "created_by")
        .order_by("-created_at")
        .first()
    )
    if extension is None or dossier.received_at is None:
        return None
    signer = extension.approved_by or extension.created_by
    return data.ApologyData(
        agency=agency(dossier.competent_unit),
        paper_no=f"{entry_no(dossier)}/XL",
        issued_at=extension.sent_at,
        applicant=applicant(dossier),
        dossier_code=dossier.code,
        procedure_name=dossier.procedure_name,
        received_at=dossier.received_at,
        original_due_at=extension.old_due_at,
        reason=extension.reason,
        new_due_at=extension.new_due_at,
        signer_name=_person(signer),
        signer_title="Lãnh đạo" if extension.approved_by_id else "Người lập",
    )


def stop_notice(
    dossier: Dossier, *, reason: str = "", signer=None, issued_at: dt.datetime | None = None
) -> data.StopNoticeData | None:
    """Mẫu 05: before the stop (reason given) or after it (from the event)."""
    if not reason:
        if dossier.status != Status.STOPPED:
            return None
        event = _event(dossier, "stop")
        if event is None:
            return None
        reason, signer, issued_at = event.note, signer or event.actor, event.at
    return data.StopNoticeData(
        agency=agency(dossier.competent_unit),
        paper_no=f"{entry_no(dossier)}/TB-DGQ",
        issued_at=issued_at or dossier.last_activity_at or dossier.submitted_at,
        applicant=applicant(dossier),
        dossier_code=dossier.code,
        procedure_name=dossier.procedure_name,
        received_at=dossier.received_at or dossier.submitted_at,
        reason=reason,
        signer_name=_person(signer),
        signer_title="Thủ trưởng cơ quan",
        legal_basis=STOP_LEGAL_BASIS,
    )


def control_sheet(dossier: Dossier) -> data.ControlSheetData | None:
    """Mẫu 06: one row per started step: who handed it over, who held it (the person who
    did it, else the department while unassigned), when it opened and closed, its own
    deadline and its result. The reception step is handed over by the applicant."""
    if dossier.received_at is None or dossier.due_at is None:
        return None
    giver = dossier.applicant_name
    handovers = []
    steps = dossier.steps.select_related("assignee", "department", "unit").order_by("order")
    for step in steps:
        if step.started_at is None:
            continue
        place = step.department.name if step.department else step.unit.name
        holder = _person(step.assignee) or place
        handovers.append(
            data.Handover(
                step_name=step.name,
                handed_at=step.started_at,
                giver=giver,
                receiver=holder,
                result=data.Timeliness(step.result) if step.result else None,
                note=step.note[:200],
                finished_at=step.finished_at,
                due_at=step.due_at,
            )
        )
        giver = holder
    return data.ControlSheetData(
        agency=agency(dossier.competent_unit),
        dossier_code=dossier.code,
        applicant_name=dossier.applicant_name,
        procedure_name=dossier.procedure_name,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        handovers=tuple(handovers),
    )


def _book_note(d: Dossier) -> str:
    """The status, and who took the result when it was handed over at the counter."""
    note = str(Status(d.status).label)
    if d.collected_by_kind and d.collector_name:
        who = d.collector_name
        if d.collected_by_kind == CollectedBy.AUTHORISED:
            who = _("%(name)s (được ủy quyền)") % {"name": who}
        note = _("%(status)s; người nhận: %(who)s") % {"status": note, "who": who}
    return note


def tracking_book(
    unit: Unit, dossiers: Iterable[Dossier], *, start: dt.date, end: dt.date
) -> data.TrackingBookData:
    """Mẫu 07 for received dossiers (those without an appointment are not in the book)."""
    rows = []
    for d in dossiers:
        if d.received_at is None or d.due_at is None:
            continue
        rows.append(
            data.TrackingBookRow(
                dossier_code=d.code,
                procedure_name=d.procedure_name,
                applicant_name=d.applicant_name,
                received_at=d.received_at,
                appointment_at=d.due_at,
                address=d.applicant_address,
                phone=d.applicant_phone,
                returned_at=d.returned_at,
                note=_book_note(d),
            )
        )
    return data.TrackingBookData(
        agency=agency(unit),
        period_start=start,
        period_end=end,
        rows=tuple(rows),
        book_no=f"{start.year}",
    )
