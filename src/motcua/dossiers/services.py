"""Every state change of a dossier: reception, then verbs built on one `transition` function.

`transition` runs the shared state machine `workflow.DOSSIERS` (core.statemachine): it locks the
row, checks the version, the action against `workflow.TRANSITIONS` and who may run it, lets the
verb apply its change, checks the invariants, writes one `DossierEvent` and one audit event in
the same transaction, and runs the `on_transition` hooks (in the transaction, or after commit).
Every verb takes the acting user first and keyword-only arguments; `at` (default now) lets the
demo history and tests act at a chosen moment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import Role, User
from motcua.accounts.scoping import has_role
from motcua.catalog import cases
from motcua.catalog.models import Procedure, ProcessStep, StepStage
from motcua.core import audit, calendar
from motcua.core.calendar import LOCAL_TZ
from motcua.core.files import StoredFileMissing, read_stored
from motcua.core.models import Department, Unit
from motcua.core.statemachine import Outcome, actor_or_none
from motcua.documents.pdfs import PdfRefused, check_pdf
from motcua.documents.uploads import Upload, UploadRefused, paper_pdf
from motcua.registry import services as registry

from . import deadlines, defects, workflow
from .codes import next_dossier_code
from .models import (
    COMPONENT_DIGITIZED,
    LETTER_FOR,
    ApplicantKind,
    Channel,
    CollectedBy,
    Delivery,
    Dossier,
    DossierComponent,
    DossierDocument,
    DossierStep,
    Extension,
    IdentityVia,
    NotifyBy,
    OnlineFiling,
    Scan,
    Status,
    SupplementRequest,
    Violation,
    validate_applicant_id,
)
from .workflow import IllegalTransition, InvariantBroken

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise  # a lazy string (django-stubs' name)

logger = logging.getLogger(__name__)


# What a stale or double-submitted form is told (translated at call time).
stale_form_message = workflow.stale_form_message


STAFF_ROLES = (Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER, Role.MANAGER)
COUNTER_ROLES = (Role.COUNTER_OFFICER, Role.MANAGER)
# actions whose verb must apply changes (dates, steps, records) besides the status
_NEEDS_VERB = frozenset(
    {
        "accept",
        "submit_for_approval",
        "send_back",
        "approve",
        "assign_step",
        "finish_step",
        "request_supplement",
        "resubmit_supplement",
        "confirm_payment",
        "mark_result_ready",
        "return_result",
        "extend",
        "transfer",
        "acknowledge_transfer",
    }
)
_AUDITED_FIELDS = (
    "status",
    "competent_unit_id",
    "received_at",
    "due_at",
    "due_at_legal",
    "due_at_current",
    "finished_at",
    "returned_at",
    "timeliness",
    "result_delivery",
    "paid_online",
)


# --- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    """Người nộp hồ sơ: a person (12-digit citizen ID) or an organisation (tax code)."""

    name: str
    id_number: str
    kind: int = ApplicantKind.CITIZEN
    phone: str = ""
    email: str = ""
    address: str = ""
    notify_by: str = ""  # NotifyBy: how they want each status change told ("" every contact)


@dataclass(frozen=True)
class ComponentIn:
    """One paper handed in. `upload`: the paper scanned or uploaded now (a PDF, or photos in
    page order), which goes through the scan pipeline like the dossier page's "Tải bản quét"
    (judged by content, a `Scan`, duplicates refused, OCR in the worker: decisions/0037);
    `file`: a file the system made or took from the citizen's documents (a signed declaration,
    a reused result), kept as it is, never OCR'd over (a signature would not survive)."""

    name: str
    form: str = ""
    count: int = 1
    file: File | None = None
    upload: tuple[File, ...] = ()
    reused_from_warehouse: bool = False
    from_state_data: bool = False
    # a signed result already issued to this applicant, taken from their documents instead of
    # the paper (the counter's warning, decisions/0034): its file is copied onto the component
    reuse_result: int | None = None


@dataclass(frozen=True)
class FilingFacts:
    """What the citizens' online form measured, kept per dossier (`OnlineFiling`): the plans
    count the time from sign-in to submission and the fields the citizen had to type."""

    citizen: User | None = None  # the signed-in citizen
    signed_in_at: dt.datetime | None = None
    typed_fields: int | None = None
    prefilled_fields: int | None = None
    reused_documents: int = 0
    form_schema_id: int | None = None
    assisted_by: User | None = None  # the officer or digital-tech team member who helped
    confirmed_by: str = ""  # OnlineFiling.Confirmed: how the helped citizen confirmed


ASSISTING_ROLES = (Role.COUNTER_OFFICER, Role.DIGITAL_TEAM)


def _check_filing(filing: FilingFacts, *, unit: Unit, at: dt.datetime) -> None:
    for name in ("typed_fields", "prefilled_fields", "reused_documents"):
        value = getattr(filing, name)
        if value is not None and not 0 <= value <= 10_000:
            raise ValidationError({name: _("Số liệu nộp trực tuyến không hợp lệ.")})
    if filing.signed_in_at is not None and filing.signed_in_at > at:
        raise ValidationError({"signed_in_at": _("Thời điểm đăng nhập sau thời điểm nộp.")})
    if filing.assisted_by is not None:
        if not has_role(filing.assisted_by, *ASSISTING_ROLES, unit=unit):
            raise PermissionDenied(
                _("Chỉ cán bộ một cửa hoặc tổ công nghệ số của đơn vị được hỗ trợ nộp hồ sơ.")
            )
        if filing.confirmed_by not in OnlineFiling.Confirmed.values:
            raise ValidationError(
                {"confirmed_by": _("Công dân phải xác nhận bằng VNeID hoặc CSDL dân cư.")}
            )


def _record_filing(dossier: Dossier, filing: FilingFacts, at: dt.datetime) -> dict:
    seconds = None
    if filing.signed_in_at is not None:
        seconds = round((at - filing.signed_in_at).total_seconds())
    OnlineFiling.objects.create(
        dossier=dossier,
        citizen=filing.citizen,
        signed_in_at=filing.signed_in_at,
        seconds_to_submit=seconds,
        typed_fields=filing.typed_fields,
        prefilled_fields=filing.prefilled_fields,
        reused_documents=filing.reused_documents,
        form_schema_id=filing.form_schema_id,
        assisted_by=filing.assisted_by,
        confirmed_by=filing.confirmed_by,
    )
    facts: dict = {"seconds_to_submit": seconds, "typed_fields": filing.typed_fields}
    if filing.assisted_by is not None:
        facts["assisted_by"] = filing.assisted_by.pk
    return facts


# --- hooks (notifications come later; they subscribe here) ------------------------------------


@dataclass(frozen=True)
class TransitionInfo:
    dossier_id: int
    action: str
    from_status: int | None
    to_status: int
    event_id: int
    data: dict = field(default_factory=dict)
    actor: Any = None  # the user who acted (None: the applicant, a public form, a job)
    note: str = ""  # the event's note (a refusal's or a stop's reason)


_HOOKS: list[Callable[[TransitionInfo], None]] = []
_IN_TRANSACTION_HOOKS: list[Callable[[TransitionInfo], None]] = []


def on_transition(hook=None, *, in_transaction: bool = False):
    """Register `hook` for every transition (decorator, bare or with arguments).

    By default it runs after the commit. `in_transaction=True` runs it inside the transition's
    transaction, for hooks that only write rows which must commit with the change or not at
    all (the notification outbox: a crash between the commit and the hook would lose the SMS).
    Such a hook must not call outside systems; an error in it undoes the transition.
    """

    def register(fn):
        hooks = _IN_TRANSACTION_HOOKS if in_transaction else _HOOKS
        if fn not in hooks:
            hooks.append(fn)
        return fn

    return register(hook) if hook is not None else register


def _run_hooks(info: TransitionInfo) -> None:
    for hook in list(_HOOKS):  # noqa: PERF101  a snapshot: the list may change while hooks run
        try:
            hook(info)
        except Exception:  # a failing notifier must not undo or hide a committed change
            logger.exception("dossier transition hook %r failed", hook)


def _info(outcome: Outcome) -> TransitionInfo:
    event = outcome.event
    return TransitionInfo(
        dossier_id=outcome.obj.pk,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        event_id=event.pk,
        data=event.data,
        actor=actor_or_none(outcome.actor),
        note=event.note,
    )


def _in_transaction_hooks(outcome: Outcome) -> None:
    """`workflow.DOSSIERS`' in-transaction step: the `on_transition(in_transaction=True)` hooks."""
    info = _info(outcome)
    for hook in _IN_TRANSACTION_HOOKS:
        hook(info)


def _after_commit_hooks(outcome: Outcome) -> None:
    """`workflow.DOSSIERS`' after-commit step: the `on_transition` hooks, each failure logged."""
    _run_hooks(_info(outcome))


# --- helpers -----------------------------------------------------------------------------------


def _now(at: dt.datetime | None) -> dt.datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("naive datetime: pass an aware datetime")
    return at


def _require_role(actor, roles: Iterable[str], units: Iterable[int | None]) -> None:
    units = [u for u in units if u is not None]
    if actor is None or not any(has_role(actor, *roles, unit=u) for u in units):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."))


def _snapshot(dossier: Dossier) -> dict:
    return {name: getattr(dossier, name) for name in _AUDITED_FIELDS}


def _has_document(dossier: Dossier, kind: str) -> bool:
    return dossier.documents.filter(kind=kind).exclude(file="").exists()


def _check_invariants(dossier: Dossier, move: workflow.Move) -> None:
    """Rules that hold whatever the path: checked after the verb applied its change."""
    to = move.to_status
    if to in (Status.RESULT_READY, Status.RETURNED):
        # with the result at the one-stop only its return step may still be open
        open_steps = dossier.steps.filter(finished_at__isnull=True)
        if to == Status.RESULT_READY:
            open_steps = open_steps.exclude(stage=StepStage.RETURN)
        open_names = list(open_steps.values_list("name", flat=True))
        if open_names:
            raise InvariantBroken(
                _("Hồ sơ còn bước xử lý chưa hoàn thành (%(steps)s): chưa thể kết thúc.")
                % {"steps": ", ".join(open_names)},
                action=move.action,
                status=move.from_status,
            )
        if not _has_document(dossier, DossierDocument.Kind.RESULT):
            raise InvariantBroken(
                _("Chưa đính kèm văn bản kết quả giải quyết."),
                action=move.action,
                status=move.from_status,
            )
    letter = LETTER_FOR.get(to)
    if letter and not _has_document(dossier, letter):
        raise InvariantBroken(
            _("Cần đính kèm “%(letter)s” trước khi thực hiện thao tác này.")
            % {"letter": DossierDocument.Kind(letter).label},
            action=move.action,
            status=move.from_status,
        )


