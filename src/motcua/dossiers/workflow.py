"""The dossier state machine as data: which action moves which status where, and who may.

Two tables, validated here: `TRANSITIONS` (status -> status) and `PERMITS` (the roles that may
run each action, the unit where the role must hold, and the roles that must also hold the
step in hand). `services.transition` enforces both on every call; the screens build their
buttons from `actions_for`, which reads the same tables, so a button never offers what the
service would refuse and a hand-made POST is refused exactly like a click.
Terminal statuses have no way out. A target of `None` means "the status stays" (steps,
extensions); `RESUME` means "back to the status the dossier was paused from".

`DOSSIERS` is the table as a shared `core.statemachine.Machine` (decisions/0018): `check` and
`allowed_actions` read it, and `services.transition` runs every move through `DOSSIERS.run`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import Role, StaffAssignment
from motcua.accounts.scoping import roles_of, visible_unit_ids
from motcua.core import audit, statemachine

from .models import Dossier, DossierEvent, DossierStep, Status, StepStage

S = Status
RESUME = -1  # sentinel target: the status held before the supplement pause

TERMINAL = frozenset({S.REFUSED, S.WITHDRAWN, S.STOPPED, S.RETURNED})
# "open": still being handled, the deadline clock may run (used by worklists and the job)
ACTIVE = frozenset(
    {
        S.RECEIVED,
        S.PROCESSING,
        S.AWAITING_FINANCIAL_OBLIGATION,
        S.AWAITING_APPROVAL,
        S.APPROVED,
        S.TRANSFERRING,
    }
)
_IN_HAND = (S.RECEIVED, S.PROCESSING, S.AWAITING_APPROVAL, S.APPROVED)

# action -> (statuses it may start from, target status | None | RESUME)
TRANSITIONS: dict[str, tuple[frozenset[int], int | None]] = {
    "accept": (frozenset({S.SUBMITTED}), S.RECEIVED),
    "refuse": (frozenset({S.SUBMITTED, S.RECEIVED}), S.REFUSED),
    "start_processing": (frozenset({S.RECEIVED}), S.PROCESSING),
    "assign_step": (frozenset({*_IN_HAND, S.AWAITING_FINANCIAL_OBLIGATION}), None),
    "finish_step": (frozenset(_IN_HAND), None),
    "request_supplement": (
        frozenset({S.SUBMITTED, S.RECEIVED, S.PROCESSING}),
        S.AWAITING_SUPPLEMENT,
    ),
    "resubmit_supplement": (frozenset({S.AWAITING_SUPPLEMENT}), RESUME),
    "request_financial_obligation": (frozenset({S.PROCESSING}), S.AWAITING_FINANCIAL_OBLIGATION),
    "confirm_payment": (frozenset({S.AWAITING_FINANCIAL_OBLIGATION}), S.PROCESSING),
    "submit_for_approval": (frozenset({S.PROCESSING}), S.AWAITING_APPROVAL),
    "send_back": (frozenset({S.AWAITING_APPROVAL}), S.PROCESSING),
    "approve": (frozenset({S.AWAITING_APPROVAL}), S.APPROVED),
    "mark_result_ready": (frozenset({S.PROCESSING, S.APPROVED}), S.RESULT_READY),
    "return_result": (frozenset({S.RESULT_READY}), S.RETURNED),
    "withdraw": (
        frozenset(
            {
                S.SUBMITTED,
                S.RECEIVED,
                S.PROCESSING,
                S.AWAITING_SUPPLEMENT,
                S.AWAITING_FINANCIAL_OBLIGATION,
                S.AWAITING_APPROVAL,
                S.APPROVED,
                S.TRANSFERRING,
            }
        ),
        S.WITHDRAWN,
    ),
    "stop": (
        frozenset(
            {
                S.RECEIVED,
                S.PROCESSING,
                S.AWAITING_SUPPLEMENT,
                S.AWAITING_FINANCIAL_OBLIGATION,
                S.AWAITING_APPROVAL,
                S.APPROVED,
            }
        ),
        S.STOPPED,
    ),
    "extend": (frozenset({*_IN_HAND, S.AWAITING_FINANCIAL_OBLIGATION, S.TRANSFERRING}), None),
    "transfer": (frozenset({S.RECEIVED, S.PROCESSING}), S.TRANSFERRING),
    "acknowledge_transfer": (frozenset({S.TRANSFERRING}), S.RECEIVED),
}
# Creation is not in the table: a new row starts at SUBMITTED (online) or RECEIVED (counter).
CREATION_ACTIONS = {"submit_online": S.SUBMITTED, "receive": S.RECEIVED}

ACTION_LABELS = {
    "receive": gettext_lazy("Tiếp nhận hồ sơ"),
    "submit_online": gettext_lazy("Nộp hồ sơ trực tuyến"),
    "accept": gettext_lazy("Tiếp nhận hồ sơ trực tuyến"),
    "refuse": gettext_lazy("Từ chối tiếp nhận"),
    "start_processing": gettext_lazy("Chuyển xử lý"),
    "assign_step": gettext_lazy("Phân công xử lý"),
    "finish_step": gettext_lazy("Hoàn thành bước xử lý"),
    "request_supplement": gettext_lazy("Yêu cầu bổ sung hồ sơ"),
    "resubmit_supplement": gettext_lazy("Công dân bổ sung hồ sơ"),
    "request_financial_obligation": gettext_lazy("Yêu cầu thực hiện nghĩa vụ tài chính"),
    "confirm_payment": gettext_lazy("Xác nhận hoàn thành nghĩa vụ tài chính"),
    "submit_for_approval": gettext_lazy("Trình lãnh đạo phê duyệt"),
    "send_back": gettext_lazy("Lãnh đạo trả lại để xử lý lại"),
    "approve": gettext_lazy("Lãnh đạo phê duyệt"),
    "mark_result_ready": gettext_lazy("Có kết quả"),
    "return_result": gettext_lazy("Trả kết quả"),
    "withdraw": gettext_lazy("Rút hồ sơ"),
    "stop": gettext_lazy("Dừng xử lý"),
    "extend": gettext_lazy("Xin lỗi và gia hạn"),
    "transfer": gettext_lazy("Chuyển liên thông"),
    "acknowledge_transfer": gettext_lazy("Xác nhận nhận hồ sơ liên thông"),
}


# --- who may do what ----------------------------------------------------------------------------

R = Role
RECEIVING, COMPETENT, EITHER = "receiving", "competent", "either"


@dataclass(frozen=True)
class Permit:
    """Who may run an action: one of `roles`, held in the dossier's `unit` ("receiving",
    "competent" or "either"); a role in `holder_only` must also hold the step in hand (be its
    assignee, or, while it is unassigned, belong to its department). `citizen`: the applicant
    (or an anonymous public form) may run it too."""

    roles: frozenset[str]
    unit: str = COMPETENT
    holder_only: frozenset[str] = field(default_factory=frozenset)
    citizen: bool = False
    system: bool = False  # a service may run it on its own facts (`SYSTEM`, see below)


def _permit(roles, unit=COMPETENT, holder_only=(), citizen=False, system=False) -> Permit:
    return Permit(frozenset(roles), unit, frozenset(holder_only), citizen, system)


class _System:
    """The actor of a move another app's service makes on its own recorded facts, not a
    person's click: a payment credited by the platform resumes the dossier that waited for it.
    Only actions whose permit says `system` accept it; audit and events record no person."""

    is_authenticated = False
    kind = "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()


ONE_STOP = (R.COUNTER_OFFICER, R.MANAGER)
PERMITS: dict[str, Permit] = {
    "receive": _permit(ONE_STOP, RECEIVING),
    "accept": _permit(ONE_STOP, RECEIVING),
    "refuse": _permit(ONE_STOP, RECEIVING),
    "start_processing": _permit(ONE_STOP, EITHER),
    "assign_step": _permit((R.MANAGER, R.LEADER)),
    "finish_step": _permit((R.SPECIALIST, R.MANAGER, R.LEADER), holder_only=(R.SPECIALIST,)),
    "request_supplement": _permit(
        (R.COUNTER_OFFICER, R.SPECIALIST, R.MANAGER), EITHER, holder_only=(R.SPECIALIST,)
    ),
    "resubmit_supplement": _permit(ONE_STOP, RECEIVING, citizen=True),
    "request_financial_obligation": _permit(
        (R.SPECIALIST, R.MANAGER, R.LEADER), holder_only=(R.SPECIALIST,)
    ),
    "confirm_payment": _permit((R.COUNTER_OFFICER, R.SPECIALIST, R.MANAGER), EITHER, system=True),
    "submit_for_approval": _permit((R.SPECIALIST, R.MANAGER), holder_only=(R.SPECIALIST,)),
    "send_back": _permit((R.LEADER,)),
    "approve": _permit((R.LEADER,)),
    "mark_result_ready": _permit((R.SPECIALIST, R.MANAGER, R.LEADER), holder_only=(R.SPECIALIST,)),
    "return_result": _permit(ONE_STOP, EITHER, system=True),  # delivered by post (postal)
    "withdraw": _permit(ONE_STOP, EITHER, citizen=True),
    "stop": _permit((R.SPECIALIST, R.MANAGER, R.LEADER), holder_only=(R.SPECIALIST,)),
    "extend": _permit((R.SPECIALIST, R.MANAGER, R.LEADER), holder_only=(R.SPECIALIST,)),
    "transfer": _permit((R.COUNTER_OFFICER, R.MANAGER, R.LEADER)),
    "acknowledge_transfer": _permit((R.COUNTER_OFFICER, R.MANAGER, R.LEADER)),
}
# actions that work on the processing step in hand: offered only while one is open
NEEDS_OPEN_PROCESSING_STEP = frozenset({"assign_step", "finish_step"})


def is_citizen_or_anonymous(actor) -> bool:
    return actor is None or getattr(actor, "kind", None) == "citizen"


def is_applicant(actor, dossier: Dossier) -> bool:
    """A signed-in citizen is this dossier's applicant: the citizen ID their national digital
    identity vouched for (`citizens.CitizenIdentity`, read through the user's reverse relation so
    this module imports nothing of `citizens`) is the dossier's applicant ID number."""
    try:
        identity = actor.citizen_identity
    except (AttributeError, ObjectDoesNotExist):
        return False
    return bool(identity.citizen_id) and identity.citizen_id == dossier.applicant_id_number


