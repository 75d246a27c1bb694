"""The dossier state machine as data: which action moves which status where.

One table, validated here and used by `services.transition` only. Terminal statuses have no way
out. A target of `None` means "the status stays" (steps, extensions); `RESUME` means "back to
the status the dossier was paused from" (a supplement pause records it).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core import statemachine

from .models import Status

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


@dataclass(frozen=True)
class Move:
    action: str
    from_status: int
    to_status: int


def check(action: str, status: int, *, resume_to: int | None = None) -> Move:
    """The move `action` makes from `status`, or IllegalTransition saying why not."""
    if action not in TRANSITIONS:
        raise IllegalTransition(
            _("Thao tác không tồn tại: %(action)s.") % {"action": action}, action=action
        )
    label = str(Status(status).label)
    if status in TERMINAL:
        raise IllegalTransition(
            _("Hồ sơ đã kết thúc (%(status)s): không thể thực hiện thêm thao tác.")
            % {"status": label},
            action=action,
            status=status,
        )
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise IllegalTransition(
            _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(status)s”.")
            % {"action": ACTION_LABELS[action], "status": label},
            action=action,
            status=status,
        )
    if target is None:
        target = status
    elif target == RESUME:
        target = resume_to if resume_to is not None else S.PROCESSING
    return Move(action=action, from_status=status, to_status=int(target))


def allowed_actions(status: int) -> list[str]:
    """Actions a screen may offer for a dossier in `status` (invariants are checked later)."""
    if status in TERMINAL:
        return []
    return [a for a, (sources, _t) in TRANSITIONS.items() if status in sources]


def _validate_table() -> None:
    """Refuse to import a table that lets a terminal status out or names unknown statuses."""
    known = {s.value for s in Status}
    for action, (sources, target) in TRANSITIONS.items():
        if sources & TERMINAL:
            raise AssertionError(f"{action}: a terminal status cannot be a source")
        if not sources <= known or (target not in (None, RESUME) and target not in known):
            raise AssertionError(f"{action}: unknown status")
        if action not in ACTION_LABELS:
            raise AssertionError(f"{action}: no label")


_validate_table()
