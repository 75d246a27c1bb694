"""In a real browser at 360 px (a phone, or a narrow window at the counter): the page for a
stored paper gone from the storage, and the tracking book and worklist explaining a date out
of range. Screenshots go to test-artifacts/."""

import pytest
from django.test import Client

from motcua.dossiers.models import DossierDocument, Status

from .factories import attach, drive_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT_OF_RANGE = "Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2100."


def signed_in(browser, live_server, user, width=360):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    host = live_server.url.split("//", 1)[1].split(":")[0]
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "domain": host, "path": "/"}])
    return context


def test_a_paper_gone_from_the_storage_says_so_on_a_phone(
    browser, live_server, world, artifacts_dir
):
    d = drive_to(world, Status.PROCESSING)
    document = attach(world, d, DossierDocument.Kind.CONTROL_SHEET)
    document.file.storage.delete(document.file.name)
    page = signed_in(browser, live_server, world.specialist).new_page()
    response = page.goto(f"{live_server.url}/can-bo/ho-so/{d.pk}/van-ban/{document.pk}/")
    assert response.status == 404
    assert page.get_by_role("heading", name="Không đọc được tệp đã lưu").is_visible()
    assert "khôi phục từ bản sao lưu" in page.inner_text("[data-testid=file-missing]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts_dir / "file-missing-360.png"), full_page=True)


def test_the_tracking_book_and_the_worklist_explain_a_date_out_of_range(
    browser, live_server, world, artifacts_dir
):
    page = signed_in(browser, live_server, world.officer).new_page()
    response = page.goto(
        f"{live_server.url}/can-bo/mot-cua/so-theo-doi/?tu=9999-12-31&den=9999-12-31"
    )
    assert response.status == 400
    assert OUT_OF_RANGE in page.inner_text("main")
    assert page.get_attribute("#den", "max") == "2100-12-31"
    assert page.input_value("#den") == "9999-12-31"  # what was typed stays, to be corrected
    page.screenshot(
        path=str(artifacts_dir / "tracking-book-date-out-of-range-360.png"), full_page=True
    )

    response = page.goto(f"{live_server.url}/can-bo/ho-so/?tab=all&date_to=9999-12-31")
    assert response.status == 200
    assert OUT_OF_RANGE in page.inner_text("main")
    page.screenshot(path=str(artifacts_dir / "worklist-date-out-of-range-360.png"), full_page=True)
