"""On a 360 px phone: a resident taps "Đăng nhập" on the home page, signs in on the provider's
own page (another origin), lands on her account with the claims shown, and signs out of both;
a level-1 resident asked for level 2 is told what to do."""

import pytest
from playwright.sync_api import expect

from .conftest import HUNG, LAN

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def _sign_in_at_the_provider(page, devidp, person):
    page.wait_for_url(f"{devidp.url}/dang-nhap/**")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Đăng nhập bằng tài khoản định danh điện tử"
    )
    page.get_by_label("Số định danh cá nhân").fill(person["citizen_id"])
    page.get_by_label("Mật khẩu").fill(person["password"])


def test_a_resident_signs_in_and_out_on_a_phone(rp, devidp, phone, artifacts_dir):
    phone.goto(f"{rp}/")
    phone.get_by_test_id("citizen-sign-in").click()
    _sign_in_at_the_provider(phone, devidp, LAN)
    phone.screenshot(path=str(artifacts_dir / "citizens-provider-360.png"), full_page=True)
    phone.get_by_role("button", name="Đăng nhập").click()

    phone.wait_for_url(f"{rp}/cong-dan/")
    expect(phone.get_by_test_id("citizen-name")).to_have_text("Nguyễn Thị Lan")
    expect(phone.get_by_test_id("citizen-level")).to_have_text("Mức 2")
    expect(phone.get_by_test_id("citizen-id")).to_have_text("031*******45")
    expect(phone.get_by_test_id("citizen-menu")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    phone.screenshot(path=str(artifacts_dir / "citizens-account-360.png"), full_page=True)

    phone.get_by_test_id("sign-out").click()  # through the provider's end-session and back
    phone.wait_for_url(f"{rp}/")
    expect(phone.get_by_test_id("citizen-sign-in")).to_be_visible()
    phone.get_by_test_id("citizen-sign-in").click()
    _sign_in_at_the_provider(phone, devidp, LAN)  # the provider asks again: signed out there too


def test_a_failed_sign_in_is_a_clear_page_on_a_phone(rp, devidp, phone, artifacts_dir):
    phone.goto(f"{rp}/cong-dan/dang-nhap/xong/?code=x&state=forged")
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Phiên đăng nhập không hợp lệ hoặc đã hết hạn"
    )
    phone.screenshot(path=str(artifacts_dir / "citizens-refused-360.png"), full_page=True)
    phone.get_by_test_id("try-again").click()
    _sign_in_at_the_provider(phone, devidp, HUNG)
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.wait_for_url(f"{rp}/cong-dan/")
    expect(phone.get_by_test_id("citizen-level")).to_have_text("Mức 1")
