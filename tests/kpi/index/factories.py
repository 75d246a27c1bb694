"""Rows the service index counts, written as the apps record them (facts, not estimates): a
province and its commune, procedures with their publicity facts, dossiers with their timeliness,
payments, sync messages, results, components and ratings, and petitions."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from motcua.catalog.models import Component, Fee, Field, Procedure
from motcua.core.models import Department, Unit
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierDocument,
    DossierEvent,
    Status,
)
from motcua.feedback.models import Rating
from motcua.payments.models import PaymentAttempt, PaymentRequest
from motcua.petitions.models import Petition
from motcua.portalsync.models import PortalMessage

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_seq = itertools.count(1)


def at(y, m, d, hour=9, minute=0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=VN)


@dataclass
class Place:
    province: Unit
    commune: Unit
    department: Department
    field: Field


def make_place(name: str = "Xã An Hưng") -> Place:
    n = next(_seq)
    province = Unit.objects.create(code=f"96{n:03d}", name=f"Tỉnh {n}", kind="province")
    commune = Unit.objects.create(
        code=f"86{n:04d}",
        agency_code=f"000.{n % 100:02d}.31.H26",
        name=name,
        kind="commune",
        parent=province,
    )
    department = Department.objects.create(
        unit=commune, code=f"vhxh{n}", name="Phòng Văn hóa - Xã hội", kind="culture_society"
    )
    field, _ = Field.objects.get_or_create(code="ho-tich", defaults={"name": "Hộ tịch"})
    return Place(province, commune, department, field)


def make_procedure(
    place: Place,
    code: str,
    *,
    unit: Unit | None = None,
    published: bool = True,
    online: str = "full",
    online_reason: str = "",
    fee: int | None = None,
    fee_rows: bool = True,
    reusable: bool = False,
    state_data: bool = False,
    **facts,
) -> Procedure:
    procedure = Procedure.objects.create(
        unit=unit or place.commune,
        code=code,
        name=f"Thủ tục {code}",
        field=place.field,
        department=place.department if (unit or place.commune) == place.commune else None,
        online_mode=online,
        online_mode_reason=online_reason,
        processing_days=Decimal("5"),
        result_type="Giấy xác nhận",
        legal_basis="Luật Hộ tịch 2014",
        is_published=published,
        **facts,
    )
    if fee_rows:
        Fee.objects.create(procedure=procedure, amount_vnd=fee or 0, legal_basis="TT 85/2019")
    Component.objects.create(procedure=procedure, order=1, name="Tờ khai")
    if reusable:
        Component.objects.create(
            procedure=procedure, order=2, name="Giấy khai sinh", from_warehouse=True
        )
    if state_data:
        Component.objects.create(
            procedure=procedure, order=3, name="Thông tin cư trú", from_state_data=True
        )
    return procedure


def make_dossier(
    place: Place,
    procedure: Procedure,
    *,
    received: dt.datetime | None,
    due: dt.datetime | None = None,
    finished: dt.datetime | None = None,
    timeliness: str = "",
    status: int | None = None,
    channel: str = "counter",
    fee: int = 0,
    officer=None,
    **kw,
) -> Dossier:
    n = next(_seq)
    if status is None:
        status = (
            Status.RETURNED if finished else (Status.PROCESSING if received else Status.SUBMITTED)
        )
    dossier = Dossier.objects.create(
        code=f"{place.commune.agency_code}-261101-{n:04d}",
        receiving_unit=place.commune,
        competent_unit=place.commune,
        procedure=procedure,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        processing_days=Decimal("5"),
        time_unit="working_day",
        rule_version="test",
        channel=channel,
        applicant_name="Nguyễn Văn An",
        applicant_id_number="001090000001",
        status=status,
        submitted_at=received or at(2026, 11, 1),
        received_at=received,
        due_at=due,
        due_at_legal=due,
        due_at_current=due,
        finished_at=finished,
        returned_at=finished if status == Status.RETURNED else None,
        timeliness=timeliness,
        fee_total_vnd=fee,
        **kw,
    )
    if received is not None:
        DossierEvent.objects.create(
            dossier=dossier,
            to_status=Status.RECEIVED,
            action="receive",
            actor=officer,
            at=received,
        )
    return dossier


def request_fee(dossier: Dossier, amount: int, *, paid_by: str = "", paid_at=None):
    n = next(_seq)
    request = PaymentRequest.objects.create(
        dossier=dossier,
        unit=dossier.competent_unit,
        purpose=PaymentRequest.Purpose.FEES,
        reference=f"YC{n:08d}",
        amount_vnd=amount,
        status=PaymentRequest.Status.PAID if paid_by else PaymentRequest.Status.OPEN,
        created_at=dossier.received_at,
    )
    if paid_by:
        PaymentAttempt.objects.create(
            request=request,
            method=paid_by,
            idempotency_key=uuid.uuid4().hex,
            reference=f"TT{n:08d}",
            amount_vnd=amount,
            status=PaymentAttempt.Status.PAID,
            paid_at=paid_at or dossier.received_at,
            created_at=paid_at or dossier.received_at,
        )
    return request


def sync_message(
    dossier: Dossier, *, changed: dt.datetime, state: str, accepted=None, kind="status"
):
    n = next(_seq)
    return PortalMessage.objects.create(
        message_id=str(uuid.uuid4()),
        dossier=dossier,
        dossier_code=dossier.code,
        unit=dossier.competent_unit,
        seq=n,
        kind=kind,
        national_status=4,
        payload={},
        changed_at=changed,
        on_time_by=changed + dt.timedelta(hours=24),
        state=state,
        accepted_at=accepted,
    )


def signed_result(dossier: Dossier):
    dossier.result_signed = True
    dossier.save(update_fields=["result_signed"])
    return DossierDocument.objects.create(
        dossier=dossier,
        kind=DossierDocument.Kind.RESULT,
        file=ContentFile(b"%PDF-1.7 result", name="ket-qua.pdf"),
        created_at=dossier.finished_at or dossier.received_at,
        signed=True,
    )


def digitized_component(dossier: Dossier, *, reused: bool = False, state_data: bool = False):
    DossierComponent.objects.create(
        dossier=dossier,
        name="Tờ khai",
        digitized=not reused,
        reused_from_warehouse=reused,
        from_state_data=state_data,
        file=ContentFile(b"%PDF-1.7 scan", name="to-khai.pdf"),
    )
    dossier.all_components_digitized = True
    dossier.save(update_fields=["all_components_digitized"])


def paper_component(dossier: Dossier):
    DossierComponent.objects.create(dossier=dossier, name="Tờ khai")


def rate(dossier: Dossier, level: str):
    return Rating.objects.create(
        unit=dossier.competent_unit,
        dossier=dossier,
        dossier_code=dossier.code,
        level=level,
        reason="long_wait" if level == "not_satisfied" else "",
        channel="phone",
        created_at=dossier.finished_at or dossier.received_at,
        procedure=dossier.procedure,
    )


def make_petition(
    place: Place, *, received: dt.datetime, due: dt.datetime, answered=None, rating="", **kw
) -> Petition:
    n = next(_seq)
    return Petition.objects.create(
        unit=place.commune,
        code=f"PA-{n:04d}-TEST",
        subject=f"Phản ánh {n}",
        content="Đèn đường hỏng",
        status=Petition.Status.ANSWERED if answered else Petition.Status.RECEIVED,
        received_at=received,
        days=Decimal("10"),
        due_at=due,
        answered_at=answered,
        rating=rating,
        rated_at=answered if rating else None,
        **kw,
    )


# --- real fixes: what the officers do, written as the apps record it ------------------------


def fix_on_time(dossier: Dossier) -> None:
    """Finished early or on time; or, still open, not overdue."""
    if dossier.finished_at is not None:
        dossier.timeliness = "on_time"
        dossier.save(update_fields=["timeliness"])
    else:
        dossier.due_at_legal = dossier.due_at = at(2027, 12, 31, 17)
        dossier.save(update_fields=["due_at_legal", "due_at"])


def fix_paid_online(dossier: Dossier, when: dt.datetime) -> None:
    attempts = PaymentAttempt.objects.filter(request__dossier=dossier, status="paid")
    if attempts.exists():
        attempts.update(method="vietqr")
        return
    request = PaymentRequest.objects.filter(dossier=dossier).first()
    if request is None:
        request_fee(dossier, dossier.fee_total_vnd or 10000, paid_by="vietqr", paid_at=when)
        return
    n = next(_seq)
    PaymentAttempt.objects.create(
        request=request,
        method="vietqr",
        idempotency_key=uuid.uuid4().hex,
        reference=f"TT{n:08d}",
        amount_vnd=request.amount_vnd,
        status=PaymentAttempt.Status.PAID,
        paid_at=when,
        created_at=when,
    )


def fix_synced(dossier: Dossier) -> None:
    messages = PortalMessage.objects.filter(dossier=dossier, kind="status")
    if not messages.exists():
        sync_message(
            dossier,
            changed=dossier.received_at,
            state="sent",
            accepted=dossier.received_at + dt.timedelta(hours=1),
        )
        return
    for message in messages:
        message.state = "sent"
        message.accepted_at = message.changed_at + dt.timedelta(hours=1)
        message.save(update_fields=["state", "accepted_at"])


def fix_rating(dossier: Dossier) -> None:
    Rating.objects.filter(dossier=dossier, level="not_satisfied").delete()


def fix_shared(dossier: Dossier) -> None:
    if not dossier.result_signed:
        signed_result(dossier)
    sync_message(
        dossier,
        changed=dossier.finished_at,
        state="sent",
        accepted=dossier.finished_at + dt.timedelta(hours=1),
        kind="result",
    )


def fix_components(dossier: Dossier) -> None:
    """Every paper scanned (and, the result being out, signed): filed to the citizen."""
    for component in DossierComponent.objects.filter(dossier=dossier):
        component.digitized = True
        component.file = ContentFile(b"%PDF-1.7 scan", name="scan.pdf")
        component.save()
    if not DossierComponent.objects.filter(dossier=dossier).exists():
        digitized_component(dossier)
    dossier.all_components_digitized = True
    dossier.save(update_fields=["all_components_digitized"])
    if dossier.status in (Status.RESULT_READY, Status.RETURNED) and not dossier.result_signed:
        signed_result(dossier)
