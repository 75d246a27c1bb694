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

Besides the row, a status message carries the step history, the fees and obligations (paid or
not, how), the supplement requests, the papers with their reuse flags and the state databases
consulted (`facts`: each list one query, whatever its length), cut at the change's moment:
the backfill (`services.backfill`) builds the same messages for changes made before the sync.

The message id is derived from the dossier code, the event id and the kind (uuid5), so a hook
that runs twice for the same event writes nothing new, and the portal dedups a resend by it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier, DossierDocument, IdentityVia, Status
from motcua.dossiers.services import TransitionInfo, on_transition
from motcua.dossiers.workflow import ACTION_LABELS

from . import selectors
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


def _by(value: dt.datetime | None, moment: dt.datetime | None) -> dt.datetime | None:
    """`value` if it had happened by `moment` (a backfilled message tells an earlier change:
    what came after it is not sent with it); `moment` None: the latest change, everything."""
    if value is None or moment is None:
        return value
    return value if value <= moment else None


def _results_of(dossier_ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    docs = DossierDocument.objects.filter(
        dossier_id__in=dossier_ids, kind=DossierDocument.Kind.RESULT
    ).exclude(file="")
    for doc in docs.order_by("dossier_id", "created_at", "id"):
        found.setdefault(doc.dossier_id, []).append(
            {
                "document_id": doc.pk,
                "file_name": doc.file.name.rsplit("/", 1)[-1],
                "signed": doc.signed,
                "created_at": doc.created_at,
            }
        )
    return found


@dataclass
class Facts:
    """What a dossier's messages carry besides its row, read once (`facts`) for one dossier
    (the hook) or a batch (the backfill); each message takes what had happened by its change."""

    history: list[selectors.Step] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)
    supplements: list[dict] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)


def facts(dossiers: list[Dossier], *, with_results: bool = True) -> dict[int, Facts]:
    """The facts of `dossiers` (read through `selectors.with_fee_request`) in a fixed number of
    queries: the history and the attachments always (one each); the supplement requests only
    for dossiers whose history has a request (every one is made by that transition), the
    obligations' payment requests only for dossiers whose history asked for one, the result
    files when `with_results` (one query each, when asked)."""
    ids = [d.pk for d in dossiers]
    history = selectors.histories(ids)
    attached = selectors.attachments(ids)
    asked_supplement = [
        pk for pk in ids if any(s.action == "request_supplement" for s in history.get(pk, []))
    ]
    owing = [
        pk
        for pk in ids
        if any(s.action == "request_financial_obligation" for s in history.get(pk, []))
    ]
    supplements = selectors.supplements(asked_supplement) if asked_supplement else {}
    obligations = selectors.obligations(owing) if owing else {}
    results = _results_of(ids) if with_results else {}
    return {
        d.pk: Facts(
            history=history.get(d.pk, []),
            attachments=attached.get(d.pk, []),
            supplements=supplements.get(d.pk, []),
            payments=[
                *filter(None, [selectors.fee_request_of(d)]),
                *obligations.get(d.pk, []),
            ],
            results=results.get(d.pk, []),
        )
        for d in dossiers
    }


def _history(steps: list[selectors.Step]) -> list[dict]:
    with translation.override("vi"):
        return [
            {
                "event_id": s.event_id,
                "action": s.action,
                "action_label": str(ACTION_LABELS.get(s.action, s.action)),
                "note": s.note[:500],
                "status": NATIONAL_STATUS.get(s.to_status, 0),
                "at": _iso(s.at),
                "actor": s.actor_name,
                "step": s.step_name or "",
                "unit": s.step_unit or "",
                "department": s.step_department or "",
                "step_started_at": _iso(s.step_started_at),
                "step_due_at": _iso(s.step_due_at),
            }
            for s in steps
        ]


def _fee_label(kind) -> str:
    with translation.override("vi"):
        return str(_("Phí") if kind == "phi" else _("Lệ phí"))


def _fees(
    dossier: Dossier, steps: list[selectors.Step], paying: list[dict], moment: dt.datetime | None
) -> list:
    """The fee lines frozen at reception, then each financial obligation asked, with whether
    it is paid by `moment` and, paid online, by which method."""
    requests = [p for p in paying if _by(p["created_at"], moment)]
    fee_request = next((p for p in reversed(requests) if p["purpose"] == "fees"), None)
    fees_paid = bool(
        fee_request and fee_request["status"] == "paid" and _by(fee_request["paid_at"], moment)
    )
    fees_method = ((fee_request or {}).get("online_method") or "") if fees_paid else ""
    lines: list[dict] = [
        {
            "kind": str(line.get("kind") or ""),
            "name": str(line.get("condition") or "") or _fee_label(line.get("kind")),
            "amount_vnd": line.get("amount_vnd"),
            "legal_basis": str(line.get("legal_basis") or "")[:400],
            "paid": fees_paid,
            "online_method": fees_method,
        }
        for line in dossier.fees or []
    ]
    asked = [s for s in steps if s.action == "request_financial_obligation"]
    obligations = [p for p in requests if p["purpose"] == "obligation"]
    for index, ask in enumerate(asked):
        until = asked[index + 1].event_id if index + 1 < len(asked) else None
        confirmed = next(
            (
                s
                for s in steps
                if s.action == "confirm_payment"
                and s.event_id > ask.event_id
                and (until is None or s.event_id < until)
            ),
            None,
        )
        request = next(
            (
                p
                for p in obligations
                if p["created_at"] >= ask.at
                and (index + 1 == len(asked) or p["created_at"] < asked[index + 1].at)
            ),
            None,
        )
        method = ""
        if confirmed is not None and request and _by(request["paid_at"], moment):
            method = request["online_method"] or ""
        lines.append(
            {
                "kind": "obligation",
                "name": ask.note[:300] or _("Nghĩa vụ tài chính"),
                "amount_vnd": int(ask.data.get("amount_vnd") or 0),
                "legal_basis": "",
                "paid": confirmed is not None,
                "online_method": method,
            }
        )
    return lines


