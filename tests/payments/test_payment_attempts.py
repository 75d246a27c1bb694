"""Payment requests and attempts (`payments.services`): the amount frozen once, one attempt per
double click, exactly-once crediting, the attempt's one state machine, refunds within what
was paid, and who may do what."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from motcua.accounts.models import Role
from motcua.catalog.models import Fee
from motcua.core.models import AuditEvent
from motcua.core.statemachine import IllegalTransition
from motcua.payments import services
from motcua.payments.models import PaymentAttempt, PaymentEvent, PaymentRequest
from tests.dossiers.factories import make_staff, receive

from .helpers import WHEN, fee_request, report

pytestmark = pytest.mark.django_db
A = PaymentAttempt.Status


def attempt(world, request=None, *, method="platform", key="k1"):
    request = request or fee_request(world)
    return services.start_attempt(
        world.officer, request_id=request.pk, method=method, idempotency_key=key, at=WHEN
    )


def test_the_request_freezes_the_breakdown_with_its_legal_basis(world):
    Fee.objects.filter(procedure=world.procedure).update(legal_basis="NQ 12/2018/NQ-HĐND")
    request = fee_request(world)
    assert request.amount_vnd == 8000 and request.status == PaymentRequest.Status.OPEN
    assert request.lines[0]["legal_basis"] == "NQ 12/2018/NQ-HĐND"
    Fee.objects.filter(procedure=world.procedure).update(amount_vnd=99000)
    again = services.request_fees(world.officer, dossier_id=request.dossier_id)
    assert again.pk == request.pk and again.amount_vnd == 8000  # later changes never alter it
    assert AuditEvent.objects.filter(action="payment.request_created").count() == 1


def test_an_exempt_dossier_owes_nothing_and_its_request_is_paid_at_once(world):
    from motcua.payments.models import FeeRelief

    FeeRelief.objects.create(
        unit=world.province,
        name="Miễn cho hộ nghèo",
        legal_basis="TT 85/2019/TT-BTC",
        condition="poor_household",
        percent=100,
        valid_from=dt.date(2020, 1, 1),
    )
    request = fee_request(world, conditions=frozenset({"poor_household"}))
    assert request.amount_vnd == 0 and request.status == PaymentRequest.Status.PAID
    assert request.lines[0]["relief"]["name"] == "Miễn cho hộ nghèo"


def test_an_unknown_amount_cannot_be_charged(world):
    Fee.objects.filter(procedure=world.procedure).update(amount_vnd=None)
    with pytest.raises(ValidationError, match="chưa có trong danh mục"):
        fee_request(world)


def test_a_double_clicked_pay_button_makes_one_attempt(world):
    first = attempt(world)
    second = services.start_attempt(
        world.officer, request_id=first.request_id, method="platform", idempotency_key="k1"
    )
    assert first.pk == second.pk
    assert PaymentAttempt.objects.count() == 1
    assert first.amount_vnd == 8000 and first.reference.startswith("MC")
    assert first.expires_at == WHEN + dt.timedelta(minutes=15)
    created = PaymentEvent.objects.get(attempt=first)
    assert (created.from_status, created.to_status, created.action) == ("", A.CREATED, "create")


def test_a_paid_report_credits_once_and_settles_the_request(world):
    a = attempt(world)
    services.record_paid(None, report=report(a))
    services.record_paid(None, report=report(a))  # the platform says it twice: no-op
    a.refresh_from_db()
    assert a.status == A.PAID and a.provider_transaction_id == "PG-0001"
    assert a.events.filter(action="pay").count() == 1
    assert AuditEvent.objects.filter(action="payment.attempt_pay").count() == 1
    a.request.refresh_from_db()
    assert a.request.status == PaymentRequest.Status.PAID


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"amount_vnd": 7999}, "wrong_amount"),
        ({"amount_vnd": 80000}, "wrong_amount"),
        ({"currency": "USD"}, "wrong_currency"),
        ({"reference": "MC0000000000"}, "unknown_reference"),
    ],
)
def test_a_report_that_does_not_match_its_attempt_credits_nothing(world, change, code):
    a = attempt(world)
    with pytest.raises(services.PaymentRefused) as refused:
        services.record_paid(None, report=report(a, **change))
    assert refused.value.code == code
    a.refresh_from_db()
    assert a.status == A.CREATED and not a.events.filter(action="pay").exists()


def test_a_second_transaction_for_a_paid_attempt_is_refused(world):
    a = attempt(world)
    services.record_paid(None, report=report(a))
    with pytest.raises(services.PaymentRefused) as refused:
        services.record_paid(None, report=report(a, transaction_id="PG-0002"))
    assert refused.value.code == "already_paid"


def test_one_transaction_never_credits_two_attempts(world):
    first = attempt(world)
    other = attempt(world, key="k-other-dossier")  # the same request, another attempt
    services.record_paid(None, report=report(first))
    with pytest.raises(services.PaymentRefused) as refused:
        services.record_paid(None, report=report(other, transaction_id="PG-0001"))
    assert refused.value.code in ("transaction_reused", "unknown_reference")
    other.refresh_from_db()
    assert other.status == A.CREATED


def test_a_late_payment_credits_an_expired_attempt_but_failure_never_undoes_a_payment(world):
    a = attempt(world)
    assert services.expire_attempts(at=WHEN + dt.timedelta(minutes=16)) == 1
    a.refresh_from_db()
    assert a.status == A.EXPIRED
    services.record_paid(None, report=report(a))  # the transfer arrived after all
    a.refresh_from_db()
    assert a.status == A.PAID
    with pytest.raises(IllegalTransition):
        services.record_failed(None, reference=a.reference, reason="timeout")
    a.refresh_from_db()
    assert a.status == A.PAID


def test_expiry_leaves_attempts_still_in_time_alone(world):
    attempt(world)
    assert services.expire_attempts(at=WHEN + dt.timedelta(minutes=14)) == 0


def test_refunds_in_parts_never_beyond_what_was_paid(world):
    a = attempt(world)
    services.record_paid(None, report=report(a))
    manager = world.manager
    services.refund(manager, attempt_id=a.pk, amount_vnd=3000, reason="Thu thừa")
    a.refresh_from_db()
    assert (a.status, a.refunded_vnd) == (A.PARTIALLY_REFUNDED, 3000)
    with pytest.raises(ValidationError):
        services.refund(manager, attempt_id=a.pk, amount_vnd=5001, reason="Thu thừa")
    services.refund(manager, attempt_id=a.pk, amount_vnd=5000, reason="Hủy hồ sơ")
    a.refresh_from_db()
    assert (a.status, a.refunded_vnd) == (A.REFUNDED, 8000)
    with pytest.raises(IllegalTransition):
        services.refund(manager, attempt_id=a.pk, amount_vnd=1, reason="Thêm")


def test_a_refund_needs_a_manager_of_the_collecting_unit_and_a_reason(world):
    a = attempt(world)
    services.record_paid(None, report=report(a))
    with pytest.raises(PermissionDenied):
        services.refund(world.officer, attempt_id=a.pk, amount_vnd=1000, reason="Thu thừa")
    outsider = make_staff((Role.MANAGER, world.other))
    with pytest.raises(PermissionDenied):
        services.refund(outsider, attempt_id=a.pk, amount_vnd=1000, reason="Thu thừa")
    with pytest.raises(ValidationError):
        services.refund(world.manager, attempt_id=a.pk, amount_vnd=1000, reason="  ")


def test_cash_at_the_counter_is_paid_at_once_and_names_who_took_it(world):
    request = fee_request(world)
    a = services.take_at_counter(
        world.officer, request_id=request.pk, method="cash", idempotency_key="cash-1", at=WHEN
    )
    again = services.take_at_counter(
        world.officer, request_id=request.pk, method="cash", idempotency_key="cash-1", at=WHEN
    )
    assert a.pk == again.pk and a.status == A.PAID and a.created_by == world.officer
    assert a.events.get(action="pay").actor == world.officer


def test_only_the_receiving_units_one_stop_staff_take_fees(world):
    dossier = receive(world)
    for refused in (world.specialist, world.leader, world.other_officer):
        with pytest.raises(PermissionDenied):
            services.request_fees(refused, dossier_id=dossier.pk)
    request = services.request_fees(world.officer, dossier_id=dossier.pk)
    for refused in (world.specialist, world.other_officer):
        with pytest.raises(PermissionDenied):
            services.take_at_counter(
                refused, request_id=request.pk, method="cash", idempotency_key="x"
            )


def test_a_paid_request_takes_no_new_attempt(world):
    a = attempt(world)
    services.record_paid(None, report=report(a))
    with pytest.raises(IllegalTransition):
        attempt(world, a.request, key="k2")
