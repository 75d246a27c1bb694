"""On a 360 px phone a villager scans the QR code, sees the verdict, or uploads a copy."""

import pytest

from .conftest import flip_byte_in_page_content, stored_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="vi-VN")
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    yield context.new_page()
    context.close()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_villager_checks_a_result_on_a_phone(
    live_server, phone, desktop, signed_document, artifacts_dir, tmp_path
):
    code = signed_document.verification_code
    # the QR code opens the document's page
    response = phone.goto(f"{live_server.url}/xac-thuc/{code}/")
    assert response.status == 200, phone.content()[:3000]
    assert phone.locator("[data-testid=verdict]").get_attribute("data-valid") == "true"
    assert "Chữ ký số hợp lệ" in phone.locator("[data-testid=verdict]").inner_text()
    assert _fits(phone)
    phone.screenshot(path=str(artifacts_dir / "documents-code-valid-360.png"), full_page=True)
    desktop.goto(f"{live_server.url}/xac-thuc/{code}/")
    desktop.screenshot(path=str(artifacts_dir / "documents-code-valid-1280.png"), full_page=True)

    # the form: type the code
    phone.goto(f"{live_server.url}/xac-thuc/")
    assert _fits(phone)
    phone.screenshot(path=str(artifacts_dir / "documents-verify-form-360.png"), full_page=True)
    desktop.goto(f"{live_server.url}/xac-thuc/")
    desktop.screenshot(path=str(artifacts_dir / "documents-verify-form-1280.png"), full_page=True)
    phone.fill("input[name=ma]", code)
    with phone.expect_navigation():
        phone.click("[data-testid=code-submit]")
    assert phone.url.endswith(f"/xac-thuc/{code}/")

    # upload an altered copy
    tampered = tmp_path / "ket-qua.pdf"
    tampered.write_bytes(flip_byte_in_page_content(stored_bytes(signed_document)))
    phone.goto(f"{live_server.url}/xac-thuc/")
    phone.set_input_files("input[name=file]", str(tampered))
    with phone.expect_navigation():
        phone.click("[data-testid=upload-submit]")
    verdict = phone.locator("[data-testid=verdict]")
    assert verdict.get_attribute("data-valid") == "false"
    assert "đã bị thay đổi sau khi ký" in verdict.inner_text()
    assert _fits(phone)
    phone.screenshot(path=str(artifacts_dir / "documents-upload-altered-360.png"), full_page=True)

    # upload the genuine copy
    genuine = tmp_path / "ban-goc.pdf"
    genuine.write_bytes(stored_bytes(signed_document))
    phone.goto(f"{live_server.url}/xac-thuc/")
    phone.set_input_files("input[name=file]", str(genuine))
    with phone.expect_navigation():
        phone.click("[data-testid=upload-submit]")
    assert "Đây đúng là văn bản do Xã Thạch Hà phát hành." in phone.content()
    phone.screenshot(path=str(artifacts_dir / "documents-upload-valid-360.png"), full_page=True)

    # a forged code
    response = phone.goto(f"{live_server.url}/xac-thuc/Khong-Co-Ma-Nay-12/")
    assert response.status == 404
    assert "Không tìm thấy văn bản" in phone.locator("h1").inner_text()
    phone.screenshot(path=str(artifacts_dir / "documents-not-found-360.png"), full_page=True)