def _supplements(found: list[dict], moment: dt.datetime | None) -> list[dict]:
    return [
        {
            "supplement_id": s["supplement_id"],
            "requested_at": _iso(s["requested_at"]),
            "requested_by": s["requested_by"],
            "items": s["items"],
            "reason": s["reason"],
            "due_at_before": _iso(s["due_at_before"]),
            "due_at_after": _iso(_by(s["answered_at"], moment) and s["due_at_after"]),
            "answered_at": _iso(_by(s["answered_at"], moment)),
        }
        for s in found
        if _by(s["requested_at"], moment)
    ]


def databases(dossier: Dossier) -> list[str]:
    """The state databases consulted for this dossier that it records: the national population
    database, when the applicant's identity was confirmed by a lookup in it at reception."""
    return ["population"] if dossier.identity_verified_via == IdentityVia.POPULATION_DB else []


def snapshot(dossier: Dossier, info: TransitionInfo, at: dt.datetime, found: Facts) -> dict:
    with translation.override("vi"):
        return _snapshot(dossier, info, at, found)


def _snapshot(dossier: Dossier, info: TransitionInfo, at: dt.datetime, found: Facts) -> dict:
    """The dossier as the portal must learn it at this change, in motcua's neutral names:
    what had happened by the change's moment `at` (the hook: everything; the backfill: an
    earlier change of a dossier that has moved on since)."""
    steps = [s for s in found.history if s.event_id <= info.event_id]
    # the latest change (the hook) tells the dossier as it is; an earlier one (the backfill)
    # what had happened by its moment
    moment = None if steps and steps[-1] is found.history[-1] else at
    received = _by(dossier.received_at, moment)
    ready = info.to_status in (Status.RESULT_READY, Status.RETURNED)
    return {
        "dossier_code": dossier.code,
        "procedure_code": dossier.procedure_code,
        "receiving_agency": dossier.receiving_unit.agency_code or dossier.receiving_unit.code,
        "competent_agency": dossier.competent_unit.agency_code or dossier.competent_unit.code,
        "status": NATIONAL_STATUS.get(info.to_status, 0),
        "local_status": info.to_status,
        "action": info.action,
        "changed_at": _iso(at),
        "channel": CHANNEL_CODE.get(dossier.channel, 1),
        "applicant_kind": dossier.applicant_kind,
        "applicant_name": dossier.applicant_name,
        "applicant_id_number": dossier.applicant_id_number,
        "submitted_at": _iso(dossier.submitted_at),
        "received_at": _iso(received),
        "due_at": _iso(received and (dossier.due_at_current or dossier.due_at)),
        "due_at_before": _iso(received and dossier.due_at),
        "finished_at": _iso(_by(dossier.finished_at, moment)),
        "returned_at": _iso(_by(dossier.returned_at, moment)),
        "vneid_verified": dossier.identity_verified_via == "vneid",
        "paid_online": dossier.paid_online,
        "digitized": dossier.all_components_digitized,
        "reason": info.note[:500] if info.to_status in _REASONED else "",
        "results": [
            {**r, "created_at": _iso(r["created_at"])}
            for r in found.results
            if ready and _by(r["created_at"], moment)
        ],
        "history": _history(steps),
        "fees": _fees(dossier, steps, found.payments, moment),
        "supplements": _supplements(found.supplements, moment),
        "attachments": found.attachments,
        "databases": databases(dossier),
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
    dossier = selectors.with_fee_request(
        Dossier.objects.select_related("receiving_unit", "competent_unit")
    ).get(pk=info.dossier_id)
    ready = info.to_status in (Status.RESULT_READY, Status.RETURNED)
    found = facts([dossier], with_results=ready)[dossier.pk]
    at = next(s.at for s in found.history if s.event_id == info.event_id)
    PortalMessage.objects.bulk_create(messages_for(dossier, info, at, found), ignore_conflicts=True)


def messages_for(dossier: Dossier, info: TransitionInfo, at, found: Facts) -> list[PortalMessage]:
    """The rows of one change: its STATUS message, and the RESULT message after a return."""
    payload = snapshot(dossier, info, at, found)
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
    return rows


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