def transition(
    dossier_id: int,
    *,
    action: str,
    actor,
    note: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
    apply: Callable[[Dossier, workflow.Move, dt.datetime], dict | None] | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Run one action on one dossier: the only path by which a dossier's status changes.

    It runs through `workflow.DOSSIERS.run` (core.statemachine): under the row lock, the
    version, the table, then who may run it (`workflow.PERMITS[action]`, the machine's
    `permit` step, whatever screen or API called: a move the status forbids is a 409 for
    anyone), the verb (`apply`), the invariants, the event, the audit row, the hooks.
    Raises PermissionDenied (with the Vietnamese reason; views answer
    403), IllegalTransition (views answer 409), InvariantBroken (a subclass), or
    ValidationError for bad input of the verb. `expected_version` (the version the user's
    screen showed) turns a double-submitted or stale form into an IllegalTransition instead
    of a second change.
    """
    at = _now(at)

    def permit(dossier: Dossier, move: workflow.Move) -> None:
        workflow.require(actor, action, dossier)
        if apply is None and action in _NEEDS_VERB:
            # a programming error, not a user's: the verb sets dates, steps and records
            raise TypeError(f"use the services verb for {action!r}, not a bare transition")

    def run_verb(dossier: Dossier, move: workflow.Move, when: dt.datetime) -> dict | None:
        added = apply(dossier, move, when) if apply is not None else None
        _check_invariants(dossier, move)
        dossier.last_activity_at = when
        return added

    dossier = workflow.DOSSIERS.run(
        dossier_id,
        action=action,
        actor=actor,
        at=at,
        permit=permit,
        apply=run_verb,
        expected_version=expected_version,
        data=data,
        note=note,
        changes={"note": note} if note else {},
        audit_fields=_AUDITED_FIELDS,
        in_transaction=(_in_transaction_hooks,),
        after_commit=(_after_commit_hooks,),
    ).obj
    # the steps read for this transition stay behind: a caller reads them afresh
    workflow.forget_steps(dossier)
    return dossier


# --- reception ---------------------------------------------------------------------------------


def fees_in_force(
    procedure: Procedure, *, online: bool, day: dt.date, case: str | None = None
) -> list[dict]:
    """The fees a dossier of `procedure` owes if filed on `day` (local date) on that channel.

    What reception snapshots into `Dossier.fees` (and the demo history uses for the same
    rule): rows valid on `day` for the channel; a channel-specific row replaces the "any" row
    of the same kind (and case), so an online exemption is a row channel=online, amount 0.
    Rows of different cases are alternatives: when the rows in force have cases, `case` must
    name one of them, and only its rows (plus the rows without a case) are owed; they are
    never added up across cases. Plain dicts (kind, amount_vnd, channel, condition, case,
    legal_basis), JSON-ready.
    """
    rows = cases.in_force(procedure.fees.all(), online=online, day=day)
    options = cases.cases_of(rows)
    case = (case or "").strip()
    if options and not case:
        raise ValidationError(
            {
                "fee_case": _(
                    "Thủ tục có các trường hợp thu phí, lệ phí khác nhau (%(cases)s): vui lòng "
                    "chọn trường hợp của hồ sơ này."
                )
                % {"cases": "; ".join(options)}
            }
        )
    if options and case not in options:
        raise ValidationError(
            {
                "fee_case": _("Trường hợp “%(case)s” không có trong phí, lệ phí của thủ tục.")
                % {"case": case}
            }
        )
    return [
        {
            "kind": f.kind,
            "amount_vnd": f.amount_vnd,
            "channel": f.channel,
            "condition": f.condition,
            "case": f.case,
            "legal_basis": f.legal_basis,
        }
        for f in cases.for_case(rows, case)
    ]


def _check_procedure(procedure: Procedure, unit: Unit) -> None:
    """The procedure must be published by the competent unit or a unit above it."""
    chain: set[int] = set()
    current: Unit | None = unit
    hops = 0
    while current is not None and hops < 4:
        chain.add(current.pk)
        current, hops = current.parent, hops + 1
    if not procedure.is_published or procedure.unit_id not in chain:
        raise ValidationError(
            {"procedure": _("Thủ tục này không được công bố áp dụng tại đơn vị giải quyết.")}
        )


def _validate_applicant(applicant: Applicant) -> None:
    errors: dict[str, str | list[str]] = {}
    if not applicant.name.strip():
        errors["applicant_name"] = _("Vui lòng nhập họ tên người nộp hồ sơ.")
    try:
        validate_applicant_id(applicant.kind, applicant.id_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if applicant.notify_by not in NotifyBy.values:
        errors["notify_by"] = _("Cách nhận thông báo không hợp lệ.")
    elif applicant.notify_by == NotifyBy.SMS and not applicant.phone.strip():
        errors["phone"] = _("Cần số điện thoại để nhận thông báo qua tin nhắn SMS.")
    elif applicant.notify_by == NotifyBy.EMAIL and not applicant.email.strip():
        errors["email"] = _("Cần địa chỉ thư điện tử để nhận thông báo qua thư.")
    if errors:
        raise ValidationError(errors)


def _new_dossier(
    *,
    procedure: Procedure,
    receiving_unit: Unit,
    competent_unit: Unit,
    applicant: Applicant,
    channel: str,
    identity_verified_via: str,
    idempotency_key: str,
    result_delivery: str,
    at: dt.datetime,
    case: str = "",
) -> Dossier:
    online = channel == Channel.ONLINE
    days = procedure.days_for(online)
    if days is None:
        raise ValidationError(
            {"procedure": _("Thủ tục chưa công bố thời hạn giải quyết: chưa thể tiếp nhận.")}
        )
    fees = fees_in_force(procedure, online=online, day=at.astimezone(LOCAL_TZ).date(), case=case)
    return Dossier(
        code=next_dossier_code(receiving_unit, at),
        receiving_unit=receiving_unit,
        competent_unit=competent_unit,
        procedure=procedure,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        processing_days=days,
        time_unit=procedure.time_unit,
        fee_total_vnd=sum(f["amount_vnd"] or 0 for f in fees),
        fees=fees,
        rule_version=settings.MOTCUA_RULE_VERSION,
        channel=channel,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name.strip(),
        applicant_id_number=applicant.id_number.strip(),
        applicant_phone=applicant.phone.strip(),
        applicant_email=applicant.email.strip(),
        applicant_address=applicant.address.strip(),
        notify_by=applicant.notify_by,
        identity_verified=identity_verified_via != IdentityVia.NONE,
        identity_verified_via=identity_verified_via,
        result_delivery=result_delivery,
        submitted_at=at,
        idempotency_key=idempotency_key,
        last_activity_at=at,
    )


def _add_components(
    dossier: Dossier,
    procedure: Procedure,
    components: list[ComponentIn] | None,
    *,
    case: str = "",
    conditions: Iterable[str] = (),
    judged: dict[int, _ScanInput] | None = None,
    actor=None,
    at: dt.datetime | None = None,
) -> None:
    """Store the papers handed in; `judged` {index in `components`: the judged upload} are the
    uploads `_judge_uploads` accepted before the transaction: each becomes a `Scan`."""
    if components is None:  # the papers that apply to this case, nothing scanned yet
        components = [
            ComponentIn(
                name=c.name,
                form=c.form,
                count=c.count,
                from_state_data=c.from_state_data,
            )
            for c in cases.required(procedure.components.all(), case=case, conditions=conditions)
        ]
    known = cases.conditions_of(procedure.components.all())
    unknown = [c for c in conditions if c not in known]
    if unknown:
        raise ValidationError(
            {
                "conditions": _("Trường hợp “%(name)s” không có trong thành phần hồ sơ.")
                % {"name": unknown[0]}
            }
        )
    held: list[defects.IssuedResult] | None = None
    judged = judged or {}
    for index, item in enumerate(components):
        reused_file = None
        if item.reuse_result is not None:
            if held is None:
                number = dossier.applicant_id_number
                held = defects.issued_results([number]).get(number, [])
            match = next((r for r in held if r.document_id == item.reuse_result), None)
            if match is None or not defects.matching_result(
                item.name, [match], at=dossier.submitted_at, dossier_id=dossier.pk
            ):
                raise ValidationError(
                    {
                        "components": _("Kết quả đã cấp được chọn không dùng được cho “%(name)s”.")
                        % {"name": item.name}
                    }
                )
            source = DossierDocument.objects.get(pk=match.document_id)
            reused_file = ContentFile(read_stored(source.file), name="tai-su-dung.pdf")
            item = dataclasses.replace(
                item, file=reused_file, upload=(), reused_from_warehouse=True
            )
        row = DossierComponent(
            dossier=dossier,
            name=item.name,
            form=item.form,
            count=item.count,
            reused_from_warehouse=item.reused_from_warehouse,
            from_state_data=item.from_state_data,
            digitized=item.file is not None,
        )
        if item.file is not None:
            row.file.save(getattr(item.file, "name", None) or "thanh-phan.pdf", item.file, False)
        row.save()
        if item.upload and item.file is None:
            _scan_onto(actor, dossier, row, judged[index], at=at or dossier.submitted_at)
    refresh_digitized(dossier)


def _judge_uploads(components: list[ComponentIn] | None) -> dict[int, _ScanInput]:
    """Every upload of a reception or supplement judged by content before any lock (slow:
    parsing, hashing, photos to PDF); UploadRefused names the component. The same bytes given
    for two papers of one submission are refused here (a dossier keeps each upload once)."""
    judged: dict[int, _ScanInput] = {}
    seen: dict[str, str] = {}
    for index, item in enumerate(components or []):
        if not item.upload or item.file is not None or item.reuse_result is not None:
            continue
        try:
            given = _scan_input(list(item.upload))
        except UploadRefused as exc:
            raise UploadRefused(f"{item.name[:80]}: {exc.message}", exc.code) from exc
        if given.sha256 in seen:
            raise UploadRefused(
                _("Tệp của “%(name)s” trùng với tệp của “%(other)s”; mỗi giấy tờ một bản quét.")
                % {"name": item.name[:80], "other": seen[given.sha256][:80]},
                "duplicate",
            )
        seen[given.sha256] = item.name
        judged[index] = given
    return judged


def refresh_digitized(dossier: Dossier, *, save: bool = True) -> bool:
    """Recompute `all_components_digitized` from the components (decisions/0034): true when
    every component has its scan or was taken from the citizen's documents or the state's data
    (a dossier without components has nothing missing). Call wherever components change, inside
    the transaction that changed them; `save=False` when the caller saves the dossier itself."""
    missing = dossier.components.exclude(COMPONENT_DIGITIZED).exists()
    value = not missing
    if dossier.all_components_digitized != value:
        dossier.all_components_digitized = value
        if save:
            dossier.save(update_fields=["all_components_digitized"])
    return value


def _department_for(unit_id: int, kind: str, procedure: Procedure) -> Department | None:
    if kind:
        found = Department.objects.filter(unit_id=unit_id, kind=kind).order_by("id").first()
        if found is not None:
            return found
    department = procedure.department if procedure.department_id else None
    if department is not None and department.unit_id == unit_id:
        return department
    return None


def _open_clock(dossier: Dossier, at: dt.datetime, actor) -> None:
    """Reception complete and valid: the clock starts, due dates and steps are set.

    The catalog's reception step closes now, held by the officer who received; the first
    step after it opens. The return step belongs to the receiving unit's one-stop (the
    result is handed back where it was received, whoever is competent).
    """
    unit = dossier.competent_unit_id
    dossier.received_at = at
    if dossier.receiving_unit_id == dossier.competent_unit_id:
        dossier.competent_received_at = at
    due = deadlines.statutory_due(at, dossier.processing_days, dossier.time_unit, unit)
    dossier.due_at = dossier.due_at_legal = dossier.due_at_current = due
    templates: list[ProcessStep | None] = list(dossier.procedure.steps.order_by("order"))
    if not templates:
        templates = [None]
    step_days = [t.days if t else dossier.processing_days for t in templates]
    dues = deadlines.step_due_dates(at, step_days, unit)
    officer = actor_or_none(actor)
    opening = True  # the first step that is not reception starts now
    for index, (template, days, step_due) in enumerate(
        zip(templates, step_days, dues, strict=True)
    ):
        stage = template.stage if template else StepStage.PROCESSING
        one_stop = stage in (StepStage.RECEPTION, StepStage.RETURN)
        step_unit = dossier.receiving_unit_id if one_stop else unit
        kind = template.department_kind if template else ""
        step = DossierStep(
            dossier=dossier,
            order=index + 1,
            name=template.name if template else _("Giải quyết hồ sơ"),
            stage=stage,
            unit_id=step_unit,
            department=_department_for(step_unit, kind, dossier.procedure),
            days=days,
            due_at=min(step_due, due) if dossier.time_unit == "working_day" else step_due,
        )
        if stage == StepStage.RECEPTION:
            step.started_at = step.finished_at = at
            step.assignee = officer
            step.result = deadlines.classify(at, step.due_at) if step.due_at else ""
        elif opening:
            step.started_at = at
            opening = False
        step.save()


def _create(
    actor,
    *,
    action: str,
    procedure: Procedure,
    receiving_unit: Unit,
    competent_unit: Unit | None,
    applicant: Applicant,
    components: list[ComponentIn] | None,
    channel: str,
    identity_verified_via: str,
    idempotency_key: str,
    result_delivery: str,
    at: dt.datetime,
    note: str,
    case: str = "",
    conditions: Iterable[str] = (),
    filing: FilingFacts | None = None,
) -> Dossier:
    competent_unit = competent_unit or receiving_unit
    case, conditions = (case or "").strip(), [c.strip() for c in conditions if c.strip()]
    idempotency_key = (idempotency_key or "").strip()[:64]
    if idempotency_key:
        existing = Dossier.objects.filter(
            receiving_unit=receiving_unit, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    _validate_applicant(applicant)
    if result_delivery and result_delivery not in Delivery.values:
        raise ValidationError({"delivery": _("Hình thức nhận kết quả không hợp lệ.")})
    _check_procedure(procedure, competent_unit)
    if filing is not None:
        _check_filing(filing, unit=receiving_unit, at=at)
    judged = _judge_uploads(components)
    try:
        with transaction.atomic():
            dossier = _new_dossier(
                procedure=procedure,
                receiving_unit=receiving_unit,
                competent_unit=competent_unit,
                applicant=applicant,
                channel=channel,
                identity_verified_via=identity_verified_via,
                idempotency_key=idempotency_key,
                result_delivery=result_delivery,
                at=at,
                case=case,
            )
            status = workflow.CREATION_ACTIONS[action]
            if status == Status.RECEIVED and competent_unit.pk != receiving_unit.pk:
                status = Status.TRANSFERRING  # received here, the competent unit acknowledges
            dossier.status = status
            dossier.version = 1
            dossier.save()
            _add_components(
                dossier,
                procedure,
                components,
                case=case,
                conditions=conditions,
                judged=judged,
                actor=actor,
                at=at,
            )
            filed = _record_filing(dossier, filing, at) if filing is not None else {}
            if action == "receive":
                _open_clock(dossier, at, actor)
            # the first event; the dossier (due dates of `_open_clock` too) saved pointing at it
            workflow.DOSSIERS.created(
                dossier,
                action=action,
                actor=actor,
                at=at,
                note=note,
                data={
                    "channel": channel,
                    "code": dossier.code,
                    **({"delivery": result_delivery} if result_delivery else {}),
                    **({"fee_case": case} if case else {}),
                    **({"conditions": conditions} if conditions else {}),
                    **({"filing": filed} if filed else {}),
                },
                changes={
                    "status": [None, status],
                    "code": dossier.code,
                    "channel": channel,
                    "result_delivery": result_delivery,
                },
                unit=receiving_unit.pk,
                in_transaction=(_in_transaction_hooks,),
                after_commit=(_after_commit_hooks,),
            )
    except IntegrityError:
        if idempotency_key:  # the same form submitted twice at once: the other one won
            existing = Dossier.objects.filter(
                receiving_unit=receiving_unit, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                return existing
        raise
    return dossier


def _identity_at_reception(
    actor, *, unit: Unit, applicant: Applicant, chosen: str, registry_lookup: int | None
) -> str:
    """How the applicant's identity was verified. "population_db" only on the word of a lookup
    that confirms this applicant (registry.services.confirms: same officer and unit, recent,
    found, same ID and name); a lookup that does not confirm (not found, registry down, another
    person) leaves what the officer chose (VNeID, chip card, or not verified)."""
    if registry_lookup and registry.confirms(
        lookup_id=registry_lookup,
        actor=actor,
        unit=unit,
        citizen_id=applicant.id_number,
        full_name=applicant.name,
    ):
        return IdentityVia.POPULATION_DB
    if chosen == IdentityVia.POPULATION_DB:
        raise ValidationError(
            {
                "identity_via": _(
                    "Chưa xác thực được qua CSDL quốc gia về dân cư: tra cứu số định danh "
                    "của người nộp trước, hoặc chọn hình thức xác thực khác."
                )
            }
        )
    return chosen if chosen in IdentityVia.values else IdentityVia.NONE


def receive_at_counter(
    actor,
    *,
    procedure: Procedure,
    receiving_unit: Unit,
    applicant: Applicant,
    competent_unit: Unit | None = None,
    components: list[ComponentIn] | None = None,
    channel: str = Channel.COUNTER,
    identity_verified_via: str = IdentityVia.NONE,
    registry_lookup: int | None = None,
    idempotency_key: str = "",
    result_delivery: str = Delivery.COUNTER,
    at: dt.datetime | None = None,
    note: str = "",
    case: str = "",
    conditions: Iterable[str] = (),
) -> Dossier:
    """Tiếp nhận: a complete in-person, kiosk or postal dossier gets its code and appointment.

    `registry_lookup` is the officer's lookup of the applicant in the population database
    (`registry.services.lookup`): when it confirms the applicant the dossier records identity
    verified through the national population database (`_identity_at_reception`).

    A second call with the same `idempotency_key` (a double-submitted form) returns the first
    dossier. `competent_unit` other than the receiving unit is boundary-free reception: the
    dossier waits in TRANSFERRING until the competent unit acknowledges it. `result_delivery`
    is how the applicant asked to get the result (counter or post): the receipt prints it and
    the return screen proposes it. `case` is the applicant's case among the procedure's fee
    alternatives (required when it has some) and `conditions` the component conditions that
    hold: the fees snapshot and, when `components` is None, the papers follow them.
    """
    if channel == Channel.ONLINE:
        raise ValidationError({"channel": _("Hồ sơ trực tuyến được nộp qua cổng dịch vụ công.")})
    _require_role(actor, COUNTER_ROLES, [receiving_unit.pk])
    identity_verified_via = _identity_at_reception(
        actor,
        unit=receiving_unit,
        applicant=applicant,
        chosen=identity_verified_via,
        registry_lookup=registry_lookup,
    )
    return _create(
        actor,
        action="receive",
        procedure=procedure,
        receiving_unit=receiving_unit,
        competent_unit=competent_unit,
        applicant=applicant,
        components=components,
        channel=channel,
        identity_verified_via=identity_verified_via,
        idempotency_key=idempotency_key,
        result_delivery=result_delivery,
        at=_now(at),
        note=note,
        case=case,
        conditions=conditions,
    )


def submit_online(
    actor,
    *,
    procedure: Procedure,
    receiving_unit: Unit,
    applicant: Applicant,
    competent_unit: Unit | None = None,
    components: list[ComponentIn] | None = None,
    identity_verified_via: str = IdentityVia.VNEID,
    idempotency_key: str = "",
    result_delivery: str = "",
    at: dt.datetime | None = None,
    case: str = "",
    conditions: Iterable[str] = (),
    filing: FilingFacts | None = None,
) -> Dossier:
    """Nộp trực tuyến: the dossier waits as "Mới đăng ký" until an officer accepts it.
    `filing`: what the citizens' form measured (time from sign-in, typed fields, who helped)."""
    return _create(
        actor,
        action="submit_online",
        procedure=procedure,
        receiving_unit=receiving_unit,
        competent_unit=competent_unit,
        applicant=applicant,
        components=components,
        channel=Channel.ONLINE,
        identity_verified_via=identity_verified_via,
        idempotency_key=idempotency_key,
        result_delivery=result_delivery,
        at=_now(at),
        note="",
        case=case,
        conditions=conditions,
        filing=filing,
    )


