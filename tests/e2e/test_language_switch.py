"""Vietnamese first; English only when the person presses the switch, and it sticks.

English labels are the msgstr values of src/motcua/locale/en/LC_MESSAGES/django.po.
"""

import pytest
from playwright.sync_api import Page, expect

from .conftest import MARRIAGE, assert_clean_console, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def header(page: Page):
    return page.locator("header.site-header")


def expect_vietnamese(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(header(page).get_by_role("link", name="Thủ tục", exact=True)).to_be_visible()
    expect(header(page).get_by_role("button", name="English")).to_be_visible()


def expect_english(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(header(page).get_by_role("link", name="Procedures", exact=True)).to_be_visible()
    expect(header(page).get_by_role("link", name="Staff login", exact=True)).to_be_visible()
    expect(header(page).get_by_role("button", name="Tiếng Việt")).to_be_visible()


def test_language_switch_to_english_and_back(live_server, catalog, phone, desktop, shoot):
    phone.goto(f"{live_server.url}/thu-tuc/")
    expect_vietnamese(phone)

    phone.get_by_test_id("lang-switch").tap()
    expect_english(phone)
    expect(phone).to_have_url(f"{live_server.url}/thu-tuc/")  # same page, now in English
    expect(phone.get_by_role("heading", level=1)).to_have_text("Look up administrative procedures")
    expect(phone.get_by_label("Search by procedure name or code")).to_be_visible()
    assert_fits_the_screen(phone)
    shoot(phone, "english-search")

    # The choice persists: the next page opens in English too (procedure texts stay as published).
    phone.get_by_role("link", name="Thủ tục đăng ký kết hôn", exact=True).tap()
    expect(phone).to_have_url(f"{live_server.url}/thu-tuc/{catalog[MARRIAGE].pk}/")
    expect_english(phone)
    expect(phone.locator("dl.facts")).to_contain_text("Processing time")
    expect(phone.get_by_role("heading", name="Documents to prepare")).to_be_visible()
    expect(phone.get_by_test_id("fees")).to_contain_text("Free of charge")
    assert_fits_the_screen(phone)
    assert_clean_console(phone)
    shoot(phone, "english-detail")

    phone.get_by_test_id("lang-switch").tap()
    expect_vietnamese(phone)
    expect(phone).to_have_url(f"{live_server.url}/thu-tuc/{catalog[MARRIAGE].pk}/")
    expect(phone.get_by_role("heading", name="Giấy tờ cần chuẩn bị")).to_be_visible()
    phone.goto(f"{live_server.url}/thu-tuc/")
    expect_vietnamese(phone)

    # At the centre's PC the same switch, for the 1280 px look.
    desktop.goto(f"{live_server.url}/thu-tuc/{catalog[MARRIAGE].pk}/")
    desktop.get_by_test_id("lang-switch").click()
    expect_english(desktop)
    assert_fits_the_screen(desktop)
    shoot(desktop, "english-detail")


def test_phone_set_to_english_still_opens_in_vietnamese(browser, live_server, catalog):
    """Many cheap phones are set to English; the commune's site opens in Vietnamese anyway."""
    context = browser.new_context(locale="en-US", viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        response = page.goto(f"{live_server.url}/")

        assert page.evaluate("navigator.language") == "en-US"
        assert response.request.header_value("accept-language").startswith("en-US")
        assert response.header_value("content-language") == "vi"
        expect_vietnamese(page)
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Dịch vụ công cho người dân")
    finally:
        context.close()