def steps_of(dossier: Dossier) -> list[DossierStep]:
    """The dossier's steps in order, read once per object: the role check and the verb of one
    transition share the read taken under the row lock (services keep the objects true to the
    rows they update; `forget_steps` drops the read). A screen's prefetch serves too."""
    prefetched = getattr(dossier, "_prefetched_objects_cache", {}).get("steps")
    if prefetched is not None:
        return sorted(prefetched, key=lambda s: s.order)
    if "_steps_read" not in dossier.__dict__:
        dossier.__dict__["_steps_read"] = list(
            DossierStep.objects.filter(dossier_id=dossier.pk).order_by("order")
        )
    return dossier.__dict__["_steps_read"]


def forget_steps(dossier: Dossier) -> None:
    dossier.__dict__.pop("_steps_read", None)


def step_in_hand(dossier: Dossier) -> DossierStep | None:
    """The processing step the department works on now: the first open one, else the last
    one (after it closed, its holder still answers for the dossier until the result)."""
    steps = [s for s in steps_of(dossier) if s.stage == StepStage.PROCESSING]
    open_steps = [s for s in steps if s.finished_at is None]
    if open_steps:
        return open_steps[0]
    return steps[-1] if steps else None


def holds(user, step: DossierStep | None) -> bool:
    """The user holds `step`: its assignee, or (unassigned) staff of its department/unit."""
    if step is None:
        return False
    if step.assignee_id is not None:
        return step.assignee_id == user.pk
    if step.unit_id not in visible_unit_ids(user, (R.SPECIALIST,)):
        return False
    departments = set(
        StaffAssignment.objects.filter(
            user_id=user.pk, role=R.SPECIALIST, is_active=True
        ).values_list("department_id", flat=True)
    )
    return None in departments or step.department_id in departments


