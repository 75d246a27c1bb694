"""What a credited payment does to its dossier (issue 14, part 5): a dossier waiting for its
financial obligation resumes by itself, with no person on the event; fees paid online count for
the index; an officer who moved first is not overruled; nothing else runs as the system."""

import pytest

from motcua.core.models import AuditEvent
from motcua.core.statemachine import IllegalTransition
from motcua.dossiers import services as dossier_services
from motcua.dossiers import workflow
from motcua.dossiers.models import DossierEvent, Status
from motcua.payments import services
from tests.dossiers.factories import drive_to

from .helpers import fee_request, report

pytestmark = pytest.mark.django_db


def waiting(world):
    dossier = drive_to(world, Status.PROCESSING)
    return dossier_services.request_financial_obligation(
        world.specialist, dossier_id=dossier.pk, amount_vnd=1_250_000, note="Thuế thu nhập"
    )


def test_a_dossier_waiting_for_its_obligation_resumes_when_the_bank_transfer_is_credited(world):
    dossier = waiting(world)
    request = services.request_obligation(world.officer, dossier_id=dossier.pk)
    assert request.amount_vnd == 1_250_000 and request.lines[0]["condition"] == "Thuế thu nhập"
    assert services.request_obligation(world.officer, dossier_id=dossier.pk).pk == request.pk
    attempt = services.start_attempt(
        world.officer, request_id=request.pk, method="vietqr", idempotency_key="qr-1"
    )
    services.record_paid(None, report=report(attempt, transaction_id="FT2611020001"))
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.paid_online
    resumed = DossierEvent.objects.get(dossier=dossier, action="confirm_payment")
    assert resumed.actor is None and resumed.data["reference"] == request.reference
    assert AuditEvent.objects.filter(action="dossier.confirm_payment", actor=None).exists()


def test_cash_for_the_obligation_resumes_it_too_but_not_as_an_online_payment(world):
    dossier = waiting(world)
    request = services.request_obligation(world.officer, dossier_id=dossier.pk)
    services.take_at_counter(
        world.officer, request_id=request.pk, method="cash", idempotency_key="cash-1"
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and not dossier.paid_online


def test_an_officer_who_confirmed_first_is_not_overruled_and_the_credit_stands(world):
    dossier = waiting(world)
    request = services.request_obligation(world.officer, dossier_id=dossier.pk)
    attempt = services.start_attempt(
        world.officer, request_id=request.pk, method="vietqr", idempotency_key="qr-1"
    )
    dossier_services.confirm_payment(world.officer, dossier_id=dossier.pk, paid_online=False)
    services.record_paid(None, report=report(attempt))
    attempt.refresh_from_db()
    assert attempt.status == "paid"
    assert DossierEvent.objects.filter(dossier=dossier, action="confirm_payment").count() == 1


def test_no_obligation_request_for_a_dossier_that_is_not_waiting(world):
    dossier = drive_to(world, Status.PROCESSING)
    with pytest.raises(IllegalTransition):
        services.request_obligation(world.officer, dossier_id=dossier.pk)


def test_fees_paid_online_count_for_the_index_and_are_audited(world):
    request = fee_request(world)
    attempt = services.start_attempt(
        world.officer, request_id=request.pk, method="vietqr", idempotency_key="qr"
    )
    services.record_paid(None, report=report(attempt))
    request.dossier.refresh_from_db()
    assert request.dossier.paid_online
    assert AuditEvent.objects.filter(action="dossier.fees_paid_online").count() == 1


def test_the_system_runs_only_the_moves_its_permit_allows(world):
    dossier = drive_to(world, Status.AWAITING_APPROVAL)
    assert workflow.refusal(workflow.SYSTEM, "approve", dossier)
    assert workflow.refusal(workflow.SYSTEM, "confirm_payment", dossier) is None
