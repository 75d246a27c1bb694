"""The one state machine of a petition (core.statemachine; docs/decisions/0044-petitions.md).

    received --assign--> assigned --answer--> answered --publish--> published (--rate-->)
    received, assigned --transfer--> transferred (a new petition in the other unit)
    received, assigned, answered --close--> closed
    received, assigned --flag_overdue--> (same status, `overdue` set)
    received, assigned, answered, published --link_dossier--> (same status, `dossier` set/cleared)

`assign` from assigned hands the petition to another handler (or department). Closed and
transferred are the end; a published answer can only be rated, once, by its submitter.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from motcua.core.statemachine import KEEP, Machine, Outcome, actor_or_none

from .models import Petition, PetitionEvent

S = Petition.Status

TRANSITIONS = {
    "assign": ({S.RECEIVED, S.ASSIGNED}, S.ASSIGNED),
    "answer": ({S.ASSIGNED}, S.ANSWERED),
    "publish": ({S.ANSWERED}, S.PUBLISHED),
    "close": ({S.RECEIVED, S.ASSIGNED, S.ANSWERED}, S.CLOSED),
    "transfer": ({S.RECEIVED, S.ASSIGNED}, S.TRANSFERRED),
    "flag_overdue": ({S.RECEIVED, S.ASSIGNED}, KEEP),
    "rate": ({S.PUBLISHED}, KEEP),
    "link_dossier": ({S.RECEIVED, S.ASSIGNED, S.ANSWERED, S.PUBLISHED}, KEEP),
}
LABELS = {
    "receive": gettext_lazy("Tiếp nhận"),
    "assign": gettext_lazy("Giao xử lý"),
    "answer": gettext_lazy("Trả lời"),
    "publish": gettext_lazy("Công khai trả lời"),
    "close": gettext_lazy("Đóng phản ánh"),
    "transfer": gettext_lazy("Chuyển đơn vị có thẩm quyền"),
    "flag_overdue": gettext_lazy("Đánh dấu quá hạn"),
    "rate": gettext_lazy("Đánh giá trả lời"),
    "link_dossier": gettext_lazy("Gắn hồ sơ liên quan"),
}


def _event(outcome: Outcome) -> PetitionEvent:
    assert outcome.move is not None
    return PetitionEvent(
        petition=outcome.obj,
        action=outcome.move.action,
        from_status=outcome.move.from_status,
        to_status=outcome.move.to_status,
        at=outcome.at,
        actor=actor_or_none(outcome.actor),
        note=outcome.note,
        data=outcome.data,
    )


PETITIONS = Machine(
    name="petition",
    model=Petition,
    transitions=TRANSITIONS,
    labels=LABELS,
    terminal={S.CLOSED, S.TRANSFERRED},
    statuses=S.values,
    event=_event,
    audit_prefix="petition.",
)
