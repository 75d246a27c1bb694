"""The one state machine of a payment attempt (core.statemachine; docs/decisions/0036).

    created --pay--> paid --refund--> partially_refunded --refund--> refunded
    created --fail--> failed      created --expire--> expired

A payment that arrives after its attempt failed or expired is still money received: `pay` is
allowed from those too (the platform's status correction, a late bank transfer), never from
paid or refunded, so nothing moves a paid attempt back and nothing is credited twice.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from motcua.core.statemachine import Machine, Outcome, actor_or_none

from .models import PaymentAttempt, PaymentEvent

A = PaymentAttempt.Status


def _after_refund(attempt: PaymentAttempt) -> str:
    # the table is read before the verb runs: the refund being made is set aside on the row
    # (`services.refund`'s guard) so the target counts it
    refunded = attempt.refunded_vnd + attempt.refund_pending_vnd
    return A.REFUNDED if refunded >= attempt.amount_vnd else A.PARTIALLY_REFUNDED


TRANSITIONS = {
    "pay": ({A.CREATED, A.FAILED, A.EXPIRED}, A.PAID),
    "fail": ({A.CREATED}, A.FAILED),
    "expire": ({A.CREATED}, A.EXPIRED),
    "refund": ({A.PAID, A.PARTIALLY_REFUNDED}, _after_refund),
}
LABELS = {
    "create": gettext_lazy("Tạo giao dịch"),
    "pay": gettext_lazy("Ghi nhận đã thanh toán"),
    "fail": gettext_lazy("Ghi nhận không thành công"),
    "expire": gettext_lazy("Hết hạn thanh toán"),
    "refund": gettext_lazy("Hoàn tiền"),
}


def _event(outcome: Outcome) -> PaymentEvent:
    assert outcome.move is not None
    return PaymentEvent(
        attempt=outcome.obj,
        from_status=outcome.move.from_status,
        to_status=outcome.move.to_status,
        action=outcome.move.action,
        at=outcome.at,
        actor=actor_or_none(outcome.actor),
        data=outcome.data,
    )


ATTEMPTS = Machine(
    name="payment_attempt",
    model=PaymentAttempt,
    transitions=TRANSITIONS,
    labels=LABELS,
    terminal={A.REFUNDED},
    statuses=A.values,
    event=_event,
    audit_prefix="payment.attempt_",
    unit=lambda attempt: attempt.request.unit_id,
)
