"""In a real browser: a counter officer receives a dossier with the keyboard and prints the
receipt; the screens fit a 360 px phone and a 1280 px office screen (screenshots looked at)."""

import re
import subprocess

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect

from motcua.dossiers.models import Dossier, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Nguyễn Thị Hồng Nhung"


@pytest.fixture
def browser_world(live_server, shipped_calendar):
    from .factories import make_world

    return make_world()


def _signed_in(browser: Browser, live_server, user, width: int, height: int = 900):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.js_errors = errors
    return context, page


def _fits(page) -> None:
    # a click returns once the next page has started; judge its width with its styles applied
    page.wait_for_load_state("load")
    widths = page.evaluate(
        "({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], widths


def test_officer_receives_a_dossier_with_the_keyboard_and_prints_the_receipt(
    browser: Browser, live_server, browser_world, artifacts_dir
):
    w = browser_world
    context, page = _signed_in(browser, live_server, w.officer, 1280)
    page.goto(f"{live_server.url}/can-bo/mot-cua/tiep-nhan/")
    search = page.get_by_test_id("procedure-search")
    expect(search).to_be_focused()
    page.keyboard.type("dang ky khai sinh")  # no diacritics: still found
    expect(page.get_by_test_id("procedure-result").first).to_contain_text("Đăng ký khai sinh")
    page.keyboard.press("Enter")  # opens the first result

    expect(page.get_by_test_id("procedure-name")).to_have_text("Đăng ký khai sinh")
    expect(page.get_by_label("Họ tên / tên tổ chức")).to_be_focused()
    page.keyboard.type(NAME)
    page.keyboard.press("Enter")  # moves on, does not submit
    expect(page.get_by_label("Số định danh cá nhân / mã số thuế")).to_be_focused()
    page.keyboard.type("001203004567")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Điện thoại")).to_be_focused()
    page.keyboard.type("0912345678")
    page.keyboard.press("Enter")
    page.keyboard.type("Thôn Đồng Bụt, xã An Hưng")
    page.get_by_label("Đã xác thực định danh").select_option("chip_card")
    assert Dossier.objects.count() == 0  # Enter never submitted the form
    page.screenshot(path=str(artifacts_dir / "counter-reception-1280.png"), full_page=True)
    page.keyboard.press("Alt+s")

    done = page.get_by_test_id("reception-done")
    expect(done).to_be_visible()
    code = page.get_by_test_id("dossier-code").inner_text()
    assert re.fullmatch(r"[\d.]+H23-\d{6}-0001", code)
    expect(page.get_by_test_id("due-date")).to_contain_text("/")
    dossier = Dossier.objects.get()
    assert dossier.code == code and dossier.status == Status.RECEIVED
    assert dossier.applicant_name == NAME and dossier.identity_verified
    _fits(page)
    page.screenshot(path=str(artifacts_dir / "counter-received-1280.png"), full_page=True)

    receipt_url = page.get_by_test_id("print-receipt").get_attribute("href")
    response = context.request.get(f"{live_server.url}{receipt_url}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    (artifacts_dir / "counter-receipt.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-singlefile",
            str(artifacts_dir / "counter-receipt.pdf"),
            str(artifacts_dir / "counter-receipt"),
        ],
        check=True,
    )

    page.keyboard.press("n")  # "Tiếp nhận hồ sơ mới"
    expect(page.get_by_test_id("procedure-search")).to_be_focused()
    assert page.js_errors == []
    context.close()


def test_counter_screens_fit_a_360_px_screen(
    browser: Browser, live_server, browser_world, artifacts_dir
):
    from .factories import drive_to

    w = browser_world
    dossier = drive_to(w, Status.RESULT_READY)
    context, page = _signed_in(browser, live_server, w.officer, 360, 740)
    page.goto(f"{live_server.url}/can-bo/mot-cua/tiep-nhan/?q=khai+sinh")
    expect(page.get_by_test_id("procedure-result").first).to_be_visible()
    _fits(page)
    page.screenshot(path=str(artifacts_dir / "counter-search-360.png"), full_page=True)
    page.get_by_test_id("procedure-result").first.click()
    expect(page.get_by_test_id("reception-form")).to_be_visible()
    _fits(page)
    page.screenshot(path=str(artifacts_dir / "counter-reception-360.png"), full_page=True)
    page.goto(f"{live_server.url}/can-bo/mot-cua/tra-ket-qua/?q={dossier.code}")
    expect(page.get_by_test_id("return-rows")).to_contain_text(dossier.code)
    _fits(page)
    page.screenshot(path=str(artifacts_dir / "counter-returns-360.png"), full_page=True)
    page.goto(f"{live_server.url}/can-bo/mot-cua/ho-so/{dossier.pk}/?moi=1")
    _fits(page)
    page.screenshot(path=str(artifacts_dir / "counter-dossier-360.png"), full_page=True)
    page.goto(f"{live_server.url}/can-bo/mot-cua/so-theo-doi/?tu=2026-11-01&den=2026-11-30")
    expect(page.locator("table")).to_contain_text(dossier.code)
    _fits(page)  # the wide table scrolls inside its box, the page does not
    page.screenshot(path=str(artifacts_dir / "counter-book-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    page.screenshot(path=str(artifacts_dir / "counter-book-1280.png"), full_page=True)
    assert page.js_errors == []
    context.close()
