"""The bank's transfer notifications (`POST /thanh-toan/ngan-hang/thong-bao/`, VietQR): signed
with the agreed secret, the attempt found in the bank's altered transfer text, credited once;
forged, unreadable, replayed, wrong-amount and unknown ones answered as the protocol says and
credit nothing."""

import json

import pytest
from django.urls import reverse

from motcua.payments import bank, services
from motcua.payments.models import CollectionAccount, PaymentAttempt, PaymentRequest

from .helpers import fee_request

pytestmark = pytest.mark.django_db
URL = "/thanh-toan/ngan-hang/thong-bao/"
SECRET = "bi-mat-voi-ngan-hang"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.MOTCUA_BANK_WEBHOOK_SECRET = SECRET


def qr_attempt(world) -> PaymentAttempt:
    request = fee_request(world)
    CollectionAccount.objects.get_or_create(
        unit_id=request.unit_id,
        defaults={
            "bank_bin": "970415",
            "bank_code": "icb",
            "bank_name": "VietinBank",
            "account_number": "113366668888",
            "account_name": "UBND XA AN HUNG",
        },
    )
    return services.start_attempt(
        world.officer, request_id=request.pk, method="vietqr", idempotency_key="qr"
    )


def notify(client, payload: dict, *, secret: str = SECRET, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(payload).encode()
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        headers={"X-Signature": bank.sign(body, secret)},
    )


def transfer(attempt, **kw) -> dict:
    return {
        "transactionId": "FT26110212345",
        "amount": attempt.amount_vnd,
        "currency": "VND",
        "accountNumber": "113366668888",
        # what banks do to the payer's text: a prefix, the case changed, the reference split
        "description": f"IBFT {attempt.reference[:5].lower()} {attempt.reference[5:]} NGUYEN VAN",
        **kw,
    }


def test_a_signed_notification_credits_the_attempt_found_in_the_banks_text(client, world):
    attempt = qr_attempt(world)
    assert reverse("payments_public:bank_notification") == URL
    answer = notify(client, transfer(attempt))
    assert answer.status_code == 200 and answer.json()["code"] == "00"
    attempt.refresh_from_db()
    assert attempt.status == "paid" and attempt.provider_transaction_id == "bank:FT26110212345"
    assert PaymentRequest.objects.get(pk=attempt.request_id).status == PaymentRequest.Status.PAID
    again = notify(client, transfer(attempt))  # the bank retries: acknowledged, not re-credited
    assert again.json()["code"] == "00" and attempt.events.filter(action="pay").count() == 1


def test_a_forged_or_unsigned_notification_is_refused(client, world, settings):
    attempt = qr_attempt(world)
    assert notify(client, transfer(attempt), secret="doan-mo").status_code == 401
    unsigned = client.post(URL, data=json.dumps(transfer(attempt)), content_type="application/json")
    assert unsigned.status_code == 401
    settings.MOTCUA_BANK_WEBHOOK_SECRET = ""  # no secret agreed: nothing is believed
    assert notify(client, transfer(attempt), secret="").status_code == 401
    attempt.refresh_from_db()
    assert attempt.status == "created"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"not json", "not_json"),
        (b"[1, 2]", "not_an_object"),
        (json.dumps({"transactionId": "x", "amount": "8000"}).encode(), "bad_amount"),
        (json.dumps({"transactionId": "x", "amount": True}).encode(), "bad_amount"),
        (json.dumps({"amount": 8000, "description": "MC0123456789"}).encode(), "no_transaction_id"),
        (json.dumps({"transactionId": "x", "amount": 8000, "description": "chuyen"}).encode(),
         "no_reference"),
        (b"{" + b" " * bank.MAX_BODY + b"}", "too_large"),
    ],
)  # fmt: skip
def test_an_unreadable_notification_is_answered_01_and_credits_nothing(client, world, raw, code):
    qr_attempt(world)
    answer = notify(client, {}, raw=raw)
    assert answer.status_code == 400 and answer.json() == {"code": "01", "message": code}
    assert not PaymentAttempt.objects.filter(status="paid").exists()


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"amount": 7000}, "wrong_amount"),
        ({"currency": "USD"}, "wrong_currency"),
        ({"description": "MCZZZZZZZZZZ"}, "unknown_reference"),
    ],
)
def test_a_transfer_that_does_not_match_is_acknowledged_but_not_credited(
    client, world, change, why
):
    attempt = qr_attempt(world)
    answer = notify(client, transfer(attempt, **change))
    assert answer.status_code == 200 and answer.json() == {"code": "02", "message": why}
    attempt.refresh_from_db()
    assert attempt.status == "created"


def test_a_repeat_is_answered_after_one_read_and_a_credit_stays_within_its_statements(world):
    """What lets a province's bank endpoint keep up (issue 14: > 500 notifications/s): the
    repeat of a credited transfer (banks resend) reads one row and writes nothing; a credit
    is one transaction of a bounded number of statements (docs/benchmarks.md)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.core.models import AuditEvent
    from motcua.payments.models import PaymentEvent, Receipt

    attempt = qr_attempt(world)
    report = services.Report(
        reference=attempt.reference,
        amount_vnd=attempt.amount_vnd,
        transaction_id="bank:FT1",
        source="bank",
    )
    audited = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as credit:
        services.record_bank_transfer(report=report, account="113366668888")
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")  # the test's transaction
    statements = [q["sql"] for q in credit.captured_queries]
    assert len([s for s in statements if not s.startswith(control)]) <= 12, statements
    attempt.refresh_from_db()
    assert attempt.status == PaymentAttempt.Status.PAID
    assert PaymentRequest.objects.get().status == PaymentRequest.Status.PAID
    assert PaymentEvent.objects.filter(action="pay").count() == Receipt.objects.count() == 1
    # the attempt, its receipt, the request, the dossier paid online: each audited
    assert AuditEvent.objects.count() - audited == 4

    with CaptureQueriesContext(connection) as repeat:
        again = services.record_bank_transfer(report=report, account="113366668888")
    assert again.pk == attempt.pk and again.status == PaymentAttempt.Status.PAID
    assert len(repeat.captured_queries) == 1
    assert "FOR UPDATE" not in repeat.captured_queries[0]["sql"]
    assert AuditEvent.objects.count() - audited == 4
