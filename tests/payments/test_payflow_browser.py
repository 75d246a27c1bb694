"""In a real browser at 360 px, with the simulators served over real HTTP (pytest-django's live
server): Lan pays by the national platform's redirect (a double-clicked button makes one
attempt; the simulator's page; back, the return page shows "paid" after CHECK); Lan pays by
VietQR on the simulator's bank, which sends the signed notification itself; the platform down
when she pays and when she comes back: told in Vietnamese, nothing lost, the job catches up.
Screenshots under test-artifacts/ (looked at)."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect

from motcua.catalog.models import Fee
from motcua.payments import tasks
from motcua.payments.models import CollectionAccount, PaymentAttempt
from motcua.paysim.models import Behaviour, SimulatedTransaction, SimulatedTransfer
from tests.citizens.myspace import LAN_ID, citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECRET = "bi-mat-dung-chung-cho-kiem-thu"


@pytest.fixture
def simulators(settings, live_server):
    settings.ROOT_URLCONF = "tests.payments.urls_with_simulator"
    settings.MOTCUA_PAYGOV_URL = f"{live_server.url}/gia-lap/thanh-toan/api"
    settings.MOTCUA_PAYGOV_SECRET = settings.MOTCUA_PAYSIM_SECRET = SECRET
    settings.MOTCUA_PAYGOV_PARTNER = settings.MOTCUA_PAYSIM_PARTNER = "MOTCUA"
    settings.MOTCUA_PAYGOV_TIMEOUT = 3
    settings.MOTCUA_BANK_WEBHOOK_SECRET = settings.MOTCUA_PAYSIM_BANK_SECRET = "bi-mat-ngan-hang"
    settings.MOTCUA_PAYSIM_BANK_NOTIFY_URL = ""
    return live_server


@pytest.fixture
def lan_page(browser: Browser, simulators, shipped_calendar):
    """Lan signed in on a 360 px phone, on her dossier's fee page."""
    from tests.dossiers.factories import applicant, make_world, receive

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
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": simulators.url}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{simulators.url}/thanh-toan/ho-so/{dossier.code}/")
    expect(page.get_by_test_id("fee-lines")).to_contain_text("NQ 12/2018/NQ-HĐND TP Hải Phòng")
    yield page
    assert errors == []
    context.close()


def test_lan_pays_through_the_platform_with_a_double_click(lan_page, artifacts_dir):
    page = lan_page
    page.get_by_test_id("pay-platform").dblclick()
    expect(page.get_by_test_id("paysim-order")).to_be_visible()
    assert PaymentAttempt.objects.count() == 1 and SimulatedTransaction.objects.count() == 1
    expect(page.get_by_test_id("paysim-amount")).to_have_text("8000 VND")
    page.screenshot(path=artifacts_dir / "payflow-platform-page-360.png", full_page=True)
    page.get_by_test_id("paysim-pay").click()
    expect(page.get_by_test_id("fee-paid")).to_be_visible()  # back: CHECK said paid
    expect(page.locator(".messages")).to_contain_text("Đã thanh toán xong")
    assert PaymentAttempt.objects.get().status == "paid"
    page.screenshot(path=artifacts_dir / "payflow-platform-returned-360.png", full_page=True)


def test_lan_pays_by_vietqr_and_the_simulated_bank_notifies(lan_page, artifacts_dir):
    page = lan_page
    page.get_by_test_id("pay-vietqr").dblclick()
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    assert PaymentAttempt.objects.count() == 1
    attempt = PaymentAttempt.objects.get()
    page.get_by_test_id("simulated-bank").click()  # her bank app, with the QR's fields
    expect(page.locator("#id_noi_dung")).to_have_value(attempt.reference)
    expect(page.locator("#id_so_tien")).to_have_value("8000")
    page.screenshot(path=artifacts_dir / "payflow-simulated-bank-360.png", full_page=True)
    page.get_by_test_id("paysim-bank-pay").click()
    expect(page.get_by_test_id("paysim-bank-transfers")).to_contain_text("đã gửi thông báo")
    transfer = SimulatedTransfer.objects.get()
    assert transfer.last_answer == "HTTP 200 00 ok"  # the bank's own POST was credited
    page.screenshot(path=artifacts_dir / "payflow-simulated-bank-sent-360.png", full_page=True)
    page.get_by_test_id("paysim-bank-back").click()
    expect(page.get_by_test_id("attempt-status")).to_have_attribute("data-status", "paid")
    page.screenshot(path=artifacts_dir / "payflow-vietqr-paid-360.png", full_page=True)


def test_the_platform_down_lan_is_told_nothing_is_lost_the_job_catches_up(lan_page, artifacts_dir):
    page = lan_page
    Behaviour.objects.update_or_create(pk=1, defaults={"down": True})
    page.get_by_test_id("pay-platform").click()
    expect(page.locator(".messages")).to_contain_text("Nền tảng thanh toán đang không trả lời")
    page.screenshot(path=artifacts_dir / "payflow-platform-down-360.png", full_page=True)
    Behaviour.objects.filter(pk=1).update(down=False)
    page.get_by_test_id("pay-platform").click()  # the same button again: the same attempt
    expect(page.get_by_test_id("paysim-order")).to_be_visible()
    assert PaymentAttempt.objects.count() == 1
    Behaviour.objects.filter(pk=1).update(down=True)  # down again while she pays
    page.get_by_test_id("paysim-pay").click()
    expect(page.locator(".messages")).to_contain_text("Chưa hỏi được nền tảng thanh toán")
    assert PaymentAttempt.objects.get().status == "created"
    page.screenshot(path=artifacts_dir / "payflow-platform-down-return-360.png", full_page=True)
    Behaviour.objects.filter(pk=1).update(down=False)
    tasks.check_platform_task.call_local()  # the periodic job, once the platform is back
    page.reload()
    expect(page.get_by_test_id("fee-paid")).to_be_visible()
    page.screenshot(path=artifacts_dir / "payflow-platform-caught-up-360.png", full_page=True)