def refusal(actor, action: str, dossier: Dossier) -> str | None:
    """Why `actor` may not run `action` on `dossier` (a Vietnamese sentence), or None."""
    permit = PERMITS.get(action)
    if permit is None:
        return _("Thao tác không tồn tại: %(action)s.") % {"action": action}
    if actor is SYSTEM:
        return None if permit.system else _("Thao tác này cần một người thực hiện.")
    if permit.citizen and is_citizen_or_anonymous(actor):
        # a signed-in citizen acts only on their own dossier; None is a public form or the
        # counter's paper (the demo history, the tests of the table)
        if actor is not None and not is_applicant(actor, dossier):
            return _("Chỉ người nộp hồ sơ được “%(action)s”.") % {"action": ACTION_LABELS[action]}
        return None
    if not getattr(actor, "is_authenticated", False):
        return _("Bạn không có quyền thực hiện thao tác này với hồ sơ.")
    units = {
        RECEIVING: (dossier.receiving_unit_id,),
        COMPETENT: (dossier.competent_unit_id,),
        EITHER: (dossier.receiving_unit_id, dossier.competent_unit_id),
    }[permit.unit]
    held: set[str] = set()
    for unit in units:
        held |= roles_of(actor, unit) & permit.roles
    if not held:
        return _("Vai trò của bạn không được “%(action)s” hồ sơ này.") % {
            "action": ACTION_LABELS[action]
        }
    if held <= permit.holder_only and not holds(actor, step_in_hand(dossier)):
        return _("Chỉ người được giao xử lý hồ sơ (hoặc lãnh đạo, quản lý) được “%(action)s”.") % {
            "action": ACTION_LABELS[action]
        }
    return None


