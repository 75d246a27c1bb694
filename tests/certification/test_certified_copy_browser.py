"""In a real browser at 360 px: a leader certifies a copy of an original, and the public
verification page shows it verified with its two signatures (the leader's, then the unit's)."""

from pathlib import Path

import pytest
from django.test import Client

from .conftest import LAN_ID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots-signers")


def signed_in(browser, live_server, user, width):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    host = live_server.url.split("//", 1)[1].split(":")[0]
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "domain": host, "path": "/"}])
    return context


def shot(page, artifacts_dir, name):
    SHOTS.mkdir(exist_ok=True)
    for folder in (artifacts_dir, SHOTS):
        page.screenshot(path=str(folder / name), full_page=True)


def test_leader_certifies_a_copy_and_the_public_page_verifies_both_signatures(
    browser, live_server, haiphong, original_pdf, artifacts_dir, tmp_path
):
    scan = tmp_path / "bang-tot-nghiep.pdf"
    scan.write_bytes(original_pdf)
    ctx = signed_in(browser, live_server, haiphong.leader, 360)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/can-bo/chung-thuc/")
    assert "Chưa có bản sao nào được chứng thực." in page.inner_text("main")
    with page.expect_navigation():
        page.click("[data-testid=certify-new]")
    page.fill("input[name=citizen_id]", LAN_ID)
    page.fill("input[name=citizen_name]", "Nguyễn Thị Lan")
    page.fill("input[name=title]", "Bằng tốt nghiệp trung học phổ thông")
    page.fill("input[name=pages]", "3")
    page.set_input_files("input[name=files]", str(scan))
    with page.expect_navigation():
        page.click("[data-testid=certify-submit]")
    assert "có 2 trang, khác số trang đã nhập (3)" in page.inner_text("main")
    shot(page, artifacts_dir, "certify-error-360.png")
    page.fill("input[name=pages]", "2")
    page.set_input_files("input[name=files]", str(scan))
    with page.expect_navigation():
        page.click("[data-testid=certify-submit]")
    assert "Đã chứng thực bản sao: số 1" in page.inner_text(".messages")
    assert page.locator("[data-testid=book-row]").count() == 1
    shot(page, artifacts_dir, "certification-book-360.png")
    with page.expect_navigation():
        page.click("[data-testid=book-verify]")
    assert page.get_attribute("[data-testid=verdict]", "data-valid") == "true"
    lines = page.locator("[data-testid=signature]")
    assert lines.count() == 2
    first, second = lines.nth(0).inner_text(), lines.nth(1).inner_text()
    assert "Chữ ký 1: Phạm Văn Lãnh (cá nhân) – hợp lệ" in first
    assert "Chữ ký 2: Xã Vĩnh Bảo (cơ quan) – hợp lệ, bao phủ toàn bộ văn bản" in second
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    shot(page, artifacts_dir, "certified-copy-verified-360.png")
    ctx.close()
