"""The platform's daily reconciliation file (DOISOAT, docs/payment-platform.md), fetched by the
nightly job from the simulator served over real HTTP: a payment whose CHECK never happened is
credited from the file, exactly once; the same file again changes nothing; a forged answer is
not believed. And the file uploaded by a manager, with a broken line."""

import pytest

from motcua.payments import reconciliation, services, tasks
from motcua.payments.models import PaymentAttempt, ReconciliationLine, ReconciliationRun
from motcua.paysim.models import Behaviour, SimulatedTransaction
from tests.dossiers.factories import at
from tests.payments.test_national_platform import (  # noqa: F401 (the fixture)
    pay_on_the_platforms_page,
    paygov,
    request_of,
    start,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("paygov")]
A = PaymentAttempt.Status
OUT = ReconciliationLine.Outcome
PAID_ON = at(2026, 11, 2, 15, 20)
NIGHT = at(2026, 11, 3, 2, 30)


def paid_on_the_platform(world) -> tuple[PaymentAttempt, SimulatedTransaction]:
    attempt = start(world, request_of(world))
    pay_on_the_platforms_page(attempt)
    txn = SimulatedTransaction.objects.get(reference=attempt.reference)
    txn.paid_at = PAID_ON  # the day the file is asked for, whatever today is
    txn.save(update_fields=["paid_at"])
    return attempt, txn


def test_the_nightly_job_credits_from_the_platforms_file_a_payment_nobody_checked(world):
    lost, lost_txn = paid_on_the_platform(world)  # the citizen closed the page, no CHECK yet
    assert PaymentAttempt.objects.get(pk=lost.pk).status == A.CREATED

    assert tasks.reconcile_recent_days(at=NIGHT) == 1  # 31/10 and 1/11: nothing settled
    run = ReconciliationRun.objects.get()
    assert (run.unit, run.source, run.file_name) == (
        world.commune,
        "platform",
        "doisoat-20261102.txt",
    )
    line = run.lines.get()
    assert (line.outcome, line.attempt_id, line.key) == (
        OUT.CREDITED,
        lost.pk,
        f"platform:{lost_txn.transaction_id}",
    )
    lost.refresh_from_db()
    assert lost.status == A.PAID and lost.provider_transaction_id == lost_txn.transaction_id

    assert tasks.reconcile_recent_days(at=NIGHT) == 0  # the same file: the same run
    assert ReconciliationRun.objects.count() == 1
    services.check_platform(lost.reference)  # the CHECK comes at last: the same transaction
    assert lost.events.filter(action="pay").count() == 1


def test_a_forged_or_missing_file_is_not_believed_and_asked_again(world):
    paid_on_the_platform(world)
    Behaviour.objects.update_or_create(pk=1, defaults={"forge_answers": True})
    assert tasks.reconcile_recent_days(at=NIGHT) == 0
    Behaviour.objects.update_or_create(pk=1, defaults={"forge_answers": False, "down": True})
    assert tasks.reconcile_recent_days(at=NIGHT) == 0
    assert ReconciliationRun.objects.count() == 0
    Behaviour.objects.update_or_create(pk=1, defaults={"down": False})
    # two nights later the missed day is still caught up
    assert tasks.reconcile_recent_days(at=at(2026, 11, 5, 2, 30)) == 1
    assert ReconciliationRun.objects.get().file_name == "doisoat-20261102.txt"


def test_a_manager_uploads_the_platforms_file_with_a_broken_line(world, client):
    attempt, _txn = paid_on_the_platform(world)
    text = client.get("/gia-lap/thanh-toan/doi-soat/20261102/").content.decode()
    assert text.startswith("MaGiaoDich|MaThamChieu|MaDonVi|SoTien|")
    text += f"PGBROKEN|MCXXXXXXXXXX|{world.commune.code}|tám nghìn|VND|20261102100000|thanh-cong\n"
    text += f"PGELSE|MC0000000000|{world.other.code}|8000|VND|20261102100000|thanh-cong\n"
    run = reconciliation.reconcile(
        world.manager,
        unit_id=world.commune.pk,
        source="platform",
        data=text.encode(),
        file_name="doisoat.txt",
        at=NIGHT,
    ).run
    assert [(x.row_number, x.outcome) for x in run.lines.order_by("row_number")] == [
        (2, OUT.CREDITED),
        (3, OUT.INVALID),  # another unit's line (row 4) is not this unit's business
    ]
    assert run.lines.get(row_number=3).problem == "Số tiền không hợp lệ."
    attempt.refresh_from_db()
    assert attempt.status == A.PAID
