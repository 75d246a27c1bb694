"""In a real browser at 360 px: the counter officer's damaged PDF is refused with the reason; then
they photograph a two-page paper, upload it for its component, watch the OCR progress and read
the recognised text (screenshots looked at).

The OCR worker is `scanning.process_scan` started in a thread of the test once the upload has
committed, as the huey worker would pick the queued task up; the page polls its progress."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from playwright.sync_api import Browser, expect

from motcua.dossiers.models import Scan
from motcua.dossiers.scanning import process_scan
from tests import scans
from tests.citizens.myspace import LAN_ID
from tests.pdfs import truncated_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _worker(scan_id: int) -> threading.Thread:
    def run() -> None:
        try:
            process_scan(scan_id)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_officer_uploads_two_photos_watches_ocr_and_reads_the_text_on_a_phone(
    browser: Browser, live_server, shipped_calendar, artifacts_dir, tmp_path
):
    from .factories import applicant, make_world, receive

    w = make_world()
    dossier = receive(w, applicant=applicant(id_number=LAN_ID, name="Nguyễn Thị Lan"))
    component = dossier.components.first()
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

    photos = []
    for seed in (1, 2):
        path = tmp_path / f"trang-{seed}.jpg"
        path.write_bytes(scans.photo(seed=seed))
        photos.append(str(path))
    damaged = tmp_path / "may-quet-hong.pdf"
    damaged.write_bytes(truncated_pdf(scans.scan_pdf(1, dpi=100)))
    page.goto(f"{live_server.url}/can-bo/mot-cua/ho-so/{dossier.pk}/")
    row = page.locator(f"#tp-{component.pk}")
    row.get_by_text("Tải bản quét").click()
    row.get_by_test_id("scan-file").set_input_files(str(damaged))
    row.get_by_test_id("scan-submit").click()
    expect(row.get_by_test_id("scan-refused")).to_contain_text("tệp bị hỏng")
    page.screenshot(path=str(artifacts_dir / "counter-scan-refused-360.png"), full_page=True)
    assert not Scan.objects.exists()

    row.get_by_test_id("scan-file").set_input_files(photos)  # the form is still open
    row.get_by_test_id("scan-submit").click()

    scan_box = page.get_by_test_id("scan").first
    expect(scan_box).to_have_attribute("data-state", "queued")
    expect(page.get_by_test_id("scan-progress").first).to_have_text("0/2 trang")
    page.screenshot(path=str(artifacts_dir / "counter-scan-queued-360.png"), full_page=True)

    worker = _worker(Scan.objects.get().pk)
    expect(scan_box).to_have_attribute("data-state", "processing")
    page.screenshot(path=str(artifacts_dir / "counter-scan-progress-360.png"), full_page=True)
    expect(scan_box).to_have_attribute("data-state", "done", timeout=90_000)
    worker.join(timeout=30)
    page.get_by_text("Chữ nhận dạng được").click()
    text = page.get_by_test_id("scan-text").first
    expect(text).to_contain_text("Ủy ban nhân dân xã Vĩnh Bảo")
    expect(text).to_contain_text("GIẤY KHAI SINH")
    expect(page.get_by_test_id("scan-done").first).to_be_visible()
    expect(page.get_by_test_id("scan-file-link")).to_be_visible()  # the PDF/A, freshly linked
    widths = page.evaluate(
        "({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], widths
    page.screenshot(path=str(artifacts_dir / "counter-scan-done-360.png"), full_page=True)
    assert not errors
    context.close()
