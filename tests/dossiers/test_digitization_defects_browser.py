"""In a real browser at 360 px: a leader opens the digitization screen, follows a defect's fix
link, attaches the missing result file on the dossier page, comes back and sees the list shrink
(decisions/0034). Screenshots looked at."""

from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect

from motcua.dossiers.models import DossierDocument, Status

from .test_digitization_screen import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots-defects")


def test_leader_fixes_a_missing_result_file_and_the_list_shrinks(
    browser: Browser, live_server, shipped_calendar, artifacts_dir, tmp_path
):
    from .factories import at, drive_to, make_world, receive

    w = make_world()
    returned = drive_to(w, Status.RETURNED, at(2026, 11, 2, 9))
    returned.documents.filter(kind=DossierDocument.Kind.RESULT).delete()
    receive(w, at(2026, 11, 3, 9))  # components not scanned, identity not checked
    client = Client()
    client.force_login(w.leader)
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    SHOTS.mkdir(exist_ok=True)

    def fits():
        widths = page.evaluate(
            "({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"
        )
        assert widths["scroll"] <= widths["inner"], widths

    query = "?tu_ngay=2026-10-01&den_ngay=2026-12-31"
    page.goto(f"{live_server.url}/can-bo/so-hoa/{query}")
    expect(page.get_by_test_id("defect-row")).to_have_count(2)
    expect(page.get_by_test_id("figure-thanh-phan")).to_contain_text("0 / 2")
    fits()
    page.screenshot(path=str(SHOTS / "defects-360.png"), full_page=True)
    page.get_by_test_id("denominator-thanh-phan").click()  # the dossiers behind the figure
    expect(page.get_by_test_id("figure-row")).to_have_count(2)
    fits()
    page.screenshot(path=str(SHOTS / "figure-list-360.png"), full_page=True)
    page.go_back()

    page.get_by_test_id("fix-ket-qua").click()
    expect(page.get_by_test_id("dossier-defect-ket-qua")).to_be_visible()
    pdf = tmp_path / "ket-qua.pdf"
    pdf.write_bytes(PDF)
    page.locator("#id_missing_file").set_input_files(str(pdf))
    page.screenshot(path=str(SHOTS / "dossier-fix-360.png"), full_page=True)
    page.get_by_test_id("submit-fix-paper").click()
    expect(page.get_by_test_id("dossier-defect-ket-qua")).to_have_count(0)
    fits()

    page.goto(f"{live_server.url}/can-bo/so-hoa/{query}")
    expect(page.get_by_test_id("defect-ket-qua")).to_have_count(0)
    expect(page.get_by_test_id("defect-row")).to_have_count(2)  # its other defects remain
    page.select_option("#id_loai", "ket-qua")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_test_id("defects-empty")).to_be_visible()
    fits()
    page.screenshot(path=str(SHOTS / "defects-fixed-360.png"), full_page=True)
    page.screenshot(path=str(artifacts_dir / "defects-fixed-360.png"), full_page=True)
    context.close()