def require(actor, action: str, dossier: Dossier) -> None:
    """Raise PermissionDenied with `refusal`'s reason unless `actor` may run `action`."""
    refused = refusal(actor, action, dossier)
    if refused:
        raise PermissionDenied(refused)


def actions_for(user, dossier: Dossier) -> list[str]:
    """What `user` may do to `dossier` now by both tables: the buttons a screen offers."""
    result = []
    open_processing = None
    for action in allowed_actions(dossier.status):
        if refusal(user, action, dossier) is not None:
            continue
        if action in NEEDS_OPEN_PROCESSING_STEP:
            if open_processing is None:
                step = step_in_hand(dossier)
                open_processing = step is not None and step.finished_at is None
            if not open_processing:
                continue
        result.append(action)
    return result


class IllegalTransition(statemachine.IllegalTransition):
    """An action not allowed now; `reason` is the Vietnamese sentence shown (HTTP 409).

    A kind of the shared `core.statemachine.IllegalTransition`, so one handler answers refused
    moves of dossiers, tickets and bookings alike.
    """

    def __init__(self, reason: str, *, action: str = "", status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.action = action
        self.status = status


class InvariantBroken(IllegalTransition):
    """The action is allowed from this status, but a rule of the dossier forbids it now."""


Move = statemachine.Move  # action, from_status, to_status


def stale_form_message() -> str:
    """What a stale or double-submitted form is told (translated at call time)."""
    return _("Hồ sơ vừa được cập nhật bởi thao tác khác; vui lòng tải lại trang.")


def _refusal(machine, action: str, status: int, row) -> str:
    """Why the table refuses `action` from `status`: a dossier that ended says so."""
    label = str(Status(status).label)
    if status in TERMINAL:
        return _("Hồ sơ đã kết thúc (%(status)s): không thể thực hiện thêm thao tác.") % {
            "status": label
        }
    return _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(status)s”.") % {
        "action": ACTION_LABELS[action],
        "status": label,
    }


def _resume_target(row: Dossier | int | None) -> int:
    """RESUME's status: the one the open supplement request paused, else processing.

    `DOSSIERS.run` passes the locked dossier (one query, only for a resume the table allows);
    `check` passes the paused status itself (the demo generator, which has no row).
    """
    if isinstance(row, Dossier):
        paused = (
            row.supplements.filter(resubmitted_at__isnull=True)
            .values_list("paused_status", flat=True)
            .last()
        )
    else:
        paused = row
    return int(paused) if paused is not None else int(S.PROCESSING)


def _event(outcome: statemachine.Outcome) -> DossierEvent:
    move = outcome.move
    assert move is not None and outcome.at is not None  # the factory only sees a real move
    return DossierEvent(
        dossier=outcome.obj,
        from_status=None if move.from_status == "" else move.from_status,  # "": creation
        to_status=move.to_status,
        action=move.action,
        actor=statemachine.actor_or_none(outcome.actor),
        at=outcome.at,
        note=outcome.note,
        data=audit._normalise(outcome.data),
    )


def _machine_target(target):
    if target is None:
        return statemachine.KEEP
    if target == RESUME:
        return _resume_target
    return int(target)


DOSSIERS = statemachine.Machine(
    name="dossier",
    model=Dossier,
    transitions={a: (src, _machine_target(t)) for a, (src, t) in TRANSITIONS.items()},
    labels=ACTION_LABELS,
    terminal=TERMINAL,
    statuses=Status.values,
    event=_event,
    audit_prefix="dossier.",
    unit=lambda dossier: dossier.competent_unit_id,
    refusal=_refusal,
    stale_reason=stale_form_message,
    error=IllegalTransition,
    current_event_field="current_event",
    audit_kept_status=False,
)


def check(action: str, status: int, *, resume_to: int | None = None) -> Move:
    """The move `action` makes from `status`, or IllegalTransition saying why not.

    `resume_to`: where a resume goes (the paused status), processing when None.
    """
    return DOSSIERS.check(action, status, resume_to)


def allowed_actions(status: int) -> list[str]:
    """Actions a screen may offer for a dossier in `status` (invariants are checked later)."""
    return DOSSIERS.allowed(status)


def _validate_table() -> None:
    """Refuse to import a table with an action nobody may run (`DOSSIERS` checked the rest:
    no way out of a terminal status, known statuses, a label for each action)."""
    for action in TRANSITIONS:
        if action not in PERMITS:
            raise AssertionError(f"{action}: no permit (who may do it)")


_validate_table()
