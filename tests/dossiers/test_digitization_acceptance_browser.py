"""Issue 13's acceptance in one flow, in a real browser at 360 px: the counter officer, signed in
alone, opens the digitization defects list (two dossiers whose papers are not all digitized),
follows one's fix link, scans its missing component (a two-page scanner PDF) at the counter,
watches the OCR progress reach done, and comes back to a list one dossier shorter.
Screenshots looked at.

The OCR worker is `scanning.process_scan` started in a thread once the upload has committed, as
the huey worker picks the queued task up; the page polls the progress. Pages at 150 dpi keep
the OCR to a few seconds."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from playwright.sync_api import Browser, expect

from motcua.dossiers import services
from motcua.dossiers.models import IdentityVia, Scan
from motcua.dossiers.scanning import process_scan
from tests import scans

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
QUERY = "?tu_ngay=2026-10-01&den_ngay=2026-12-31"


def _worker(scan_id: int) -> threading.Thread:
    def run() -> None:
        try:
            process_scan(scan_id)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_counter_officer_scans_watches_ocr_and_the_defects_list_shrinks(
    browser: Browser, live_server, shipped_calendar, artifacts_dir, tmp_path
):
    from .factories import applicant, at, make_world, pdf, receive

    w = make_world()
    verified = {"identity_verified_via": IdentityVia.CHIP_CARD}
    missing_declaration = receive(
        w,
        at(2026, 11, 2, 9),
        applicant=applicant(name="Nguyễn Thị Lan", id_number="031190012345"),
        components=[
            services.ComponentIn(name="Tờ khai đăng ký khai sinh"),
            services.ComponentIn(name="Giấy chứng sinh", file=pdf("chung-sinh.pdf")),
        ],
        **verified,
    )
    receive(w, at(2026, 11, 3, 9), **verified)  # nothing scanned: stays in the list
    component = missing_declaration.components.get(name="Tờ khai đăng ký khai sinh")

    client = Client()
    client.force_login(w.officer)
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def fits():
        widths = page.evaluate(
            "({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"
        )
        assert widths["scroll"] <= widths["inner"], widths

    page.goto(f"{live_server.url}/can-bo/so-hoa/{QUERY}")
    expect(page.get_by_test_id("defect-row")).to_have_count(2)
    expect(page.get_by_test_id("defect-thanh-phan")).to_have_count(2)
    fits()
    page.screenshot(path=str(artifacts_dir / "acceptance-defects-before-360.png"), full_page=True)

    row = page.get_by_test_id("defect-row").filter(has_text=missing_declaration.code)
    row.get_by_test_id("fix-thanh-phan").click()
    page.get_by_test_id("go-scan").click()  # to the counter's scanning of the components

    scanned = tmp_path / "to-khai-2-trang.pdf"
    scanned.write_bytes(scans.scan_pdf(2, dpi=150))
    item = page.locator(f"#tp-{component.pk}")
    item.get_by_text("Tải bản quét").click()
    item.get_by_test_id("scan-file").set_input_files(str(scanned))
    item.get_by_test_id("scan-submit").click()

    box = page.locator(f"#tp-{component.pk}").get_by_test_id("scan")
    expect(box).to_have_attribute("data-state", "queued")
    expect(box.get_by_test_id("scan-progress")).to_have_text("0/2 trang")
    page.screenshot(path=str(artifacts_dir / "acceptance-scan-queued-360.png"), full_page=True)

    worker = _worker(Scan.objects.get().pk)
    expect(box).not_to_have_attribute("data-state", "queued")  # the worker took it
    page.screenshot(path=str(artifacts_dir / "acceptance-scan-progress-360.png"), full_page=True)
    expect(box).to_have_attribute("data-state", "done", timeout=90_000)
    worker.join(timeout=30)
    expect(box.get_by_test_id("scan-done")).to_be_visible()
    box.get_by_text("Chữ nhận dạng được").click()
    expect(box.get_by_test_id("scan-text")).to_contain_text("Vĩnh Bảo")
    fits()
    page.screenshot(path=str(artifacts_dir / "acceptance-scan-done-360.png"), full_page=True)

    page.goto(f"{live_server.url}/can-bo/so-hoa/{QUERY}")
    expect(page.get_by_test_id("defect-row")).to_have_count(1)  # the list shrank by one
    expect(page.get_by_test_id("defect-rows")).not_to_contain_text(missing_declaration.code)
    fits()
    page.screenshot(path=str(artifacts_dir / "acceptance-defects-after-360.png"), full_page=True)
    assert not errors
    context.close()
