"""In a real browser at 360 px: Lan opens her dossier's fees, sees each line with its legal
basis, chooses VietQR, sees the code, the account and the transfer text; the bank's signed
notification arrives (sent by the test, as the bank would) and her page turns to "paid" by
itself (screenshots looked at). Back on the fees page while the code waits, she is led back
to it instead of being offered a second payment."""

from __future__ import annotations

import json

import pytest
import requests
from django.test import Client
from playwright.sync_api import Browser, expect

from motcua.catalog.models import Fee
from motcua.payments import bank
from motcua.payments.models import CollectionAccount, PaymentAttempt
from tests.citizens.myspace import LAN_ID, citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lan_pays_her_fee_by_vietqr_on_her_phone(
    browser: Browser, live_server, shipped_calendar, artifacts_dir, settings
):
    from tests.dossiers.factories import applicant, make_world, receive

    settings.MOTCUA_BANK_WEBHOOK_SECRET = "bi-mat-ngan-hang"
    w = make_world()
    Fee.objects.filter(procedure=w.procedure).update(legal_basis="NQ 12/2018/NQ-HĐND TP Hải Phòng")
    CollectionAccount.objects.create(
        unit=w.commune,
        bank_bin="970415",
        bank_code="icb",
        bank_name="VietinBank",
        account_number="113366668888",
        account_name="UBND XA AN HUNG",
    )
    dossier = receive(w, applicant=applicant(id_number=LAN_ID, name="Nguyễn Thị Lan"))
    client = Client()
    client.force_login(citizen(LAN_ID))
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/cong-dan/ho-so/{dossier.code}/")
    page.get_by_test_id("go-pay").click()
    expect(page.get_by_test_id("fee-lines")).to_contain_text("NQ 12/2018/NQ-HĐND TP Hải Phòng")
    page.screenshot(path=artifacts_dir / "citizen-pay-360.png", full_page=True)
    page.get_by_test_id("pay-vietqr").click()
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    attempt = PaymentAttempt.objects.get()
    expect(page.get_by_test_id("transfer-text")).to_have_text(attempt.reference)
    expect(page.get_by_test_id("attempt-status")).to_contain_text("Đang chờ ngân hàng xác nhận")
    page.screenshot(path=artifacts_dir / "citizen-vietqr-360.png", full_page=True)
    page.go_back()  # back on the fees page while her code waits: no second payment offered
    page.reload()
    expect(page.get_by_test_id("waiting-attempt")).to_contain_text(attempt.reference)
    expect(page.get_by_test_id("pay-vietqr")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "citizen-pay-waiting-360.png", full_page=True)
    page.get_by_test_id("continue-attempt").click()
    expect(page.get_by_test_id("transfer-text")).to_have_text(attempt.reference)

    body = json.dumps(
        {
            "transactionId": "FT26110299",
            "amount": attempt.amount_vnd,
            "currency": "VND",
            "accountNumber": "113366668888",
            "description": f"CT DEN {attempt.reference} NGUYEN THI LAN",
        }
    ).encode()
    answer = requests.post(
        f"{live_server.url}/thanh-toan/ngan-hang/thong-bao/",
        data=body,
        headers={"Content-Type": "application/json", "X-Signature": bank.sign(body)},
        timeout=10,
    )
    assert answer.json()["code"] == "00"
    expect(page.get_by_test_id("attempt-status")).to_have_attribute(
        "data-status", "paid", timeout=15_000
    )
    page.screenshot(path=artifacts_dir / "citizen-vietqr-paid-360.png", full_page=True)
    assert errors == []
    context.close()
