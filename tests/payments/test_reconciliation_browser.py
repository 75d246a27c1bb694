"""In a real browser at 360 px: a manager uploads a bank statement with one broken row, reads the
report (the lost notification caught up, the broken row with its reason), resolves the broken row
with a note; the payment figures screen with its ratios and the list behind one (screenshots
looked at)."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect

from motcua.payments.models import PaymentAttempt
from tests.payments.test_payment_figures import commune  # noqa: F401 (the fixture)
from tests.payments.test_reconciliation import vcb_csv, vietqr_attempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser: Browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_a_manager_reconciles_a_statement_with_a_broken_row_on_a_phone(
    browser: Browser, live_server, world, tmp_path, artifacts_dir
):
    attempt = vietqr_attempt(world)
    statement = tmp_path / "sao-ke-vietcombank.csv"
    statement.write_bytes(
        vcb_csv(
            [
                f'1,02/11/2026,FT26306002,,"8.000","1.008.000","NGUYEN VAN AN {attempt.reference}"',
                '2,02/11/2026,FT26306003,,"8.0OO","1.016.000","Trần Thị Bình nộp phí"',
                '3,02/11/2026,FT26306004,,"50.000","1.066.000","ủng hộ quỹ khuyến học"',
            ]
        )
    )
    context = signed_in(browser, live_server, world.manager)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/can-bo/thu-phi/doi-soat/")
    expect(page.get_by_test_id("runs-empty")).to_be_visible()
    page.screenshot(path=artifacts_dir / "reconciliation-empty-360.png", full_page=True)
    page.locator("#id_tep").set_input_files(str(statement))
    page.get_by_test_id("upload").click()
    expect(page.locator(".messages")).to_contain_text("Đã đối soát tệp sao-ke-vietcombank.csv")
    expect(page.get_by_test_id("tally")).to_contain_text("Khớp, ghi nhận bổ sung (thiếu thông báo)")
    expect(page.get_by_test_id("tally")).to_contain_text("Dòng lỗi")
    broken = page.locator('li[data-outcome="invalid"]')
    expect(broken).to_contain_text("Số tiền ghi có không đọc được: “8.0OO”.")
    page.screenshot(path=artifacts_dir / "reconciliation-report-360.png", full_page=True)

    broken.locator("textarea").fill("Ngân hàng xác nhận 8.000 đ của bà Bình; đối chiếu tay.")
    broken.get_by_role("button", name="Đánh dấu đã xử lý").click()
    expect(page.locator(".messages")).to_contain_text("Đã ghi nhận cách xử lý dòng 7")
    expect(page.locator('li[data-outcome="invalid"]')).to_have_count(0)
    page.goto(page.url.split("?")[0] + "?xem=tat_ca")
    expect(page.get_by_test_id("resolved")).to_contain_text("đối chiếu tay")
    page.screenshot(path=artifacts_dir / "reconciliation-all-lines-360.png", full_page=True)
    attempt.refresh_from_db()
    assert attempt.status == PaymentAttempt.Status.PAID
    assert errors == []
    context.close()


def test_the_payment_figures_on_a_phone(
    browser: Browser,
    live_server,
    world,
    commune,  # noqa: F811
    artifacts_dir,
):
    context = signed_in(browser, live_server, world.leader)
    page = context.new_page()
    page.goto(f"{live_server.url}/can-bo/thu-phi/so-lieu/?tu_ngay=2026-11-01&den_ngay=2026-11-30")
    indicators = page.get_by_test_id("indicator")
    expect(indicators).to_have_count(4)
    expect(indicators.nth(0)).to_contain_text("80,00%")
    expect(indicators.nth(3)).to_contain_text("2 / 6")
    page.screenshot(path=artifacts_dir / "payment-figures-360.png", full_page=True)
    indicators.nth(3).get_by_role("link", name="Xem danh sách").click()
    expect(page.get_by_test_id("list")).to_contain_text("Hồ sơ có nghĩa vụ tài chính")
    expect(page.locator('[data-counted="0"]')).to_have_count(4)
    page.screenshot(path=artifacts_dir / "payment-figures-list-360.png", full_page=True)
    context.close()