def accept_online(actor, *, dossier_id: int, at: dt.datetime | None = None) -> Dossier:
    """The officer found the online dossier complete: the clock starts now (shorter online time)."""

    def apply(dossier, move, at):
        _open_clock(dossier, at, actor)
        return {"due_at": dossier.due_at.isoformat()}

    return transition(dossier_id, action="accept", actor=actor, at=at, apply=apply)


def _required_text(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field_name: message})
    return value


def refuse(
    actor,
    *,
    dossier_id: int,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Từ chối tiếp nhận with the specific reason; the refusal slip must be attached first."""
    reason = _required_text(reason, "reason", _("Phải ghi rõ lý do từ chối tiếp nhận."))
    return transition(
        dossier_id,
        action="refuse",
        actor=actor,
        note=reason,
        at=at,
        expected_version=expected_version,
    )


# --- steps ---------------------------------------------------------------------------------------
# Reception and return steps close themselves (at reception and at the hand-over); the
# approval step closes when the leader approves; only processing steps are assigned and
# finished by hand. See docs/decisions/0016-who-may-do-what-and-steps-that-follow-the-lifecycle.md.

_CLOSED_BY: dict[str, _StrPromise] = {
    StepStage.RECEPTION: gettext_lazy("Bước “%(step)s” đã hoàn thành khi tiếp nhận hồ sơ."),
    StepStage.APPROVAL: gettext_lazy(
        "Bước “%(step)s” được hoàn thành khi lãnh đạo phê duyệt, ký số; không hoàn thành riêng."
    ),
    StepStage.RETURN: gettext_lazy(
        "Bước “%(step)s” được hoàn thành khi Bộ phận Một cửa trả kết quả cho công dân."
    ),
}


def _open_steps(dossier: Dossier, stage: str | None = None):
    qs = dossier.steps.filter(finished_at__isnull=True)
    return (qs.filter(stage=stage) if stage else qs).order_by("order")


def _steps(dossier: Dossier, stage: str) -> list[DossierStep]:
    """The dossier's steps of `stage` in order, read once per transition: the role check
    (`workflow.step_in_hand`) and the verb share one read, taken under the dossier's lock, and
    `_write_step` keeps the objects true to the rows."""
    return [s for s in workflow.steps_of(dossier) if s.stage == stage]


def _write_step(steps: Iterable[DossierStep], **fields) -> None:
    """One UPDATE for `steps` (none when empty), mirrored on the objects already read."""
    steps = list(steps)
    if not steps:
        return
    DossierStep.objects.filter(pk__in=[s.pk for s in steps]).update(**fields)
    for step in steps:
        for name, value in fields.items():
            setattr(step, name, value)


def _current_step(dossier: Dossier) -> DossierStep | None:
    return _open_steps(dossier).first()


def _close_step(step: DossierStep, at: dt.datetime, *, holder=None, note: str = "") -> None:
    """Close `step` now, judged early/on time/late against its own deadline; `holder` (the
    officer or leader who did it) replaces the assignee, else the assignee stays."""
    fields = {
        "started_at": step.started_at or at,
        "finished_at": at,
        "result": deadlines.classify(at, step.due_at) if step.due_at else "",
    }
    if holder is not None:
        fields["assignee"] = holder
    if note:
        fields["note"] = note
    _write_step([step], **fields)


def _start_steps(dossier: Dossier, stage: str, at: dt.datetime) -> None:
    """Open the waiting steps of `stage` (the clock of each starts now)."""
    steps = _steps(dossier, stage)
    _write_step((s for s in steps if s.finished_at is None and s.started_at is None), started_at=at)


def _processing_step_to_assign(dossier: Dossier, step_order: int | None) -> DossierStep:
    steps = _open_steps(dossier)
    step = steps.filter(order=step_order).first() if step_order else None
    if step is None and not step_order:
        step = steps.filter(stage=StepStage.PROCESSING).first()
    if step is None:
        raise ValidationError({"step": _("Không có bước xử lý nào đang mở để phân công.")})
    if step.stage != StepStage.PROCESSING:
        raise ValidationError(
            {"step": _("Chỉ phân công được các bước xử lý của bộ phận chuyên môn.")}
        )
    return step


def _check_assignee(assignee, step: DossierStep) -> None:
    if not has_role(assignee, *STAFF_ROLES, unit=step.unit_id):
        raise ValidationError(
            {"assignee": _("Người được phân công không thuộc đơn vị giải quyết hồ sơ.")}
        )


def assign_step(
    actor,
    *,
    dossier_id: int,
    assignee,
    department: Department | None = None,
    step_order: int | None = None,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Phân công: give the current (or a named) open processing step to a staff member."""

    def apply(dossier, move, at):
        step = _processing_step_to_assign(dossier, step_order)
        _check_assignee(assignee, step)
        if department is not None and department.unit_id != step.unit_id:
            raise ValidationError({"department": _("Phòng, ban không thuộc đơn vị giải quyết.")})
        step.assignee = assignee
        if department is not None:
            step.department = department
        step.save(update_fields=["assignee", "department"])
        return {"step": step.order, "assignee": assignee.pk}

    return transition(
        dossier_id,
        action="assign_step",
        actor=actor,
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


def start_processing(
    actor,
    *,
    dossier_id: int,
    assignee=None,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Chuyển xử lý: the one-stop hands the dossier to the department's first processing step
    (never to its own reception step), to a named specialist if given."""

    def apply(dossier, move, at):
        step = _open_steps(dossier, StepStage.PROCESSING).first()
        if step is not None:
            if assignee is not None:
                _check_assignee(assignee, step)
                step.assignee = assignee
            step.started_at = step.started_at or at
            step.save(update_fields=["assignee", "started_at"])
        return {
            "assignee": getattr(assignee, "pk", None),
            "step": getattr(step, "order", None),
        }

    return transition(
        dossier_id,
        action="start_processing",
        actor=actor,
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


def finish_step(
    actor,
    *,
    dossier_id: int,
    note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Close the current processing step (early/on time/late against its own deadline) and
    open the next processing step; approval and return steps close with their own verbs."""

    def apply(dossier, move, at):
        step = _current_step(dossier)
        if step is None:
            raise InvariantBroken(
                _("Mọi bước xử lý đã hoàn thành."), action=move.action, status=move.from_status
            )
        if step.stage != StepStage.PROCESSING:
            raise InvariantBroken(
                _CLOSED_BY[step.stage] % {"step": step.name},
                action=move.action,
                status=move.from_status,
            )
        holder = None if step.assignee_id else actor_or_none(actor)
        _close_step(step, at, holder=holder, note=note)
        following = _current_step(dossier)
        if following is not None and following.stage == StepStage.PROCESSING:
            following.started_at = at
            following.save(update_fields=["started_at"])
        return {"step": step.order, "result": step.result}

    return transition(
        dossier_id,
        action="finish_step",
        actor=actor,
        note=note,
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


# --- supplements (the clock pauses) --------------------------------------------------------------


def request_supplement(
    actor,
    *,
    dossier_id: int,
    items: list[str],
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Yêu cầu bổ sung with its paper: the clock stops and Mẫu 02 (the one complete list of
    what is missing) is attached in the same transaction, whichever screen asked."""
    with transaction.atomic():
        dossier = _pause_for_supplement(
            actor,
            dossier_id=dossier_id,
            items=items,
            reason=reason,
            at=at,
            expected_version=expected_version,
        )
        from .papers import from_dossier
        from .papers import render as papers

        paper = from_dossier.supplement_request(dossier)
        assert paper is not None  # the request was just recorded
        attach_document(
            actor,
            dossier_id=dossier_id,
            kind=DossierDocument.Kind.SUPPLEMENT_REQUEST,
            file=ContentFile(
                papers.render_supplement_request(paper),
                name=f"phieu-yeu-cau-bo-sung-{dossier.code}.pdf",
            ),
            note=reason.strip()[:300],
            at=at,
        )
    return dossier


def _pause_for_supplement(
    actor,
    *,
    dossier_id: int,
    items: list[str],
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The transition of a supplement request: one complete list; the deadline clock stops."""
    items = [i.strip() for i in items if i and i.strip()]
    if not items:
        raise ValidationError({"items": _("Phải liệt kê đầy đủ các nội dung cần bổ sung.")})
    reason = _required_text(reason, "reason", _("Phải ghi rõ lý do yêu cầu bổ sung."))

    def apply(dossier, move, at):
        running = dossier.due_at_current is not None
        unit = dossier.competent_unit_id
        request = SupplementRequest.objects.create(
            dossier=dossier,
            requested_at=at,
            requested_by=actor_or_none(actor),
            items=items,
            reason=reason,
            stage=(
                SupplementRequest.Stage.RECEPTION
                if move.from_status == Status.SUBMITTED
                else SupplementRequest.Stage.EXAMINATION
            ),
            paused_status=move.from_status,
            remaining_working_days=(
                deadlines.remaining_working_days(at, dossier.due_at_current, unit)
                if running
                else None
            ),
            remaining_legal_days=(
                deadlines.remaining_working_days(at, dossier.due_at_legal, unit)
                if running
                else None
            ),
            due_at_before=dossier.due_at_current,
        )
        return {"supplement": request.pk, "items": items}

    return transition(
        dossier_id,
        action="request_supplement",
        actor=actor,
        note=reason,
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


def resubmit_supplement(
    actor,
    *,
    dossier_id: int,
    components: list[ComponentIn] | None = None,
    note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The applicant completed the dossier: the clock resumes with the working days left.

    At the counter (an officer) or online (the applicant, a citizen signed in: the permit lets
    only the dossier's applicant through); `note` is what they wrote with the papers. Their
    `upload`s go through the scan pipeline (`_judge_uploads`, then a `Scan` each)."""
    judged = _judge_uploads(components)

    def apply(dossier, move, at):
        request = dossier.supplements.filter(resubmitted_at__isnull=True).last()
        request.resubmitted_at = at
        if request.remaining_working_days is not None:
            unit = dossier.competent_unit_id
            dossier.due_at_current = deadlines.resumed_due(at, request.remaining_working_days, unit)
            dossier.due_at_legal = deadlines.resumed_due(at, request.remaining_legal_days, unit)
            deadlines.shift_open_steps(dossier, request.requested_at, at, unit)
        request.due_at_after = dossier.due_at_current
        request.save(update_fields=["resubmitted_at", "due_at_after"])
        if components:
            _add_components(
                dossier, dossier.procedure, components, judged=judged, actor=actor, at=at
            )
        return {
            "supplement": request.pk,
            "due_at_current": dossier.due_at_current and dossier.due_at_current.isoformat(),
        }

    return transition(
        dossier_id,
        action="resubmit_supplement",
        actor=actor,
        note=note.strip()[:2000],
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


# --- financial obligation, approval, result -------------------------------------------------------


def request_financial_obligation(
    actor,
    *,
    dossier_id: int,
    amount_vnd: int,
    note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Yêu cầu thực hiện nghĩa vụ tài chính (taxes, land levies): an integer amount in VND."""
    if not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise ValidationError({"amount_vnd": _("Số tiền phải là số nguyên dương (đồng).")})
    return transition(
        dossier_id,
        action="request_financial_obligation",
        actor=actor,
        note=note,
        data={"amount_vnd": amount_vnd},
        at=at,
        expected_version=expected_version,
    )


def confirm_payment(
    actor,
    *,
    dossier_id: int,
    paid_online: bool,
    reference: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The obligation is paid (online through the platform, or cash at the counter)."""

    def apply(dossier, move, at):
        dossier.paid_online = dossier.paid_online or paid_online
        return {"paid_online": paid_online, "reference": reference}

    return transition(
        dossier_id,
        action="confirm_payment",
        actor=actor,
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


def record_obligation_paid(
    *, dossier_id: int, reference: str, paid_online: bool, at: dt.datetime | None = None
) -> Dossier:
    """The payments app credited what the dossier was waiting for: it resumes by itself
    (`confirm_payment` by `workflow.SYSTEM`, audited with no person). A dossier no longer
    waiting (an officer confirmed a cash payment first) is left as it is."""
    dossier = Dossier.objects.get(pk=dossier_id)
    if dossier.status != Status.AWAITING_FINANCIAL_OBLIGATION:
        return dossier
    try:
        return confirm_payment(
            workflow.SYSTEM,
            dossier_id=dossier_id,
            paid_online=paid_online,
            reference=reference,
            at=at,
        )
    except workflow.IllegalTransition:  # an officer moved it first: the credit stands
        return Dossier.objects.get(pk=dossier_id)


def record_fees_paid(
    *, dossier_id: int, online: bool, reference: str, dossier: Dossier | None = None
) -> None:
    """The dossier's fees were paid (the payments app's request settled): an online payment
    counts for the index (`paid_online`), audited with the payment's reference. `dossier` is
    the row as the caller read it in its transaction: already paid online, there is nothing
    to lock or write (`paid_online` never goes back)."""
    if not online or (dossier is not None and dossier.paid_online):
        return
    dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
    if dossier.paid_online:
        return
    dossier.paid_online = True
    dossier.save(update_fields=["paid_online"])
    audit.record(
        action="dossier.fees_paid_online",
        obj=dossier,
        changes={"paid_online": [False, True], "reference": reference},
        unit=dossier.competent_unit_id,
    )


def submit_for_approval(
    actor,
    *,
    dossier_id: int,
    note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Trình lãnh đạo: the specialist's draft goes to the leader for approval and signature.

    The processing step in hand closes with it (the draft is its output) and the leader's
    approval step opens; a processing step still open before it must be finished first.
    """

    def apply(dossier, move, at):
        processing = _steps(dossier, StepStage.PROCESSING)
        open_processing = [s for s in processing if s.finished_at is None]
        if len(open_processing) > 1:
            raise InvariantBroken(
                _("Hồ sơ còn bước xử lý chưa hoàn thành (%(steps)s): chưa thể trình ký.")
                % {"steps": ", ".join(s.name for s in open_processing[:-1])},
                action=move.action,
                status=move.from_status,
            )
        closed = None
        if open_processing:
            closed = open_processing[0]
            holder = None if closed.assignee_id else actor_or_none(actor)
            _close_step(closed, at, holder=holder, note=note)
        _start_steps(dossier, StepStage.APPROVAL, at)
        return {"step": getattr(closed, "order", None)}

    return transition(
        dossier_id,
        action="submit_for_approval",
        actor=actor,
        note=note,
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


def send_back(
    actor,
    *,
    dossier_id: int,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The leader returns the draft to the specialist with a reason: the last processing step
    opens again (same holder), the approval step waits for the next submission."""
    reason = _required_text(reason, "reason", _("Phải ghi rõ lý do trả lại."))

    def apply(dossier, move, at):
        finished = [s for s in _steps(dossier, StepStage.PROCESSING) if s.finished_at]
        last = finished[-1] if finished else None
        if last is not None:
            _write_step([last], finished_at=None, result="")
        approval = _steps(dossier, StepStage.APPROVAL)
        _write_step((s for s in approval if s.finished_at is None), started_at=None)
        return {"step": getattr(last, "order", None)}

    return transition(
        dossier_id,
        action="send_back",
        actor=actor,
        note=reason,
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


def approve(
    actor,
    *,
    dossier_id: int,
    note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Lãnh đạo phê duyệt: only a leader of the competent unit; the approval step closes,
    held by this leader."""

    def apply(dossier, move, at):
        steps = list(_open_steps(dossier, StepStage.APPROVAL))
        for step in steps:
            _close_step(step, at, holder=actor_or_none(actor), note=note)
        return {"steps": [s.order for s in steps]}

    return transition(
        dossier_id,
        action="approve",
        actor=actor,
        note=note,
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


def mark_result_ready(
    actor, *, dossier_id: int, at: dt.datetime | None = None, expected_version: int | None = None
) -> Dossier:
    """Đã xử lý xong, chuyển Bộ phận Một cửa: the result goes to the one-stop.

    Needs the result attached and every processing and approval step closed (a procedure
    without approval: the one processing step still open closes with it, as its output);
    the return step opens. Timeliness is fixed now.
    """

    def apply(dossier, move, at):
        if _open_steps(dossier, StepStage.APPROVAL).exists():
            raise InvariantBroken(
                _("Hồ sơ phải được lãnh đạo phê duyệt, ký trước khi có kết quả."),
                action=move.action,
                status=move.from_status,
            )
        open_processing = list(_open_steps(dossier, StepStage.PROCESSING))
        if len(open_processing) == 1:
            step = open_processing[0]
            holder = None if step.assignee_id else actor_or_none(actor)
            _close_step(step, at, holder=holder)
        _start_steps(dossier, StepStage.RETURN, at)
        dossier.finished_at = at
        dossier.timeliness = deadlines.classify(at, dossier.due_at_legal)
        return {"timeliness": dossier.timeliness}

    return transition(
        dossier_id,
        action="mark_result_ready",
        actor=actor,
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


def return_result(
    actor,
    *,
    dossier_id: int,
    delivery: str,
    tracking_number: str = "",
    collected_by_kind: str = "",
    collector_name: str = "",
    collector_id_number: str = "",
    authorisation_note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Trả kết quả at the counter, by public post (tracking number required) or online (only
    the signed result of a dossier whose applicant asked for it online: `online_return_allowed`;
    they download it from their own space).

    At the counter the officer may record who took the result (`collected_by_kind`): the
    applicant (name and ID default to the dossier's) or a person they authorised, who needs a
    name, a valid 12-digit personal ID number and a note of the authorisation paper. Any
    refusal is raised before anything changes.
    """
    if delivery not in Delivery.values:
        raise ValidationError({"delivery": _("Hình thức trả kết quả không hợp lệ.")})
    tracking_number = (tracking_number or "").strip()
    if delivery == Delivery.POST and not tracking_number:
        raise ValidationError(
            {"tracking_number": _("Trả kết quả qua bưu chính phải có số vận đơn.")}
        )
    collector = _result_collector(
        delivery=delivery,
        kind=collected_by_kind,
        name=collector_name,
        id_number=collector_id_number,
        authorisation=authorisation_note,
    )

    def apply(dossier, move, at):
        if delivery == Delivery.ONLINE and not online_return_allowed(dossier):
            raise ValidationError(
                {
                    "delivery": _(
                        "Chỉ trả kết quả trực tuyến khi người nộp chọn nhận trực tuyến và kết "
                        "quả đã được ký số."
                    )
                }
            )
        for step in _open_steps(dossier, StepStage.RETURN):
            _close_step(step, at, holder=actor_or_none(actor))
        dossier.returned_at = at
        dossier.result_delivery = delivery
        dossier.postal_tracking_number = tracking_number
        data = {"delivery": delivery, "tracking_number": tracking_number}
        if collector:
            is_applicant = collector["kind"] == CollectedBy.APPLICANT
            dossier.collected_by_kind = collector["kind"]
            dossier.collector_name = collector["name"] or (
                dossier.applicant_name if is_applicant else ""
            )
            dossier.collector_id_number = collector["id_number"] or (
                dossier.applicant_id_number if is_applicant else ""
            )
            dossier.collector_authorisation = collector["authorisation"]
            data.update(
                collected_by_kind=dossier.collected_by_kind,
                collector_name=dossier.collector_name,
                collector_authorisation=dossier.collector_authorisation,
            )
        return data

    return transition(
        dossier_id,
        action="return_result",
        actor=actor,
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


def online_return_allowed(dossier: Dossier) -> bool:
    """The result may be returned online: the applicant asked for it online and it is signed
    (an unsigned paper result cannot be handed over as a file)."""
    return dossier.result_delivery == Delivery.ONLINE and dossier.result_signed


def _result_collector(
    *, delivery: str, kind: str, name: str, id_number: str, authorisation: str
) -> dict | None:
    """Who took the result, checked: None when not recorded; ValidationError when wrong."""
    kind = (kind or "").strip()
    name = " ".join((name or "").split())
    id_number = "".join((id_number or "").split())
    authorisation = " ".join((authorisation or "").split())
    if not kind:
        if name or id_number or authorisation:
            raise ValidationError({"collected_by_kind": _("Hãy chọn người nhận kết quả là ai.")})
        return None
    if kind not in CollectedBy.values:
        raise ValidationError({"collected_by_kind": _("Người nhận kết quả không hợp lệ.")})
    if delivery != Delivery.COUNTER:
        raise ValidationError(
            {"collected_by_kind": _("Chỉ ghi người nhận khi trả kết quả trực tiếp tại quầy.")}
        )
    errors: dict[str, str | list[str]] = {}
    if kind == CollectedBy.AUTHORISED:
        if not name:
            errors["collector_name"] = _("Phải ghi họ tên người được ủy quyền nhận kết quả.")
        if not id_number:
            errors["collector_id_number"] = _(
                "Phải ghi số định danh cá nhân của người được ủy quyền."
            )
        if not authorisation:
            errors["authorisation_note"] = _(
                "Phải ghi giấy ủy quyền (số, ngày, người ủy quyền) của người nhận thay."
            )
    if id_number and "collector_id_number" not in errors:
        try:
            validate_applicant_id(ApplicantKind.CITIZEN, id_number)
        except ValidationError as exc:
            errors["collector_id_number"] = exc.messages
    if len(name) > 200 or len(authorisation) > 300:
        errors.setdefault("collector_name", _("Thông tin người nhận quá dài."))
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "name": name, "id_number": id_number, "authorisation": authorisation}


def withdraw(
    actor,
    *,
    dossier_id: int,
    reason: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Công dân rút hồ sơ: needs the applicant's written request attached."""
    return transition(
        dossier_id,
        action="withdraw",
        actor=actor,
        note=reason,
        at=at,
        expected_version=expected_version,
    )


def stop(
    actor,
    *,
    dossier_id: int,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Dừng giải quyết (Mẫu 05): needs the stop notice attached and a reason."""
    reason = _required_text(reason, "reason", _("Phải ghi rõ lý do dừng giải quyết."))
    return transition(
        dossier_id,
        action="stop",
        actor=actor,
        note=reason,
        at=at,
        expected_version=expected_version,
    )


# --- apology and extension ------------------------------------------------------------------------


def extend_with_apology(
    actor,
    *,
    dossier_id: int,
    reason: str,
    new_due_at: dt.datetime,
    approved_by=None,
    sent_at: dt.datetime | None = None,
    letter_file: File | None = None,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Văn bản xin lỗi và gia hạn (Mẫu 04): a written reason and a later working day.

    Sent less than one working day before the current deadline it still counts for the
    citizen, but a `late_apology` violation is recorded for managers. The dossier's timeliness
    is still judged against its deadline without extensions (`due_at_legal`).
    """
    reason = (reason or "").strip()

    def apply(dossier, move, at):
        if not reason:
            raise InvariantBroken(
                _("Gia hạn phải có lý do bằng văn bản."),
                action=move.action,
                status=move.from_status,
            )
        if timezone.is_naive(new_due_at) or new_due_at <= dossier.due_at_current:
            raise ValidationError({"new_due_at": _("Ngày hẹn trả mới phải sau ngày hẹn hiện tại.")})
        unit = dossier.competent_unit_id
        if not calendar.is_working_day(new_due_at, unit):
            raise ValidationError({"new_due_at": _("Ngày hẹn trả mới phải là ngày làm việc.")})
        limit = settings.MOTCUA_MAX_EXTENSIONS
        if dossier.extensions.count() >= limit:
            raise InvariantBroken(
                _("Hồ sơ đã được gia hạn %(n)s lần: không được gia hạn thêm.") % {"n": limit},
                action=move.action,
                status=move.from_status,
            )
        sent = sent_at or at
        timely = deadlines.apology_is_timely(sent, dossier.due_at_current, unit)
        extension = Extension(
            dossier=dossier,
            reason=reason,
            old_due_at=dossier.due_at_current,
            new_due_at=new_due_at,
            created_at=at,
            created_by=actor_or_none(actor),
            approved_by=approved_by,
            sent_at=sent,
            is_timely=timely,
        )
        if letter_file is not None:
            extension.letter_file.save(
                getattr(letter_file, "name", None) or "xin-loi.pdf", letter_file, False
            )
        extension.save()
        if not timely:
            Violation.objects.get_or_create(
                dossier=dossier,
                kind=Violation.Kind.LATE_APOLOGY,
                due_at_ref=dossier.due_at_current,
                defaults={
                    "detected_at": at,
                    "details": {"sent_at": sent.isoformat(), "extension": extension.pk},
                },
            )
        old = dossier.due_at_current
        dossier.due_at_current = new_due_at
        return {
            "extension": extension.pk,
            "old_due_at": old.isoformat(),
            "new_due_at": new_due_at.isoformat(),
            "is_timely": timely,
        }

    return transition(
        dossier_id,
        action="extend",
        actor=actor,
        note=reason,
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


# --- inter-unit transfer (liên thông) -------------------------------------------------------------


def transfer_to_unit(
    actor,
    *,
    dossier_id: int,
    to_unit: Unit,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Chuyển liên thông: another unit becomes competent; it must acknowledge receipt."""
    reason = _required_text(reason, "reason", _("Phải ghi rõ lý do chuyển liên thông."))

    def apply(dossier, move, at):
        if to_unit.pk == dossier.competent_unit_id:
            raise ValidationError({"to_unit": _("Hồ sơ đã thuộc đơn vị này.")})
        old = dossier.competent_unit_id
        dossier.competent_unit = to_unit
        dossier.competent_received_at = None
        return {"from_unit": old, "to_unit": to_unit.pk}

    return transition(
        dossier_id,
        action="transfer",
        actor=actor,
        note=reason,
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


def acknowledge_transfer(
    actor, *, dossier_id: int, at: dt.datetime | None = None, expected_version: int | None = None
) -> Dossier:
    """The competent unit confirms it has the dossier; open steps move to it, unassigned."""

    def apply(dossier, move, at):
        dossier.competent_received_at = at
        unit = dossier.competent_unit_id
        steps = dossier.steps.filter(finished_at__isnull=True).exclude(unit_id=unit)
        for step in steps.exclude(stage=StepStage.RETURN):
            step.unit_id = unit
            step.assignee = None
            step.department = _department_for(unit, "", dossier.procedure)
            step.save(update_fields=["unit", "assignee", "department"])
        return {"unit": unit}

    return transition(
        dossier_id,
        action="acknowledge_transfer",
        actor=actor,
        at=at,
        apply=apply,
        expected_version=expected_version,
    )


# --- documents and scans (audited, not status changes) --------------------------------------------


def attach_document(
    actor,
    *,
    dossier_id: int,
    kind: str,
    file: File,
    signed: bool = False,
    note: str = "",
    at: dt.datetime | None = None,
    citizen_may: bool = False,
    expected_version: int | None = None,
) -> DossierDocument:
    """Attach a paper (letter, receipt, result); a signed result marks the dossier signed.

    Not a transition (the version stays), but `expected_version` still refuses a stale form
    under the row lock, before the file is written.
    """
    if kind not in DossierDocument.Kind.values:
        raise ValidationError({"kind": _("Loại văn bản không hợp lệ.")})
    if file is None:
        raise ValidationError({"file": _("Vui lòng chọn tệp văn bản.")})
    at = _now(at)
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
        by_applicant = (
            citizen_may
            and workflow.is_citizen_or_anonymous(actor)
            and (actor is None or workflow.is_applicant(actor, dossier))
        )
        if not by_applicant:
            _require_role(
                actor, STAFF_ROLES, [dossier.competent_unit_id, dossier.receiving_unit_id]
            )
        if dossier.status in workflow.TERMINAL:
            raise IllegalTransition(
                _("Hồ sơ đã kết thúc: không thể đính kèm thêm văn bản."),
                action="attach_document",
                status=dossier.status,
            )
        if expected_version is not None and expected_version != dossier.version:
            raise IllegalTransition(
                stale_form_message(), action="attach_document", status=dossier.status
            )
        document = DossierDocument(
            dossier=dossier,
            kind=kind,
            created_at=at,
            created_by=actor_or_none(actor),
            signed=signed,
            note=note[:300],
        )
        document.file.save(getattr(file, "name", None) or f"{kind}.pdf", file, False)
        document.save()
        if kind == DossierDocument.Kind.RESULT and signed and not dossier.result_signed:
            dossier.result_signed = True
            dossier.save(update_fields=["result_signed"])
        audit.record(
            action="dossier.attach_document",
            obj=dossier,
            changes={"kind": kind, "document": document.pk, "signed": signed},
            actor=actor,
            unit=dossier.competent_unit_id,
        )
    return document


def record_result_signed(actor, *, document_id: int) -> DossierDocument:
    """The e-signature service signed a result document: remember it on the dossier."""
    with transaction.atomic():
        document = DossierDocument.objects.select_for_update().get(pk=document_id)
        dossier = Dossier.objects.select_for_update().get(pk=document.dossier_id)
        document.signed = True
        document.save(update_fields=["signed"])
        if document.kind == DossierDocument.Kind.RESULT:
            dossier.result_signed = True
            dossier.save(update_fields=["result_signed"])
        audit.record(
            action="dossier.result_signed",
            obj=dossier,
            changes={"document": document.pk},
            actor=actor,
            unit=dossier.competent_unit_id,
        )
    return document


# --- scans at the counter (decisions/0037) ---------------------------------------------------

SCAN_ROLES = (Role.COUNTER_OFFICER,)
# What a scan's paper may be called besides the dossier's and the procedure's components: data
# in the catalog's language (stored as it is, like component names), not interface text.
COMMON_DOCUMENT_TYPES = (
    "Căn cước / Căn cước công dân",
    "Giấy khai sinh",
    "Giấy chứng nhận kết hôn",
    "Giấy ủy quyền",
    "Giấy tờ khác",
)
_CHUNK = 1024 * 1024


class DuplicateScan(UploadRefused):
    """The same bytes were already uploaded for this dossier or this applicant."""

    def __init__(self, message: str, earlier: Scan) -> None:
        super().__init__(message, "duplicate")
        self.earlier = earlier


def _require_scanner(actor, dossier: Dossier) -> None:
    """Only a counter officer of the unit that received the dossier scans its papers."""
    _require_role(actor, SCAN_ROLES, [dossier.receiving_unit_id])


def may_scan(actor, dossier: Dossier) -> bool:
    return has_role(actor, *SCAN_ROLES, unit=dossier.receiving_unit_id)


def scan_document_types(dossier: Dossier) -> list[str]:
    """The names a scan's document type may take: the dossier's components, the procedure's
    papers in the catalog, then a short common list; each once, in that order."""
    names = list(dossier.components.values_list("name", flat=True))
    if dossier.procedure_id:
        names += list(dossier.procedure.components.values_list("name", flat=True))
    names += COMMON_DOCUMENT_TYPES
    return list(dict.fromkeys(n.strip() for n in names if n.strip()))


@dataclass(frozen=True)
class _ScanInput:
    content: File
    name: str
    sha256: str
    size: int
    pages: int
    from_photos: bool


def _file_size(f: File) -> int:
    size = getattr(f, "size", None)
    if size is None:
        f.seek(0, 2)
        size = f.tell()
    f.seek(0)
    return int(size)


def _first_bytes(f: File) -> bytes:
    f.seek(0)
    head = f.read(5)
    f.seek(0)
    return head


def _scan_input(files: list[File]) -> _ScanInput:
    """Judge the upload by its content: one PDF (streamed: hashed and parsed without reading it
    into memory) or photos combined into one PDF in the order given. UploadRefused if not."""
    if not files:
        raise UploadRefused(_("Chưa chọn tệp nào."), "none")
    names = [getattr(f, "name", None) or f"trang-{i + 1}" for i, f in enumerate(files)]
    for f, name in zip(files, names, strict=True):
        if _file_size(f) == 0:
            raise UploadRefused(
                _("Tệp “%(name)s” rỗng (0 byte). Hãy quét hoặc chụp lại.") % {"name": name},
                "empty",
            )
    if any(_first_bytes(f) == b"%PDF-" for f in files):
        if len(files) > 1:
            raise UploadRefused(
                _(
                    "Một bản quét là một tệp PDF, hoặc các ảnh chụp từng trang; không gộp PDF với "
                    "ảnh hay nhiều tệp PDF với nhau."
                ),
                "mixed",
            )
        pdf, name = files[0], names[0]
        size = _file_size(pdf)
        limit = settings.MOTCUA_SCAN_MAX_BYTES
        if size > limit:
            raise UploadRefused(
                _("Tệp “%(name)s” lớn hơn %(mb)s MB. Hãy quét lại ở độ phân giải 300 dpi.")
                % {"name": name, "mb": limit // (1024 * 1024)},
                "too_big",
            )
        try:
            pages = check_pdf(pdf)  # type: ignore[arg-type]  # a File is a binary stream
        except PdfRefused as exc:
            raise UploadRefused(f"“{name}”: {exc.message}", exc.code) from exc
        most = settings.MOTCUA_SCAN_MAX_PAGES
        if pages > most:
            raise UploadRefused(
                _(
                    "Tệp “%(name)s” có %(pages)s trang; mỗi bản quét tối đa %(most)s trang. Hãy "
                    "tách thành nhiều tệp."
                )
                % {"name": name, "pages": pages, "most": most},
                "too_many_pages",
            )
        digest = hashlib.sha256()
        pdf.seek(0)
        for chunk in iter(lambda: pdf.read(_CHUNK), b""):
            digest.update(chunk)
        pdf.seek(0)
        return _ScanInput(pdf, name, digest.hexdigest(), size, pages, from_photos=False)
    each, total = settings.MOTCUA_UPLOAD_MAX_BYTES, settings.MOTCUA_SCAN_MAX_BYTES
    if sum(_file_size(f) for f in files) > total:  # the photos are read into memory: bounded
        raise UploadRefused(
            _("Các ảnh chụp cộng lại lớn hơn %(mb)s MB. Hãy chụp lại với độ phân giải thấp hơn.")
            % {"mb": total // (1024 * 1024)},
            "too_big",
        )
    for f, name in zip(files, names, strict=True):
        if _file_size(f) > each:
            raise UploadRefused(
                _("Tệp “%(name)s” lớn hơn %(mb)s MB. Hãy chụp lại với độ phân giải thấp hơn.")
                % {"name": name, "mb": each // (1024 * 1024)},
                "too_big",
            )
    uploads = [Upload(name, f.read()) for f, name in zip(files, names, strict=True)]
    digest = hashlib.sha256()
    for upload in uploads:
        digest.update(upload.data)
    paper = paper_pdf(
        uploads,
        max_files=settings.MOTCUA_SCAN_MAX_PHOTOS,
        max_side=settings.MOTCUA_SCAN_PHOTO_MAX_SIDE,
        a4=True,
    )
    return _ScanInput(
        ContentFile(paper.pdf),
        "anh-chup.pdf",
        digest.hexdigest(),
        len(paper.pdf),
        paper.pages,
        from_photos=True,
    )


def _duplicate(dossier: Dossier, sha256: str, *, across: bool = True) -> Scan | None:
    """An earlier scan with these bytes, of this dossier or (`across`) of this applicant's
    other dossiers received by the same unit (another unit's are not the officer's to know)."""
    same = Q(dossier_id=dossier.pk)
    if across and dossier.applicant_id_number:
        same |= Q(
            dossier__applicant_id_number=dossier.applicant_id_number,
            dossier__receiving_unit_id=dossier.receiving_unit_id,
        )
    return (
        Scan.objects.filter(same, sha256=sha256)
        .select_related("dossier", "component")
        .order_by("id")
        .first()
    )


def _duplicate_message(earlier: Scan) -> str:
    when = timezone.localtime(earlier.created_at, LOCAL_TZ)
    return _(
        "Bản quét này trùng với bản đã tải lên cho “%(component)s” của hồ sơ %(code)s lúc "
        "%(at)s, nên không lưu lần nữa."
    ) % {
        "component": earlier.component.name[:80],
        "code": earlier.dossier.code,
        "at": when.strftime("%H:%M %d/%m/%Y"),
    }


def _enqueue_scan(scan_id: int) -> None:
    from .tasks import ocr_scan_task

    transaction.on_commit(lambda: ocr_scan_task(scan_id))


def attach_component_scan(
    actor, *, component_id: int, files: list[File], at: dt.datetime | None = None
) -> Scan:
    """Số hóa at the counter: the paper of one component, scanned (one PDF) or photographed
    (several photos, in page order), judged by content, kept as the original and attached to
    the component at once (it counts as digitized: the paper is in the system); OCR is queued
    for the worker (`process_scan`). Refused: another role or unit (PermissionDenied), a bad
    or oversized upload, and the same bytes already uploaded for this dossier or applicant
    (DuplicateScan, which names the earlier upload). Nothing heavy runs in the request."""
    at = _now(at)
    try:
        component = DossierComponent.objects.select_related("dossier").get(pk=component_id)
    except DossierComponent.DoesNotExist as exc:
        raise PermissionDenied(_("Không tìm thấy thành phần hồ sơ.")) from exc
    _require_scanner(actor, component.dossier)
    given = _scan_input(files)
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=component.dossier_id)
        _require_scanner(actor, dossier)
        scan = _scan_onto(actor, dossier, component, given, at=at)
        refresh_digitized(dossier)
    return scan


def _scan_onto(
    actor, dossier: Dossier, component: DossierComponent, given: _ScanInput, *, at: dt.datetime
) -> Scan:
    """Attach a judged upload to a component: THE one way a scanned or uploaded paper reaches a
    component (the dossier page's "Tải bản quét", the reception form, supplements at the
    counter and online). Inside the caller's transaction, the dossier locked; the caller has
    checked who may. The original is kept and attached at once, a `Scan` (queued) written, one
    audit event, OCR queued after commit. DuplicateScan for bytes this dossier already holds,
    and, when a counter officer scans, for this applicant's other dossiers at the unit (a
    citizen may give the same file to two of their own dossiers: their papers are meant to be
    reused)."""
    across = actor is not None and may_scan(actor, dossier)
    earlier = _duplicate(dossier, given.sha256, across=across)
    if earlier is not None:
        raise DuplicateScan(_duplicate_message(earlier), earlier)
    scan = Scan(
        dossier=dossier,
        component=component,
        sha256=given.sha256,
        size_bytes=given.size,
        pages_total=given.pages,
        from_photos=given.from_photos,
        document_type=component.name[:300],
        created_by=actor_or_none(actor),
        created_at=at,
    )
    scan.original.save(given.name, given.content, save=False)
    scan.save()
    component.file.name = scan.original.name
    component.digitized = True
    component.save(update_fields=["file", "digitized"])
    audit.record(
        action="dossier.scan_component",
        obj=dossier,
        changes={
            "component": component.pk,
            "scan": scan.pk,
            "pages": given.pages,
            "sha256": given.sha256,
            "from_photos": given.from_photos,
        },
        actor=actor_or_none(actor),
        unit=dossier.receiving_unit_id,
    )
    _enqueue_scan(scan.pk)
    return scan


def retry_scan(actor, *, scan_id: int) -> Scan:
    """ "Thử lại": a failed scan is queued again (its original stays attached meanwhile)."""
    with transaction.atomic():
        scan = Scan.objects.select_related("dossier").get(pk=scan_id)
        dossier = Dossier.objects.select_for_update().get(pk=scan.dossier_id)
        _require_scanner(actor, dossier)
        scan = Scan.objects.select_for_update().get(pk=scan_id)
        if scan.state != Scan.State.FAILED and not scan.stale:
            raise ValidationError(_("Chỉ thử lại được bản quét nhận dạng chữ không thành công."))
        before = scan.error or scan.state
        scan.state, scan.error, scan.error_detail, scan.pages_done = Scan.State.QUEUED, "", "", 0
        scan.save(update_fields=["state", "error", "error_detail", "pages_done"])
        audit.record(
            action="dossier.scan_retry",
            obj=dossier,
            changes={"scan": scan.pk, "error": before},
            actor=actor,
            unit=dossier.receiving_unit_id,
        )
        _enqueue_scan(scan.pk)
    return scan


def set_scan_document_type(actor, *, scan_id: int, document_type: str) -> Scan:
    """The officer corrects what the scanned paper is (one of `scan_document_types`)."""
    with transaction.atomic():
        scan = Scan.objects.select_related("dossier").get(pk=scan_id)
        dossier = Dossier.objects.select_for_update().get(pk=scan.dossier_id)
        _require_scanner(actor, dossier)
        value = " ".join((document_type or "").split())
        if value not in scan_document_types(dossier):
            raise ValidationError({"document_type": _("Hãy chọn loại giấy tờ trong danh sách.")})
        scan = Scan.objects.select_for_update().get(pk=scan_id)
        if scan.document_type == value:
            return scan
        before, scan.document_type = scan.document_type, value
        scan.save(update_fields=["document_type"])
        audit.record(
            action="dossier.scan_document_type",
            obj=dossier,
            changes={"scan": scan.pk, "document_type": [before, value]},
            actor=actor,
            unit=dossier.receiving_unit_id,
        )
    return scan


def begin_scan(*, scan_id: int, at: dt.datetime | None = None) -> Scan | None:
    """The worker takes a queued scan (QUEUED -> PROCESSING); None when another worker took it
    first or it is not queued (a task delivered twice does the work once)."""
    at = _now(at)
    with transaction.atomic():
        scan = Scan.objects.select_for_update().filter(pk=scan_id).first()
        if scan is None or scan.state != Scan.State.QUEUED:
            return None
        scan.state, scan.started_at, scan.pages_done = Scan.State.PROCESSING, at, 0
        scan.attempts += 1
        scan.save(update_fields=["state", "started_at", "pages_done", "attempts"])
        audit.record(
            action="dossier.scan_started",
            object_type="dossiers.dossier",
            object_id=scan.dossier_id,
            changes={"scan": scan.pk, "attempt": scan.attempts},
            unit=Dossier.objects.values_list("receiving_unit_id", flat=True).get(
                pk=scan.dossier_id
            ),
        )
    return scan


def scan_progress(*, scan_id: int, pages_done: int) -> None:
    """Pages recognised so far (what the counter's progress bar shows): one UPDATE, no lock."""
    Scan.objects.filter(pk=scan_id, state=Scan.State.PROCESSING).update(pages_done=pages_done)


def finish_scan(
    *, scan_id: int, ocr_pdf: File, text: str, pdfa: str, at: dt.datetime | None = None
) -> Scan | None:
    """PROCESSING -> DONE: the searchable PDF/A becomes the component's file (unless a newer
    scan replaced the paper meanwhile), the recognised text is kept."""
    at = _now(at)
    with transaction.atomic():
        scan = Scan.objects.filter(pk=scan_id).first()
        if scan is None:
            return None
        dossier = Dossier.objects.select_for_update().get(pk=scan.dossier_id)
        scan = Scan.objects.select_for_update().select_related("component").get(pk=scan_id)
        if scan.state != Scan.State.PROCESSING:
            return None
        scan.ocr_file.save("ocr.pdf", ocr_pdf, save=False)
        scan.state, scan.text, scan.pdfa, scan.finished_at = Scan.State.DONE, text, pdfa, at
        scan.pages_done = scan.pages_total
        scan.save(update_fields=["ocr_file", "state", "text", "pdfa", "finished_at", "pages_done"])
        component = scan.component
        if component.file.name == scan.original.name:
            component.file.name = scan.ocr_file.name
            component.digitized = True
            component.save(update_fields=["file", "digitized"])
        audit.record(
            action="dossier.scan_done",
            obj=dossier,
            changes={"scan": scan.pk, "pages": scan.pages_total, "text_found": bool(text.strip())},
            unit=dossier.receiving_unit_id,
        )
    return scan


def fail_scan(
    *, scan_id: int, error: str, detail: str = "", at: dt.datetime | None = None
) -> Scan | None:
    """PROCESSING -> FAILED: the original stays the component's file; `error` says why."""
    at = _now(at)
    with transaction.atomic():
        scan = Scan.objects.filter(pk=scan_id).first()
        if scan is None:
            return None
        dossier = Dossier.objects.select_for_update().get(pk=scan.dossier_id)
        scan = Scan.objects.select_for_update().get(pk=scan_id)
        if scan.state not in (Scan.State.PROCESSING, Scan.State.QUEUED):
            return None
        scan.state, scan.error, scan.error_detail = Scan.State.FAILED, error, detail[:500]
        scan.finished_at = at
        scan.save(update_fields=["state", "error", "error_detail", "finished_at"])
        audit.record(
            action="dossier.scan_failed",
            obj=dossier,
            changes={"scan": scan.pk, "error": error},
            unit=dossier.receiving_unit_id,
        )
    return scan


# --- the applicant's notifications ------------------------------------------------------------


def set_notifications(
    actor, *, dossier_id: int, enabled: bool, via: str = "link", at: dt.datetime | None = None
) -> Dossier:
    """Switch the status-change messages of one dossier off (or on again).

    `actor` is None when the applicant uses the link in a message (it proves the dossier's
    message was theirs); `via` says how ("link", "citizen", "counter"). Audited; no status
    change, so not a transition: the hook reads `notifications_off` on the next one."""
    at = _now(at)
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
        off = not enabled
        if dossier.notifications_off == off:
            return dossier
        dossier.notifications_off = off
        dossier.save(update_fields=["notifications_off"])
        audit.record(
            action="dossier.notifications_off" if off else "dossier.notifications_on",
            obj=dossier,
            actor=actor,
            unit=dossier.receiving_unit_id,
            changes={"notifications_off": [not off, off], "via": via, "at": at.isoformat()},
        )
    return dossier


# --- use cases with their papers: one function each, whichever screen or API calls -------------


def refuse_with_letter(
    actor,
    *,
    dossier_id: int,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Từ chối tiếp nhận with Mẫu 03: the letter is rendered, attached and the dossier refused
    in one transaction (a stale form is refused under the row lock before the file)."""
    from .papers import from_dossier
    from .papers import render as papers

    reason = _required_text(reason, "reason", _("Phải ghi rõ lý do từ chối tiếp nhận."))
    at = _now(at)
    dossier = Dossier.objects.select_related("receiving_unit").get(pk=dossier_id)
    workflow.require(actor, "refuse", dossier)  # before drawing the letter
    paper = from_dossier.refusal(dossier, reason=reason, signer=actor, issued_at=at)
    assert paper is not None  # built from the reason given, never None
    with transaction.atomic():
        attach_document(
            actor,
            dossier_id=dossier_id,
            kind=DossierDocument.Kind.REFUSAL_LETTER,
            file=ContentFile(
                papers.render_refusal(paper), name=f"phieu-tu-choi-{dossier.code}.pdf"
            ),
            note=reason[:300],
            at=at,
            expected_version=expected_version,
        )
        return refuse(
            actor, dossier_id=dossier_id, reason=reason, at=at, expected_version=expected_version
        )


def stop_with_letter(
    actor,
    *,
    dossier_id: int,
    reason: str,
    letter: bytes | None = None,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Dừng giải quyết with Mẫu 05: the signed notice the user uploaded (`letter`), or the
    notice drawn now from the dossier; letter and stop commit together or not at all."""
    from .papers import from_dossier
    from .papers import render as papers

    reason = _required_text(reason, "reason", _("Phải ghi rõ lý do dừng giải quyết."))
    at = _now(at)
    dossier = Dossier.objects.select_related("competent_unit").get(pk=dossier_id)
    workflow.require(actor, "stop", dossier)
    if letter is None:
        notice = from_dossier.stop_notice(dossier, reason=reason, signer=actor, issued_at=at)
        assert notice is not None  # built from the reason given, never None
        letter = papers.render_stop_notice(notice)
    with transaction.atomic():
        attach_document(
            actor,
            dossier_id=dossier_id,
            kind=DossierDocument.Kind.STOP_LETTER,
            file=ContentFile(letter, name=f"{dossier.code}-dung-giai-quyet.pdf"),
            note=reason[:300],
            at=at,
            expected_version=expected_version,
        )
        return stop(
            actor, dossier_id=dossier_id, reason=reason, at=at, expected_version=expected_version
        )


def unsigned_result(dossier: Dossier) -> DossierDocument | None:
    return (
        dossier.documents.filter(kind=DossierDocument.Kind.RESULT, signed=False)
        .exclude(file="")
        .order_by("-created_at", "-id")
        .first()
    )


def approve_and_sign(
    actor,
    *,
    dossier_id: int,
    confirmed: bool,
    expected_version: int,
    note: str = "",
    pin: str = "",
):
    """Phê duyệt và ký số: approve, sign the draft result, keep the signed PDF, mark it signed.

    The leader must have confirmed on the confirmation screen (`confirmed`), and give the
    key's PIN where the signing key is protected by one. Checks first (a fresh form, status,
    role, a result to sign) so nothing is signed for a request that would be refused. The
    slow signing runs before any transaction and writes nothing. Then, in one transaction:
    the approval (version checked again under the row lock; the approval step closes with
    this leader), the signed document's row and file, the signed attachment and the signed
    mark. If any of it fails, nothing stays: `atomic_with_files` deletes the files written.
    """
    from motcua.documents import services as documents
    from motcua.documents.signing import SigningError

    dossier = Dossier.objects.select_related("competent_unit").get(pk=dossier_id)
    workflow.require(actor, "approve", dossier)
    if expected_version != dossier.version:  # fast refusal; approve() checks under the lock
        raise IllegalTransition(stale_form_message(), action="approve", status=dossier.status)
    workflow.check("approve", dossier.status)
    if not confirmed:
        raise ValidationError(
            {"confirm": _("Vui lòng xác nhận đã xem dự thảo kết quả trước khi ký số.")}
        )
    draft = unsigned_result(dossier)
    if draft is None:
        raise InvariantBroken(
            _("Chưa đính kèm văn bản kết quả (PDF) để ký số."),
            action="approve",
            status=dossier.status,
        )
    try:
        pdf_bytes = read_stored(draft.file)
    except StoredFileMissing as exc:
        raise InvariantBroken(
            _(
                "Không đọc được tệp dự thảo kết quả trong kho lưu trữ. Đề nghị chuyên viên "
                "đính kèm lại văn bản kết quả (PDF) rồi ký số."
            ),
            action="approve",
            status=dossier.status,
        ) from exc
    try:
        signed = documents.sign(
            unit=dossier.competent_unit,
            pdf_bytes=pdf_bytes,
            signer_name=actor.full_name or actor.username,
            pin=pin,
            person=actor,  # the leader signs with their own certificate, then the unit's seal
        )
    except documents.WrongPin as exc:
        raise ValidationError({"pin": _("Mã PIN của khóa ký số không đúng.")}) from exc
    except SigningError as exc:
        raise InvariantBroken(
            _(
                "Không ký số được văn bản kết quả. %(reason)s Đề nghị chuyên viên đính kèm "
                "lại văn bản kết quả (PDF) rồi ký số."
            )
            % {"reason": exc.reason},
            action="approve",
            status=dossier.status,
        ) from exc
    doc_note = _("Kết quả đã ký số, mã xác thực %(code)s") % {"code": signed.verification_code}
    with documents.atomic_with_files():
        approve(actor, dossier_id=dossier_id, note=note, expected_version=expected_version)
        stored = documents.store(
            signed,
            actor=actor,
            title=f"{dossier.procedure_name} - {dossier.code}",
            object_type="dossiers.dossier",
            object_id=dossier.pk,
        )
        document = attach_document(
            actor,
            dossier_id=dossier_id,
            kind=DossierDocument.Kind.RESULT,
            file=ContentFile(signed.content, name=f"{dossier.code}-ky-so.pdf"),
            note=doc_note,
        )
        documents.track_file(document.file)
        record_result_signed(actor, document_id=document.pk)
    return stored


ATTACH_RESULT = "attach_result"
_DRAFTING = frozenset({Status.PROCESSING, Status.AWAITING_APPROVAL})


def may_attach_result(actor, dossier: Dossier) -> bool:
    """The draft result is attached by whoever may mark the result ready (the specialist
    holding the dossier, its managers and leaders), while it is drafted or awaiting signature."""
    return (
        dossier.status in _DRAFTING
        and workflow.refusal(actor, "mark_result_ready", dossier) is None
    )


def attach_draft_result(
    actor,
    *,
    dossier_id: int,
    pdf_bytes: bytes,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> DossierDocument:
    """Đính kèm dự thảo kết quả (PDF, to be signed by the leader)."""
    dossier = Dossier.objects.get(pk=dossier_id)
    workflow.require(actor, "mark_result_ready", dossier)
    if dossier.status not in _DRAFTING:
        raise IllegalTransition(
            _("Chỉ đính kèm dự thảo kết quả khi hồ sơ đang xử lý hoặc chờ ký."),
            action=ATTACH_RESULT,
            status=dossier.status,
        )
    return attach_document(
        actor,
        dossier_id=dossier_id,
        kind=DossierDocument.Kind.RESULT,
        file=ContentFile(pdf_bytes, name=f"{dossier.code}-ket-qua.pdf"),
        note=_("Dự thảo kết quả, chờ ký số"),
        at=at,
        expected_version=expected_version,
    )


# --- digitization defects fixed after the fact (decisions/0034) ---------------------------------

# who may attach the paper a closed dossier lacks, and where their role must hold
MISSING_PAPER_PERMITS: dict[str, tuple[tuple[str, ...], str]] = {
    DossierDocument.Kind.RESULT: ((Role.SPECIALIST, Role.MANAGER, Role.LEADER), "competent"),
    DossierDocument.Kind.REFUSAL_LETTER: ((Role.COUNTER_OFFICER, Role.MANAGER), "receiving"),
    DossierDocument.Kind.STOP_LETTER: ((Role.SPECIALIST, Role.MANAGER, Role.LEADER), "competent"),
    DossierDocument.Kind.WITHDRAWAL_REQUEST: (
        (Role.COUNTER_OFFICER, Role.MANAGER),
        "either",
    ),
}


def missing_paper(dossier: Dossier) -> str | None:
    """The paper kind a dossier that ended lacks (defects (a) and (d)), else None."""
    kind: str | None
    if dossier.status in (Status.RESULT_READY, Status.RETURNED):
        kind = DossierDocument.Kind.RESULT
    else:
        kind = LETTER_FOR.get(Status(dossier.status))
    if kind is None or _has_document(dossier, kind):
        return None
    return kind


def may_attach_missing_paper(actor, dossier: Dossier, kind: str) -> bool:
    roles, where = MISSING_PAPER_PERMITS[kind]
    units = {
        "competent": [dossier.competent_unit_id],
        "receiving": [dossier.receiving_unit_id],
        "either": [dossier.competent_unit_id, dossier.receiving_unit_id],
    }[where]
    return actor is not None and any(has_role(actor, *roles, unit=u) for u in units)


def attach_missing_paper(
    actor, *, dossier_id: int, pdf_bytes: bytes, at: dt.datetime | None = None
) -> DossierDocument:
    """Bổ sung văn bản còn thiếu: the result file of a dossier that has its result, or the
    refusal / stop letter or withdrawal request of one that ended without it. Only the paper
    that is missing, by the roles that would have attached it; the status does not move."""
    at = _now(at)
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
        kind = missing_paper(dossier)
        if kind is None:
            raise IllegalTransition(
                _("Hồ sơ này không thiếu văn bản nào cần bổ sung."),
                action="attach_missing_paper",
                status=dossier.status,
            )
        if not may_attach_missing_paper(actor, dossier, kind):
            raise PermissionDenied(_("Bạn không có quyền bổ sung văn bản này cho hồ sơ."))
        document = DossierDocument(
            dossier=dossier, kind=kind, created_at=at, created_by=actor_or_none(actor)
        )
        document.note = _("Bổ sung sau khi hồ sơ đã kết thúc")[:300]
        document.file.save(f"{dossier.code}-{kind}.pdf", ContentFile(pdf_bytes), False)
        document.save()
        audit.record(
            action="dossier.attach_missing_paper",
            obj=dossier,
            changes={"kind": kind, "document": document.pk},
            actor=actor,
            unit=dossier.competent_unit_id,
        )
    return document


def reuse_issued_result(
    actor, *, component_id: int, result_id: int, at: dt.datetime | None = None
) -> DossierComponent:
    """A component collected on paper although the citizen held it as a valid issued result
    (defect (e)): take it from their documents instead, as the online filing does
    (decisions/0033): the result's file copied onto the component, `reused_from_warehouse`."""
    with transaction.atomic():
        component = DossierComponent.objects.get(pk=component_id)
        dossier = Dossier.objects.select_for_update().get(pk=component.dossier_id)
        _require_role(actor, STAFF_ROLES, [dossier.receiving_unit_id, dossier.competent_unit_id])
        component = DossierComponent.objects.select_for_update().get(pk=component_id)
        if component.reused_from_warehouse or component.from_state_data:
            raise IllegalTransition(
                _("Thành phần này đã được lấy từ kho dữ liệu."),
                action="reuse_issued_result",
                status=dossier.status,
            )
        held = defects.issued_results([dossier.applicant_id_number]).get(
            dossier.applicant_id_number, []
        )
        match = next(
            (
                r
                for r in held
                if r.document_id == result_id
                and defects.matching_result(
                    component.name, [r], at=dossier.submitted_at, dossier_id=dossier.pk
                )
            ),
            None,
        )
        if match is None:
            raise ValidationError(
                {"result": _("Kết quả đã cấp này không dùng được cho thành phần hồ sơ này.")}
            )
        source = DossierDocument.objects.get(pk=match.document_id)
        data = read_stored(source.file)
        if component.file:
            component.file.delete(save=False)
        component.file.save(
            f"{dossier.code}-tai-su-dung-{component.pk}.pdf", ContentFile(data), False
        )
        component.digitized = True
        component.reused_from_warehouse = True
        component.save(update_fields=["file", "digitized", "reused_from_warehouse"])
        refresh_digitized(dossier)
        audit.record(
            action="dossier.reuse_issued_result",
            obj=dossier,
            changes={"component": component.pk, "result": match.document_id},
            actor=actor,
            unit=dossier.receiving_unit_id,
        )
    return component
