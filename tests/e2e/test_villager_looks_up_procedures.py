"""A villager looks up a procedure on a phone (or at the centre's PC): search, read, scan the QR."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import CERTIFIED_COPY, DRAFT, MARRIAGE, assert_clean_console, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def search(page: Page, words: str) -> None:
    page.get_by_label("Tìm theo tên hoặc mã thủ tục").fill(words)
    page.get_by_role("button", name="Tìm", exact=True).click()


def expect_qr_loaded(page: Page) -> None:
    qr = page.get_by_test_id("qr")
    expect(qr).to_be_visible()
    qr.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=qr.element_handle(), timeout=5_000
    )


def test_villager_finds_marriage_registration_by_typing_without_accents(
    live_server, catalog, phone, desktop, shoot
):
    phone.goto(f"{live_server.url}/thu-tuc/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Tra cứu thủ tục hành chính")
    search(phone, "dang ky ket hon")

    expect(phone).to_have_url(re.compile(r"/thu-tuc/\?q=dang\+ky\+ket\+hon"))
    cards = phone.locator(".proc-card")
    # kết hôn, kết hôn lưu động, kết hôn có yếu tố nước ngoài; not khai sinh, not giám hộ
    expect(cards).to_have_count(3)
    expect(phone.get_by_test_id("result-count")).to_contain_text("Có 3 thủ tục")
    marriage = phone.get_by_role("link", name="Thủ tục đăng ký kết hôn", exact=True)
    expect(marriage).to_have_text(re.compile("Đăng ký kết hôn", re.IGNORECASE))
    assert_fits_the_screen(phone)
    shoot(phone, "search-ket-hon")

    marriage.tap()
    expect(phone).to_have_url(f"{live_server.url}/thu-tuc/{catalog[MARRIAGE].pk}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký kết hôn")
    expect(phone.get_by_test_id("processing-time")).to_contain_text("1 ngày làm việc")
    expect(phone.get_by_role("heading", name="Phí, lệ phí")).to_be_visible()
    expect(phone.get_by_test_id("fees")).to_contain_text("Miễn phí")
    expect(phone.get_by_test_id("components").locator(":scope > li")).to_have_count(3)
    expect_qr_loaded(phone)
    assert_fits_the_screen(phone)
    assert_clean_console(phone)
    shoot(phone, "detail-ket-hon")

    # The same search at the centre's PC, where the search sits beside the results.
    desktop.goto(f"{live_server.url}/thu-tuc/?q=dang+ky+ket+hon")
    expect(desktop.locator(".proc-card")).to_have_count(3)
    assert_fits_the_screen(desktop)
    shoot(desktop, "search-ket-hon")
    desktop.get_by_role("link", name="Thủ tục đăng ký kết hôn", exact=True).click()
    expect_qr_loaded(desktop)
    assert_clean_console(desktop)
    shoot(desktop, "detail-ket-hon")


def test_procedure_detail_shows_what_to_bring_and_how_long(live_server, catalog, desktop, shoot):
    desktop.goto(f"{live_server.url}/thu-tuc/{catalog[MARRIAGE].pk}/")

    expect(desktop.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký kết hôn")
    expect(desktop.get_by_test_id("confidence-note")).to_contain_text("hỏi lại Bộ phận Một cửa")
    how_long = desktop.get_by_test_id("processing-time")
    expect(how_long).to_contain_text("1 ngày làm việc")
    expect(how_long).to_contain_text("không quá 05 ngày làm việc")
    facts = desktop.locator("dl.facts")
    expect(facts).to_contain_text("Một phần")  # partly online: both must sign in person
    expect(facts).to_contain_text("Xã Vĩnh Bảo")
    expect(facts).to_contain_text("Giấy chứng nhận kết hôn")

    expect(desktop.get_by_role("heading", name="Giấy tờ cần chuẩn bị")).to_be_visible()
    papers = desktop.get_by_test_id("components").locator(":scope > li")
    expect(papers).to_have_count(3)
    expect(papers.nth(0)).to_contain_text("Tờ khai đăng ký kết hôn")
    expect(papers.nth(1)).to_contain_text("Giấy tờ tùy thân của hai bên")
    expect(papers.nth(1)).to_contain_text("2 bản")
    expect(papers.nth(2)).to_contain_text("Giấy tờ chứng minh thông tin cư trú")
    # A villager ticks off each paper once it is ready.
    ready = papers.nth(1).get_by_role("checkbox")
    ready.check()
    expect(ready).to_be_checked()

    fees = desktop.get_by_test_id("fees").locator("tbody tr")
    expect(fees).to_have_count(2)
    expect(fees.nth(0)).to_contain_text("Miễn phí")
    expect(fees.nth(1)).to_contain_text("Theo quy định của HĐND tỉnh")
    expect(desktop.locator("ol.steps > li")).to_have_count(4)
    expect(desktop.locator("ul.legal")).to_contain_text("Luật Hộ tịch 2014")
    expect_qr_loaded(desktop)
    assert_fits_the_screen(desktop)
    assert_clean_console(desktop)
    shoot(desktop, "detail-full")


def test_fee_amount_is_written_in_dong(live_server, catalog, phone, shoot):
    phone.goto(f"{live_server.url}/thu-tuc/{catalog[CERTIFIED_COPY].pk}/")

    expect(phone.get_by_role("heading", level=1)).to_contain_text("Chứng thực bản sao")
    expect(phone.get_by_test_id("fees")).to_contain_text("2.000 đ")
    assert_fits_the_screen(phone)  # a 300-character title and a six-column table on 360 px
    shoot(phone, "detail-chung-thuc")


def test_search_with_no_match_tells_the_villager_what_to_try(live_server, catalog, phone, shoot):
    phone.goto(f"{live_server.url}/thu-tuc/")
    search(phone, "cap phep xay dung nha o")

    empty = phone.get_by_test_id("empty-state")
    expect(empty).to_contain_text("Không tìm thấy thủ tục nào phù hợp.")
    expect(empty).to_contain_text("Hãy thử gõ ít từ hơn")
    empty.get_by_role("link", name="Xóa bộ lọc, xem tất cả thủ tục").tap()
    expect(phone.locator(".proc-card")).to_have_count(len(catalog) - 1)  # the draft is not shown
    assert_fits_the_screen(phone)
    shoot(phone, "search-no-match")


def test_unpublished_procedure_is_not_shown_to_the_public(live_server, catalog, phone):
    response = phone.goto(f"{live_server.url}/thu-tuc/{catalog[DRAFT].pk}/")

    assert response.status == 404
    expect(phone.get_by_role("heading", level=1)).to_have_text("Không tìm thấy thủ tục")
    expect(phone.get_by_role("main")).to_contain_text("chưa được công khai")
    assert_fits_the_screen(phone)
