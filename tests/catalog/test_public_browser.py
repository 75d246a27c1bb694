"""On a 360 px phone with JavaScript off, a villager can search and read a procedure."""

from decimal import Decimal

import pytest

from motcua.catalog.models import Component

from .factories_public import add_component, add_fee, make_procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 800}, java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_search_on_a_small_phone_without_javascript(live_server, phone, artifacts_dir):
    p = make_procedure(
        name="Thủ tục đăng ký kết hôn có yếu tố nước ngoài tại Ủy ban nhân dân cấp xã",
        processing_days=Decimal("10"),
    )
    add_fee(p, 1500000, condition="Theo Nghị quyết của HĐND tỉnh " * 5)
    add_component(p, "Giấy xác nhận tình trạng hôn nhân " * 4, form=Component.Form.ORIGINAL)
    make_procedure(name="Thủ tục đăng ký khai tử")

    phone.goto(f"{live_server.url}/thu-tuc/")
    phone.fill("#q", "ket hon nuoc ngoai")
    with phone.expect_navigation():
        phone.click(".catalog-search button[type=submit]")

    assert "q=ket+hon+nuoc+ngoai" in phone.url
    assert phone.locator(".proc-card").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    with phone.expect_navigation():
        phone.click(".proc-card a.title")
    assert phone.locator("h1").inner_text().startswith("Thủ tục đăng ký kết hôn")
    assert "1.500.000\u00a0đ" in phone.locator("[data-testid=fees]").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts_dir / "catalog-browser-detail-360.png"), full_page=True)
