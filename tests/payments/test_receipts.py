"""E-receipts (biên lai điện tử): exactly one per credit on every path (counter cash and card,
the bank's VietQR notification, the national platform's status), none for a replay, numbered
from the unit's series of the year; voided only by a manager with a reason, a new number for
the payment that stands; refunds void them; the PDF renders Vietnamese; downloads scoped."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from motcua.core.models import AuditEvent
from motcua.core.statemachine import IllegalTransition
from motcua.payments import bank, receipts, services
from motcua.payments.models import CollectionAccount, Receipt, ReceiptIssuer
from tests.dossiers.factories import at, make_staff

from .helpers import WHEN, fee_request, report
from .test_bank_notifications import qr_attempt

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (5, "Năm đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (105, "Một trăm linh năm đồng"),
        (8000, "Tám nghìn đồng"),
        (24_000, "Hai mươi tư nghìn đồng"),
        (100_000, "Một trăm nghìn đồng"),
        (115_000, "Một trăm mười lăm nghìn đồng"),
        (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
        (2_000_000_000, "Hai tỷ đồng"),
        (1_200_050_000, "Một tỷ hai trăm triệu không trăm năm mươi nghìn đồng"),
    ],
)
def test_amounts_are_written_in_vietnamese_words(amount, words):
    assert receipts.amount_in_words(amount) == words


def cash(world, key="k1", when=WHEN):
    request = fee_request(world)
    return services.take_at_counter(
        world.officer, request_id=request.pk, method="cash", idempotency_key=key, at=when
    )


def test_counter_cash_issues_one_receipt_with_who_took_it_and_the_basis(world):
    ReceiptIssuer.objects.create(unit=world.commune, tax_code="0201234567", symbol="BL-26E")
    CollectionAccount.objects.create(
        unit=world.commune,
        bank_bin="970415",
        bank_code="icb",
        bank_name="VietinBank",
        account_number="113366668888",
        account_name="UBND XA AN HUNG",
    )
    attempt = cash(world)
    again = services.take_at_counter(  # the same form pressed twice
        world.officer, request_id=attempt.request_id, method="cash", idempotency_key="k1", at=WHEN
    )
    assert again.pk == attempt.pk
    receipt = Receipt.objects.get()
    assert (receipt.number, receipt.year, receipt.label) == (1, 2026, "0000001/2026")
    assert receipt.amount_vnd == 8000 and receipt.amount_words == "Tám nghìn đồng"
    assert receipt.collected_by == world.officer and receipt.collected_at == WHEN
    assert receipt.method == "cash" and receipt.unit_tax_code == "0201234567"
    assert "113366668888" in receipt.account_text
    assert receipt.lines == attempt.request.lines and receipt.payer_name
    assert AuditEvent.objects.filter(action="payment.receipt_issued").count() == 1


def test_card_at_the_counter_issues_one_receipt(world):
    request = fee_request(world)
    services.take_at_counter(
        world.officer, request_id=request.pk, method="card", idempotency_key="c", at=WHEN
    )
    assert Receipt.objects.get().method == "card"


def test_a_bank_notification_issues_one_receipt_and_its_replay_none(client, world, settings):
    settings.MOTCUA_BANK_WEBHOOK_SECRET = "s"
    attempt = qr_attempt(world)  # the unit has its collection account
    body = json.dumps(
        {
            "transactionId": "FT1",
            "amount": 8000,
            "currency": "VND",
            "accountNumber": "113366668888",
            "description": attempt.reference,
        }
    ).encode()
    for _ in range(3):  # the bank retries
        answer = client.post(
            "/thanh-toan/ngan-hang/thong-bao/",
            data=body,
            content_type="application/json",
            headers={"X-Signature": bank.sign(body, "s")},
        )
        assert answer.json()["code"] == "00"
    receipt = Receipt.objects.get()
    assert receipt.method == "vietqr" and receipt.collected_by is None
    assert receipt.collected_at is None


def test_the_platforms_confirmation_issues_one_receipt_and_refusals_none(world):
    request = fee_request(world)
    attempt = services.start_attempt(
        world.officer, request_id=request.pk, method="platform", idempotency_key="p"
    )
    services.record_paid(None, report=report(attempt, source="platform"), at=WHEN)
    services.record_paid(None, report=report(attempt, source="platform"), at=WHEN)  # replay
    with pytest.raises(services.PaymentRefused):
        services.record_paid(None, report=report(attempt, transaction_id="OTHER"), at=WHEN)
    with pytest.raises(services.PaymentRefused):
        services.record_paid(None, report=report(attempt, amount_vnd=1), at=WHEN)
    assert Receipt.objects.get().method == "platform"


def test_numbers_follow_each_other_per_unit_and_restart_each_year(world):
    first = cash(world, "a", at(2026, 12, 30, 9))
    second = cash(world, "b", at(2026, 12, 30, 10))
    third = cash(world, "c", at(2027, 1, 4, 9))
    other_request = services.request_fees(
        world.other_officer, dossier_id=_other_dossier(world).pk, at=WHEN
    )
    services.take_at_counter(
        world.other_officer, request_id=other_request.pk, method="cash", idempotency_key="o"
    )
    labels = {a.pk: Receipt.objects.get(attempt=a).label for a in (first, second, third)}
    assert list(labels.values()) == ["0000001/2026", "0000002/2026", "0000001/2027"]
    assert Receipt.objects.get(unit=world.other).number == 1


def _other_dossier(world):
    from motcua.dossiers import services as dossier_services
    from tests.dossiers.factories import applicant

    return dossier_services.receive_at_counter(
        world.other_officer,
        procedure=world.procedure,
        receiving_unit=world.other,
        applicant=applicant(),
        at=WHEN,
    )


def test_voiding_needs_a_manager_and_a_reason_and_issues_a_new_number(world):
    attempt = cash(world)
    receipt = Receipt.objects.get(attempt=attempt)
    with pytest.raises(PermissionDenied):
        receipts.void(world.officer, receipt_id=receipt.pk, reason="sai tên")
    other_manager = make_staff(("manager", world.other), name="Quản Lý Khác")
    with pytest.raises(PermissionDenied):
        receipts.void(other_manager, receipt_id=receipt.pk, reason="sai tên")
    with pytest.raises(ValidationError):
        receipts.void(world.manager, receipt_id=receipt.pk, reason="  ", at=WHEN)
    done = receipts.void(
        world.manager, receipt_id=receipt.pk, reason="Ghi sai tên người nộp", at=WHEN
    )
    receipt.refresh_from_db()
    assert receipt.status == "void" and receipt.void_reason == "Ghi sai tên người nộp"
    assert receipt.voided_by == world.manager
    assert done.replacement.number == 2 and done.replacement.replaces == receipt
    assert done.replacement.collected_by == world.officer  # who took the money stays
    with pytest.raises(IllegalTransition):
        receipts.void(world.manager, receipt_id=receipt.pk, reason="lần nữa", at=WHEN)
    assert Receipt.objects.count() == 2  # number 1 stays in the series, marked void


def test_a_full_refund_voids_the_receipt_and_a_partial_one_reissues_what_was_kept(world):
    attempt = cash(world)
    services.refund(
        world.manager, attempt_id=attempt.pk, amount_vnd=3000, reason="thu thừa", at=WHEN
    )
    first, second = Receipt.objects.order_by("number")
    assert first.status == "void" and first.void_reason == "Hoàn tiền: thu thừa"
    assert second.status == "valid" and second.amount_vnd == 5000
    assert second.amount_words == "Năm nghìn đồng" and second.replaces == first
    services.refund(
        world.manager, attempt_id=attempt.pk, amount_vnd=5000, reason="rút hồ sơ", at=WHEN
    )
    second.refresh_from_db()
    assert second.status == "void" and second.void_reason.startswith("Hoàn tiền")
    assert Receipt.objects.count() == 2 and not Receipt.objects.filter(status="valid").exists()
    # and nothing stands to be re-issued when a voided-by-refund receipt is voided again
    with pytest.raises(IllegalTransition):
        receipts.void(world.manager, receipt_id=second.pk, reason="x", at=WHEN)


def test_the_pdf_renders_the_receipt_in_vietnamese(world, tmp_path, artifacts_dir):
    from tests.dossiers.test_papers import pdf_text

    attempt = cash(world)
    receipt = Receipt.objects.get(attempt=attempt)
    pdf = receipts.render_pdf(receipt)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    for expected in ("BIÊN LAI THU PHÍ, LỆ PHÍ", "0000001/2026", "Tám nghìn đồng", "Xã An Hưng"):
        assert expected in text
    assert "Trần Thị Một Cửa" in text  # who took the money
    services.refund(
        world.manager, attempt_id=attempt.pk, amount_vnd=3000, reason="thu thừa", at=WHEN
    )
    receipt.refresh_from_db()
    void_text = pdf_text(receipts.render_pdf(receipt), tmp_path)
    assert "ĐÃ HỦY" in void_text and "Hoàn tiền: thu thừa" in void_text
    kept = Receipt.objects.get(status="valid")
    kept_pdf = receipts.render_pdf(kept)
    kept_text = pdf_text(kept_pdf, tmp_path)
    assert "Thay cho biên lai số 0000001/2026" in kept_text and "Năm nghìn đồng" in kept_text
    assert "Đã hoàn trả" in kept_text
    (artifacts_dir / "receipt-after-partial-refund.pdf").write_bytes(kept_pdf)


def test_downloads_are_scoped_to_the_unit_and_the_citizen(client, world):
    attempt = cash(world)
    receipt = Receipt.objects.get(attempt=attempt)
    staff_url = reverse("payments:receipt_pdf", args=[receipt.pk])
    client.force_login(world.officer)
    got = client.get(staff_url)
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert "0000001-2026" in got["Content-Disposition"]
    client.force_login(world.other_officer)
    assert client.get(staff_url).status_code == 404
    assert client.get(reverse("payments:receipt_pdf", args=[99999])).status_code == 404


@pytest.fixture
def admin_client(client, django_user_model):
    root = django_user_model.objects.create_superuser(username="quantri", password="x")
    client.force_login(root)
    return client


def test_the_admin_shows_receipts_read_only(admin_client, world):
    cash(world)
    receipt = Receipt.objects.get()
    page = admin_client.get(reverse("admin:payments_receipt_change", args=[receipt.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin_client.get(reverse("admin:payments_receipt_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:payments_receipt_delete", args=[receipt.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Receipt.objects.filter(pk=receipt.pk).exists()


def test_no_receipt_without_a_credit(world):
    request = fee_request(world)
    services.start_attempt(
        world.officer, request_id=request.pk, method="vietqr", idempotency_key="q"
    )
    services.expire_attempts(at=WHEN + dt.timedelta(days=2))
    assert not Receipt.objects.exists()


def test_the_citizen_downloads_their_own_receipt_and_not_anothers(client, world):
    from tests.citizens.myspace import HUNG_ID, LAN_ID, citizen
    from tests.dossiers.factories import applicant, receive

    dossier = receive(world, applicant=applicant(id_number=LAN_ID, name="Nguyễn Thị Lan"))
    request = services.request_fees(world.officer, dossier_id=dossier.pk, at=WHEN)
    services.take_at_counter(
        world.officer, request_id=request.pk, method="cash", idempotency_key="k", at=WHEN
    )
    receipt = Receipt.objects.get()
    url = reverse("payments_public:receipt_pdf", args=[receipt.pk])
    client.force_login(citizen(LAN_ID))
    got = client.get(url)
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    pay_page = client.get(reverse("payments_public:pay", args=[dossier.code])).content.decode()
    assert "Biên lai số 0000001/2026" in pay_page
    client.force_login(citizen(HUNG_ID, name="Trần Văn Hùng"))
    assert client.get(url).status_code == 404
    client.force_login(world.officer)  # staff use the staff address
    assert client.get(url).status_code in (302, 403, 404)


def test_the_void_form_is_offered_to_managers_only_and_refusals_are_explained(
    client, world, monkeypatch
):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: WHEN.astimezone(dt.UTC))
    attempt = cash(world)
    receipt = Receipt.objects.get(attempt=attempt)
    fees_page = reverse("payments:counter_fees", args=[attempt.request.dossier_id])
    void_url = reverse("payments:receipt_void", args=[receipt.pk])
    client.force_login(world.officer)
    assert 'data-testid="void-form"' not in client.get(fees_page).content.decode()
    refused = client.post(void_url, {"reason": "sai"}, follow=True)
    assert "Chỉ quản lý" in refused.content.decode()
    client.force_login(world.other_officer)
    assert client.post(void_url, {"reason": "sai"}).status_code == 404
    client.force_login(world.manager)
    assert 'data-testid="void-form"' in client.get(fees_page).content.decode()
    blank = client.post(void_url, {"reason": ""}, follow=True).content.decode()
    assert "Vui lòng nêu lý do hủy biên lai" in blank
    done = client.post(void_url, {"reason": "Ghi sai tên"}, follow=True).content.decode()
    assert "Đã hủy biên lai số 0000001/2026" in done and "0000002/2026" in done
    again = client.post(void_url, {"reason": "lần nữa"}, follow=True).content.decode()
    assert "đã bị hủy trước đó" in again
    assert Receipt.objects.count() == 2
