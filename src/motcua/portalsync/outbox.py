"""Into the outbox, in the transaction of the change (the hook on the dossier core).

Registered with `dossiers.services.on_transition(in_transaction=True)`: the dossier core runs it
inside the one transition function (`services.transition`) and inside creation, under the
dossier's row lock, after the event row and before the audit row commit together. So every
creation and status change puts its message here or does not happen at all; no view writes to
the outbox.

What goes out (docs/national-portal-sync.md):
- creation, every change of local status, and an apology with a new appointment date
  (`extend`): one STATUS message with the dossier as it is at that moment;
- when the result is returned (status 10) and a result file is attached: one RESULT message
  for the citizen's data store on the portal, ordered right after the status message.

The message id is derived from the dossier code, the event id and the kind (uuid5), so a hook
that runs twice for the same event writes nothing new, and the portal dedups a resend by it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings

from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, Status
from motcua.dossiers.services import TransitionInfo, on_transition

from .models import PortalMessage

NAMESPACE = uuid.UUID("5b2c7e0a-6d1f-4b8e-9a3c-2f4d6e8a0b1c")
# local status -> the national TrangThaiHoSo (RULES.md section 4): the three internal steps of
# processing are "4 đang xử lý" to the portal; liên thông is "0" (interoperating).
NATIONAL_STATUS = {
    **{s: s for s in range(1, 11)},
    Status.AWAITING_APPROVAL: 4,
    Status.APPROVED: 4,
    Status.TRANSFERRING: 0,
}
# RULES.md section 4: KenhThucHien 1 trực tiếp, 2 trực tuyến, 3 bưu chính (a kiosk is in person)
CHANNEL_CODE = {"counter": 1, "kiosk": 1, "online": 2, "postal": 3}
EXTRA_ACTIONS = frozenset({"extend"})  # no status change, but the portal's appointment moves


def message_id(code: str, event_id: int, kind: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{code}:{event_id}:{kind}"))


def on_time_window() -> dt.timedelta:
    return dt.timedelta(hours=settings.MOTCUA_DVCQG_ON_TIME_HOURS)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _results(dossier: Dossier) -> list[dict]:
    docs = dossier.documents.filter(kind=DossierDocument.Kind.RESULT).exclude(file="")
    return [
        {
            "document_id": doc.pk,
            "file_name": doc.file.name.rsplit("/", 1)[-1],
            "signed": doc.signed,
            "created_at": _iso(doc.created_at),
        }
        for doc in docs.order_by("created_at", "id")
    ]


def snapshot(dossier: Dossier, info: TransitionInfo, at: dt.datetime) -> dict:
    """The dossier as the portal must learn it at this change, in motcua's neutral names."""
    return {
        "dossier_code": dossier.code,
        "procedure_code": dossier.procedure_code,
        "receiving_agency": dossier.receiving_unit.agency_code or dossier.receiving_unit.code,
        "competent_agency": dossier.competent_unit.agency_code or dossier.competent_unit.code,
        "status": NATIONAL_STATUS.get(dossier.status, 0),
        "local_status": dossier.status,
        "action": info.action,
        "changed_at": _iso(at),
        "channel": CHANNEL_CODE.get(dossier.channel, 1),
        "applicant_kind": dossier.applicant_kind,
        "applicant_name": dossier.applicant_name,
        "applicant_id_number": dossier.applicant_id_number,
        "submitted_at": _iso(dossier.submitted_at),
        "received_at": _iso(dossier.received_at),
        "due_at": _iso(dossier.due_at_current or dossier.due_at),
        "due_at_before": _iso(dossier.due_at),
        "finished_at": _iso(dossier.finished_at),
        "returned_at": _iso(dossier.returned_at),
        "vneid_verified": dossier.identity_verified_via == "vneid",
        "paid_online": dossier.paid_online,
        "digitized": dossier.all_components_digitized,
        "reason": info.note[:500] if info.to_status in _REASONED else "",
        "results": _results(dossier)
        if info.to_status in (Status.RESULT_READY, Status.RETURNED)
        else [],
    }


_REASONED = frozenset(
    {Status.REFUSED, Status.STOPPED, Status.WITHDRAWN, Status.AWAITING_SUPPLEMENT}
)


def wanted(info: TransitionInfo) -> bool:
    return (
        info.from_status is None
        or info.from_status != info.to_status
        or info.action in EXTRA_ACTIONS
    )


@on_transition(in_transaction=True)
def enqueue_for_transition(info: TransitionInfo) -> None:
    """The registered hook: in the change's transaction, the messages the portal must get.
    An error here undoes the change (that is the point: the two commit together)."""
    if not wanted(info):
        return
    dossier = Dossier.objects.select_related("receiving_unit", "competent_unit").get(
        pk=info.dossier_id
    )
    at = DossierEvent.objects.values_list("at", flat=True).get(pk=info.event_id)
    payload = snapshot(dossier, info, at)
    rows = [_row(dossier, info, PortalMessage.Kind.STATUS, payload, at)]
    if payload["status"] == Status.RETURNED and payload["results"]:
        store = {
            "dossier_code": dossier.code,
            "procedure_code": dossier.procedure_code,
            "applicant_kind": dossier.applicant_kind,
            "applicant_id_number": dossier.applicant_id_number,
            "applicant_name": dossier.applicant_name,
            "competent_agency": payload["competent_agency"],
            "returned_at": payload["returned_at"],
            "results": payload["results"],
        }
        rows.append(_row(dossier, info, PortalMessage.Kind.RESULT, store, at))
    PortalMessage.objects.bulk_create(rows, ignore_conflicts=True)


def _row(dossier, info, kind, payload, at) -> PortalMessage:
    return PortalMessage(
        message_id=message_id(dossier.code, info.event_id, kind),
        dossier=dossier,
        dossier_code=dossier.code,
        unit_id=dossier.competent_unit_id,
        seq=info.event_id * 2 + (1 if kind == PortalMessage.Kind.RESULT else 0),
        kind=kind,
        national_status=payload.get("status", Status.RETURNED),
        payload=payload,
        changed_at=at,
        on_time_by=at + on_time_window(),
    )
